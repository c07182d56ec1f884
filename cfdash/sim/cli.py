"""``cfdash sim``: the demo simulator on its own, for trying a config or a pipeline.

The main CLI parses the options and calls :func:`run_sim`; this module only runs the server,
prints where it is and how to reach it, and exits cleanly on Ctrl-C.
"""

from __future__ import annotations

import asyncio
import errno
import sys
from typing import TextIO

from cfdash.sim.admin import is_loopback
from cfdash.sim.demo import DEMO_SPEED, build_demo, demo_accounts, demo_config_toml
from cfdash.sim.model import Simulator
from cfdash.sim.server import RunningServer, start_server

__all__ = ["DEFAULT_PORT", "run_sim", "serve_sim"]

DEFAULT_PORT = 8642


def _check_args(
    host: str, port: int, speed: float, accounts: int, jobs: int, allow_public: bool
) -> str | None:
    """The one-sentence reason the arguments are refused, or ``None``."""
    if not allow_public and not is_loopback(host):
        return (
            f"refusing to listen on {host}: the simulator serves loopback addresses only "
            "(127.0.0.1, ::1, localhost)"
        )
    if not 0 <= port <= 65535:
        return f"port {port} is not between 0 and 65535"
    if not speed > 0:
        return "speed must be a positive number"
    if accounts < 1:
        return "the simulator needs at least one account"
    if jobs < 0:
        return "the number of jobs must not be negative"
    return None


def _banner(sim: Simulator, server: RunningServer, accounts: int) -> str:
    members = demo_accounts(accounts)
    # The first account shows the newer operator's way in (a bearer token) and the pipeline.
    bearer = members[0].name
    lines = [
        f"cfdash simulator listening on {server.base_url} (seed {sim.seed}, speed {sim.speed:g}x)",
        f"admin: {server.base_url}/_sim/state",
        "",
        "demo accounts (public demo keys and tokens, valid only here):",
    ]
    width = max(len(a.name) for a in members)
    lines += [
        f"  {a.name:<{width}}  asid {a.asid}  access {a.access_key}  secret {a.secret_key}"
        + (f"  token {a.token}" if a.name == bearer else "")
        for a in members
    ]
    lines += [
        "",
        "config snippet:",
        "",
        demo_config_toml(server.base_url, members, bearer=bearer, pipeline=True),
        "Press Ctrl-C to stop.",
    ]
    return "\n".join(lines)


async def serve_sim(
    sim: Simulator,
    host: str,
    port: int,
    accounts: int,
    *,
    out: TextIO,
    stop: asyncio.Event | None = None,
) -> None:
    """Serve ``sim`` and print the banner; run until ``stop`` is set (or forever)."""
    server = await start_server(sim, host, port)
    try:
        print(_banner(sim, server, accounts), file=out, flush=True)
        await (stop or asyncio.Event()).wait()
    finally:
        await server.stop()


def run_sim(
    host: str = "127.0.0.1",
    port: int = DEFAULT_PORT,
    seed: int = 0,
    speed: float = DEMO_SPEED,
    accounts: int = 3,
    jobs: int = 12,
    *,
    allow_public: bool = False,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Run the demo simulator until Ctrl-C. Returns the exit status (0, or 1/2 on errors)."""
    out = out or sys.stdout
    err = err or sys.stderr
    problem = _check_args(host, port, speed, accounts, jobs, allow_public)
    if problem is not None:
        print(f"cfdash sim: {problem}.", file=err)
        return 2
    sim = build_demo(seed=seed, speed=speed, accounts=accounts, jobs=jobs)
    try:
        asyncio.run(serve_sim(sim, host, port, accounts, out=out))
    except KeyboardInterrupt:
        print("\nsimulator stopped.", file=out, flush=True)
    except OSError as exc:
        # asyncio wraps the OS message in its own; the errno says it plainly.
        reason = "the port is already in use" if exc.errno == errno.EADDRINUSE else str(exc)
        print(f"cfdash sim: cannot listen on {host}:{port}: {reason}.", file=err)
        return 1
    return 0
