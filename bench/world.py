"""The benchmark's simulator worlds: the still life (here) and the rollout (``rollout_world``).

    python bench/world.py --port 0 --accounts 2 --jobs 1000 --moving 10
    python bench/world.py --port 0 --accounts 2 --jobs 1000 --rollout

prints ``READY http://127.0.0.1:PORT`` once listening and serves until SIGTERM/SIGINT.

It is cfdash's own simulator (``cfdash.sim.Simulator`` on the wall clock, speed 1) with jobs
placed so that the load is known: exactly ``moving`` % of the jobs (spread at random over the
table, seeded) run on a linear curve at 1.25 % progress per second, so each of them shows a new
progress value (and ETA) at every 1 s refresh for the first ~70 s after start; every other job
stays put (Running with an enormous duration, Pending, or Failed with an error), so its row
never changes, and nothing finishes. Jobs are dealt round-robin to the demo accounts
(production, staging, ...), with the demo keys, so ``cfdash.demo.demo_settings`` and
``demo_config_toml`` reach them. Ids run from :data:`FIRST_JOBID`.

``--rollout`` serves :func:`bench.rollout_world.build_rollout` instead (``--moving`` is then
ignored) and adds its arriving jobs as the clock reaches them.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import signal
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cfdash.sim import Fate, JobState, Simulator, demo_accounts, start_server
from cfdash.sim.fate import LINEAR

if TYPE_CHECKING:
    from bench.rollout_world import Rollout

__all__ = ["FIRST_ID", "FIRST_JOBID", "MOVING_SPAN", "build_world", "moving_ids"]

FIRST_JOBID = 5_551_001
#: The top row under the default sort (account, job id): a section waits for it on screen.
FIRST_ID = str(FIRST_JOBID)
#: Wall seconds a moving job takes from 0 to 100 %: 1.25 %/s, so the shown integer progress
#: changes at every 1 s refresh.
MOVING_SPAN = 80.0
_STILL = 10_000_000.0  # service seconds: a Running job that never visibly moves


def moving_ids(jobs: int, moving_pct: float, seed: int = 1) -> set[int]:
    """The job ids that move: ``moving_pct`` % of ``jobs``, spread over the id range."""
    count = round(jobs * moving_pct / 100)
    if moving_pct > 0:
        count = max(count, 1)
    picked = random.Random(seed).sample(range(jobs), min(count, jobs))
    return {FIRST_JOBID + i for i in picked}


def build_world(
    jobs: int, accounts: int = 2, moving_pct: float = 10.0, *, seed: int = 1, clock=time.time
) -> Simulator:
    """A simulator with ``jobs`` jobs on ``accounts`` demo accounts, ``moving_pct`` % moving."""
    sim = Simulator(clock=clock, seed=seed, speed=1.0)
    members = demo_accounts(accounts)
    for account in members:
        sim.add_account(account.name, account.asid, account.access_key, account.secret_key)
    moving = moving_ids(jobs, moving_pct, seed)
    rng = random.Random(seed + 1)
    now = sim.clock()
    for i in range(jobs):
        jobid = FIRST_JOBID + i
        account = members[i % len(members)]
        kind = "mirror" if i % 5 == 0 else "machine"
        common = {
            "jobid": jobid,
            "kind": kind,
            "created": now - rng.uniform(600, 7200),
            "target_imageversionid": 4243,
            "location": ("London", "Frankfurt", "Virginia")[i % 3],
            "imagepath": "/images/mygame-server/v4243",
        }
        if jobid in moving:
            fate = Fate(duration=MOVING_SPAN, queue_delay=0.0, curve=LINEAR, estimate=MOVING_SPAN)
            # Start between 1 % and 8 %: nothing finishes within a minute of starting.
            elapsed = rng.uniform(0.01, 0.08) * MOVING_SPAN
            sim.add_job(account.asid, state=JobState.RUNNING, fate=fate, elapsed=elapsed, **common)
            continue
        roll = rng.random()
        if roll < 0.5:
            fate = Fate(duration=_STILL, queue_delay=0.0, curve=LINEAR, estimate=_STILL)
            sim.add_job(account.asid, state=JobState.RUNNING, fate=fate, **common)
        elif roll < 0.8:
            sim.add_job(account.asid, state=JobState.PENDING, **common)
        else:
            sim.add_job(
                account.asid,
                state=JobState.FAILED,
                progress=rng.randrange(5, 95),
                error=f"image locked by diffid: {rng.randrange(200_000, 300_000)}",
                **common,
            )
    return sim


async def _arrivals(rollout: Rollout, stop: asyncio.Event) -> None:
    """Add the rollout's new jobs as they fall due (5 times a second: the clock is real)."""
    while not stop.is_set():
        rollout.arrive()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 0.2)


async def _serve(args: argparse.Namespace) -> None:
    from bench.rollout_world import build_rollout  # it imports this module: not at the top

    rollout = None
    if args.rollout:
        rollout = build_rollout(args.jobs, args.accounts, seed=args.seed)
        sim = rollout.sim
    else:
        sim = build_world(args.jobs, args.accounts, args.moving, seed=args.seed)
    server = await start_server(sim, "127.0.0.1", args.port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    try:
        print(f"READY {server.base_url}", flush=True)
        if rollout is not None:
            await _arrivals(rollout, stop)
        await stop.wait()
    finally:
        await server.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--accounts", type=int, default=2)
    parser.add_argument("--jobs", type=int, default=1000)
    parser.add_argument("--moving", type=float, default=10.0, help="percent of jobs moving")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rollout", action="store_true", help="serve the rollout world")
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
