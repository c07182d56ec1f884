"""The simulated Clanforge image-install service as a pure state machine (no HTTP here).

This is cfdash's executable model of the service: where the public docs are silent it follows
"What the simulator adopts" in ``clanforge-api.md``. State is never pushed forward by timers;
every read first calls :meth:`Simulator.advance`, which works out from the injected clock where
each job must be by now. With a :class:`~cfdash.sim.clock.FakeClock` a test controls time
completely, and the same seed with the same clock readings gives identical answers.

Timestamps in responses are clock (wall) time, so a client's ETA countdown matches what it
sees; only durations are compressed by ``speed`` (speed 60: a 10-minute install takes 10 s).
"""

from __future__ import annotations

import hmac
import itertools
import time
from typing import Any

from cfdash.sim.clock import Clock
from cfdash.sim.fate import Fate, JobKind, draw_fate, fate_rng
from cfdash.sim.faults import FaultSet
from cfdash.sim.pipeline_model import PipelineModel
from cfdash.sim.recorder import RequestRecorder
from cfdash.sim.records import (
    ALREADY_FINISHED,
    FINISHED,
    IDLE,
    INCOMPLETE,
    NO_ROWS,
    STATE_NAMES,
    JobState,
    SimAccount,
    SimJob,
    envelope,
)
from cfdash.sim.runs import advance_run

__all__ = [
    "INCOMPLETE",
    "STATE_NAMES",
    "JobState",
    "SimAccount",
    "SimJob",
    "Simulator",
    "envelope",
]


class Simulator:
    """Accounts, install jobs, faults and request counts, advanced lazily from ``clock``.

    Update, diff and version jobs and images live in :attr:`pipeline`
    (:class:`~cfdash.sim.pipeline_model.PipelineModel`), apart from the installs in :attr:`jobs`.
    """

    def __init__(self, *, clock: Clock = time.time, seed: int = 0, speed: float = 1.0) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.clock = clock
        self.seed = seed
        self.speed = speed
        self.accounts: dict[int, SimAccount] = {}
        self.jobs: dict[int, SimJob] = {}
        self.faults = FaultSet()
        self.requests = RequestRecorder()
        #: Update, diff and version jobs, and images: the rest of the pipeline.
        self.pipeline = PipelineModel(clock=clock, seed=seed, speed=speed, accounts=self.accounts)
        self._jobids = itertools.count(5_551_001)
        self._versionmirrorids = itertools.count(90_001)
        self._machinejobids = itertools.count(880_001)

    # -- setup ---------------------------------------------------------------------------

    def add_account(
        self,
        name: str,
        asid: int,
        access_key: str | None = None,
        secret_key: str | None = None,
        *,
        token: str | None = None,
    ) -> SimAccount:
        """Add an account whose keys and/or bearer token give access to ``asid`` (only)."""
        if asid in self.accounts:
            raise ValueError(f"account service {asid} already exists")
        if (access_key is None) != (secret_key is None):
            raise ValueError("an account has both keys or neither")
        if access_key is None and not token:
            raise ValueError("an account needs a key pair or a token")
        account = SimAccount(name, asid, access_key, secret_key, token)
        self.accounts[asid] = account
        return account

    def add_job(
        self,
        asid: int,
        *,
        jobid: int | None = None,
        kind: JobKind = "machine",
        state: JobState | int = JobState.PENDING,
        fate: Fate | None = None,
        elapsed: float = 0.0,
        progress: int = 0,
        failed: int = 0,
        error: str | None = None,
        created: float | None = None,
        target_imageversionid: int = 4242,
        location: str = "London",
        machine: str | None = None,
        imagepath: str | None = None,
        mirror: str | None = None,
        install_at: int | None = None,
    ) -> SimJob:
        """Add a job in any state; its run's fate is drawn from the seed unless given.

        ``elapsed`` (service seconds) places a Running job part-way through its run, so a demo
        can start with progress already made. A Failed job gets ``failed`` (at least 1),
        ``error`` (default: the fate's error) and the ``progress`` it stopped at.
        """
        if asid not in self.accounts:
            raise KeyError(f"no account service {asid}")
        if kind not in ("mirror", "machine"):
            raise ValueError("kind must be 'mirror' or 'machine'")
        if jobid is None:
            jobid = next(self._jobids)
            while jobid in self.jobs:
                jobid = next(self._jobids)
        elif jobid in self.jobs:
            raise ValueError(f"job {jobid} already exists")
        now = self.clock()
        state = JobState(state)
        fate = fate or draw_fate(fate_rng(self.seed, jobid, 0), kind)
        job = SimJob(
            jobid=jobid,
            asid=asid,
            kind=kind,
            fate=fate,
            state=state,
            created=int(now if created is None else created),
            updated=int(now),
            target_imageversionid=target_imageversionid,
            location=location,
            machine=machine if machine is not None or kind == "mirror" else f"gs-{jobid % 10000}",
            imagepath=imagepath or f"/images/game-server/v{target_imageversionid}",
            mirror=mirror if mirror is not None else "eu-west-mirror-1",
            install_at=install_at,
            failed=failed,
            error=error,
        )
        if kind == "mirror":
            job.versionmirrorid = next(self._versionmirrorids)
        if state == JobState.QUEUED:
            job.queued_at = now
        elif state == JobState.RUNNING:
            job.run_start = now - elapsed / self.speed
            job.queued_at = job.run_start
            job.jobstart = str(int(job.run_start))
        elif state == JobState.FAILED:
            job.failed = max(failed, 1)
            job.error = error or fate.error
            job.progress = max(0, min(progress, 99))
        elif state == JobState.COMPLETE:
            job.progress = 100
        if state in (JobState.QUEUED, JobState.RUNNING) and kind == "machine":
            job.machinejobid = next(self._machinejobids)
        self.jobs[jobid] = job
        self._advance_job(job, now)
        return job

    # -- the API -------------------------------------------------------------------------

    def advance(self) -> float:
        """Bring every job up to the clock's current time and return that time."""
        now = self.clock()
        for job in self.jobs.values():
            self._advance_job(job, now)
        return now

    def job(self, jobid: int) -> SimJob:
        """The job ``jobid``, advanced to now (``KeyError`` if unknown)."""
        job = self.jobs[jobid]
        self._advance_job(job, self.clock())
        return job

    def account_for_keys(self, access_key: str, secret_key: str) -> SimAccount | None:
        """The account these keys belong to, if any.

        Every account is compared in constant time: the habit matters more than the simulator.
        """
        found = None
        for account in self.accounts.values():
            if account.access_key is None or account.secret_key is None:
                continue
            same_access = hmac.compare_digest(account.access_key.encode(), access_key.encode())
            same_secret = hmac.compare_digest(account.secret_key.encode(), secret_key.encode())
            if same_access and same_secret:
                found = account
        return found

    def account_for_token(self, token: str) -> SimAccount | None:
        """The account this bearer token belongs to, if any (compared in constant time)."""
        found = None
        for account in self.accounts.values():
            if account.token and hmac.compare_digest(account.token.encode(), token.encode()):
                found = account
        return found

    def status(
        self, asid: int, *, include_complete: bool = False, include_failed: bool = True
    ) -> list[dict[str, Any]]:
        """The raw status items of ``asid``'s incomplete jobs (states 1, 2, 3, 4 and 6).

        The keyword switches serve the quirk faults that model other plausible services:
        completed jobs that linger, failed jobs that vanish.
        """
        self.advance()
        shown = set(INCOMPLETE)
        if include_complete:
            shown.add(JobState.COMPLETE)
        if not include_failed:
            shown.discard(JobState.FAILED)
        return [
            job.status_item()
            for job in self.jobs.values()
            if job.asid == asid and job.state in shown
        ]

    def queue(self, asid: int, jobid: int, mirroring: bool) -> dict[str, Any]:
        """Queue ``jobid``; returns the raw response body (the job, or an error envelope)."""
        now = self.advance()
        job = self.jobs.get(jobid)
        if job is None or job.asid != asid or job.mirroring != mirroring:
            return envelope(NO_ROWS)
        if job.state in FINISHED:
            return envelope(ALREADY_FINISHED)
        squashed = 0
        if job.state in IDLE:
            squashed = self._start_run(job, now)
        body: dict[str, Any] = {**job.job_fields(), "success": True}
        if job.mirroring:
            body["versionmirrorid"] = job.versionmirrorid
        else:
            body["machinejobid"] = job.machinejobid
            body["installs_squashed"] = squashed
        return body

    def to_json(self) -> dict[str, Any]:
        """A dump for ``GET /_sim/state``: settings, accounts (no keys), jobs, faults."""
        now = self.advance()
        return {
            "now": now,
            "seed": self.seed,
            "speed": self.speed,
            "accounts": [{"name": a.name, "asid": a.asid} for a in self.accounts.values()],
            "jobs": [
                {
                    **job.status_item(),
                    "asid": job.asid,
                    "kind": job.kind,
                    "attempt": job.attempt,
                    "versionmirrorid": job.versionmirrorid,
                    "machinejobid": job.machinejobid,
                    "fate": {
                        "ending": job.fate.ending,
                        "end_progress": job.fate.end_progress,
                        "duration": job.fate.duration,
                        "queue_delay": job.fate.queue_delay,
                    },
                }
                for job in self.jobs.values()
            ],
            **self.pipeline.to_json(),
            "faults": [f.to_json() for f in self.faults.active],
        }

    # -- the state machine ---------------------------------------------------------------

    def _start_run(self, job: SimJob, now: float) -> int:
        """Queue an idle job (a first run or a retry); returns how many installs it squashed."""
        if job.state == JobState.FAILED:
            job.attempt += 1
            job.fate = draw_fate(fate_rng(self.seed, job.jobid, job.attempt), job.kind, job.attempt)
        job.state = JobState.QUEUED
        job.error = None
        job.progress = 0
        job.eta = None
        job.jobstart = None
        job.queued_at = now
        job.run_start = None
        job.updated = int(now)
        if not job.mirroring:
            job.machinejobid = next(self._machinejobids)
        return self._squash_older_installs(job, now)

    def _squash_older_installs(self, job: SimJob, now: float) -> int:
        """A machine install supersedes the not-yet-running installs on the same machine."""
        if job.mirroring or job.machine is None:
            return 0
        squashed = 0
        for other in self.jobs.values():
            if (
                other is not job
                and other.asid == job.asid
                and not other.mirroring
                and other.machine == job.machine
                and other.state in (*IDLE, JobState.QUEUED)
            ):
                other.state = JobState.SQUASHED
                other.eta = None
                other.updated = int(now)
                squashed += 1
        return squashed

    def _advance_job(self, job: SimJob, now: float) -> None:
        """Move ``job`` to where its fate puts it at ``now``."""
        ends = advance_run(job, now, self.speed)
        if ends is not None:
            self._finish_run(job, ends)

    def _finish_run(self, job: SimJob, at: float) -> None:
        fate = job.fate
        job.updated = int(at)
        if fate.ending == "complete":
            job.state = JobState.COMPLETE
            job.progress = 100
            job.eta = int(at)
        elif fate.ending == "fail":
            job.state = JobState.FAILED
            job.progress = min(int(fate.end_progress), 99)
            job.failed += 1
            job.error = fate.error
            job.eta = None
        else:
            job.state = JobState.SQUASHED
            job.progress = min(int(fate.end_progress), 99)
            job.eta = None
