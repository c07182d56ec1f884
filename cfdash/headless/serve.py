"""``cfdash serve``: the dashboard in a browser, through textual-serve.

textual-serve starts one dashboard process per browser session by running a command line
through a shell. The command is built from ``sys.executable`` (so it is this cfdash, in this
environment, whatever ``PATH`` says) and shell-quoted (a config path may hold spaces). Every
session can queue jobs with the configured keys, so listening beyond loopback takes an
explicit ``--public``.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

from cfdash.config.schema import is_loopback_host
from cfdash.headless.common import EXIT_OK, HeadlessError

__all__ = ["check_host", "run_serve", "serve_command"]


def serve_command(
    *,
    config: str | None = None,
    demo: bool = False,
    read_only: bool = False,
    theme: str | None = None,
    python: str = sys.executable,
) -> str:
    """The shell command textual-serve runs for each session: ``python -m cfdash ...``."""
    argv = [python, "-m", "cfdash"]
    if config:
        # The sessions' working directory is not promised: pass an absolute path.
        argv += ["--config", str(Path(config).expanduser().absolute())]
    if demo:
        argv.append("--demo")
    if read_only:
        argv.append("--read-only")
    if theme:
        argv += ["--theme", theme]
    return shlex.join(argv)


def check_host(host: str, public: bool) -> None:
    """Refuse a non-loopback ``host`` unless ``--public`` says it is meant."""
    if not public and not is_loopback_host(host.strip("[]")):
        raise HeadlessError(
            f"refusing to serve the dashboard on {host}, which other machines can reach; "
            "add --public if that is intended"
        )


def run_serve(host: str, port: int, command: str, *, public: bool = False) -> int:
    """Serve ``command`` on ``host:port`` until Ctrl-C."""
    check_host(host, public)
    if not 0 < port <= 65535:
        raise HeadlessError(f"port {port} is not between 1 and 65535")
    from textual_serve.server import Server

    Server(command, host=host, port=port, title="cfdash").serve()
    return EXIT_OK
