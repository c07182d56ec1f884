"""The rollout world: a release in full swing, where rows move, finish, fail and appear.

The still-life world (:mod:`bench.world`) keeps most rows still and nothing finishing, so it
measures a dashboard at rest. A real rollout is the opposite, and it is the minutes cfdash
exists for. Here, with the simulator on the wall clock at speed 1:

- About ``running_pct`` % of the jobs are Running on a linear 100 s run, so each one's
  ``jobprogress`` (1 % per second) and ``jobupdated`` (the second it reached that value) move
  at *every* refresh of 1 s or more. Integer progress caps a run that moves every second at
  100 s, which is why runs are this short; starting them at random points of their run spreads
  their endings evenly over time.
- Of those runs, 10 % fail (at 50-95 %: the row stays, Failed, with an error), 5 % of the
  machine ones are squashed, and the rest complete; completed and squashed jobs leave the list.
  At 1,000 jobs that is about 4-5 jobs leaving and 0.5 failing per second.
- New jobs keep arriving (Queued, then running a second or two later) at the rate runs end, as
  a ``track_all`` account sees them when a rollout queues the next batch: :meth:`Rollout.arrive`
  adds every job due by the simulator's clock. The server calls it a few times a second; tests
  call it after moving a :class:`~cfdash.sim.FakeClock`.
- The rest are still: Queued behind the rollout, Pending, or Failed from earlier.

Built only from the simulator's public API (``Simulator.add_job`` with a chosen ``Fate``).
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field

from bench.world import FIRST_JOBID
from cfdash.sim import Clock, DemoAccount, Fate, JobState, Simulator, demo_accounts
from cfdash.sim.fate import LINEAR

__all__ = ["RUN_SECONDS", "Rollout", "build_rollout"]

#: Wall seconds of one run from 0 to 100 %: the longest run whose integer progress still
#: changes at every 1 s refresh.
RUN_SECONDS = 100.0
_WAITING = 10_000_000.0  # queue delay of a job waiting behind the rollout: it never starts
_FAIL_SHARE = 0.10
_SQUASH_SHARE = 0.05
_ERRORS = (
    "image locked by diffid: {n}",
    "download from mirror timed out after 300s",
    "checksum mismatch in image diff {n}",
)


@dataclass
class Rollout:
    """A simulator holding a rollout, and the arrivals still to come."""

    sim: Simulator
    members: list[DemoAccount]
    #: New jobs per second (0: none).
    rate: float
    rng: random.Random
    next_due: float
    arrived: int = 0
    _turn: int = field(default=0, repr=False)

    def arrive(self) -> int:
        """Add every new job due by the simulator's clock (Queued, running 1-3 s later)."""
        if self.rate <= 0:
            return 0
        now, added = self.sim.clock(), 0
        while self.next_due <= now:
            account = self.members[self._turn % len(self.members)]
            kind = "mirror" if self._turn % 5 == 0 else "machine"
            self._turn += 1
            fate = _run_fate(self.rng, kind, queue_delay=self.rng.uniform(1.0, 3.0))
            self.sim.add_job(
                account.asid,
                kind=kind,
                state=JobState.QUEUED,
                fate=fate,
                created=self.next_due,
                **_placement(self._turn),
            )
            self.next_due += 1.0 / self.rate
            added += 1
        self.arrived += added
        return added


def _run_fate(rng: random.Random, kind: str, queue_delay: float = 0.0) -> Fate:
    """A 100 s linear run that completes, fails at 50-95 %, or (machines) is squashed."""
    roll = rng.random()
    fail_at = squash_at = None
    if roll < _FAIL_SHARE:
        fail_at = rng.uniform(50.0, 95.0)
    elif roll < _FAIL_SHARE + _SQUASH_SHARE and kind == "machine":
        squash_at = rng.uniform(50.0, 95.0)
    error = rng.choice(_ERRORS).format(n=rng.randrange(200_000, 300_000))
    return Fate(
        duration=RUN_SECONDS,
        queue_delay=queue_delay,
        fail_at=fail_at,
        squash_at=squash_at,
        error=error,
        curve=LINEAR,
        estimate=RUN_SECONDS,
    )


def _placement(i: int) -> dict[str, object]:
    return {
        "target_imageversionid": 4243,
        "location": ("London", "Frankfurt", "Virginia")[i % 3],
        "imagepath": "/images/mygame-server/v4243",
    }


def build_rollout(
    jobs: int,
    accounts: int = 2,
    *,
    running_pct: float = 50.0,
    seed: int = 1,
    clock: Clock = time.time,
) -> Rollout:
    """A rollout of ``jobs`` jobs over ``accounts`` demo accounts, ids from :data:`FIRST_JOBID`.

    Job 0 (the top row under the default sort) runs from 1.5 % and completes about 98 s after
    the start, so a benchmark can wait for it on screen (cfdash then keeps it as Finished).
    """
    sim = Simulator(clock=clock, seed=seed, speed=1.0)
    members = demo_accounts(accounts)
    for account in members:
        sim.add_account(account.name, account.asid, account.access_key, account.secret_key)
    rng = random.Random(seed)
    now = sim.clock()
    running = 0
    for i in range(jobs):
        account = members[i % len(members)]
        kind = "mirror" if i % 5 == 0 else "machine"
        common = {
            "jobid": FIRST_JOBID + i,
            "kind": kind,
            "created": now - rng.uniform(60, 1800),
            **_placement(i),
        }
        roll = rng.random() * 100
        if i == 0:  # completes 98.5 s after the start: on screen (then Finished) all along
            fate = Fate(duration=RUN_SECONDS, queue_delay=0.0, curve=LINEAR, estimate=RUN_SECONDS)
            sim.add_job(account.asid, state=JobState.RUNNING, fate=fate, elapsed=1.5, **common)
            running += 1
        elif roll < running_pct:
            fate = _run_fate(rng, kind)
            # Anywhere in its run, so that endings are spread evenly from the start.
            elapsed = rng.uniform(0.0, fate.end_progress)
            sim.add_job(account.asid, state=JobState.RUNNING, fate=fate, elapsed=elapsed, **common)
            running += 1
        elif roll < running_pct + (100 - running_pct) * 0.4:
            fate = Fate(duration=RUN_SECONDS, queue_delay=_WAITING, curve=LINEAR)
            sim.add_job(account.asid, state=JobState.QUEUED, fate=fate, **common)
        elif roll < running_pct + (100 - running_pct) * 0.8:
            sim.add_job(account.asid, state=JobState.PENDING, **common)
        else:
            error = rng.choice(_ERRORS).format(n=rng.randrange(200_000, 300_000))
            sim.add_job(
                account.asid,
                state=JobState.FAILED,
                progress=rng.randrange(5, 95),
                error=error,
                **common,
            )
    # Replace the runs that end: about one run in RUN_SECONDS ends every second.
    rate = running / RUN_SECONDS
    return Rollout(sim, members, rate, random.Random(seed + 1), next_due=now + 1.0 / max(rate, 1))
