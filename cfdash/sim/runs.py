"""One run of a simulated job, moved lazily to a given time: shared by every kind of job.

An install, an image update, a diff and a version all run the same way once started: they wait
out their fate's queue delay, then progress along its curve until they reach its end. Only what
happens at the end differs, so this module moves a run and says when it ended; the caller
finishes it (complete, fail or squash, and whatever else that sets off).
"""

from __future__ import annotations

from typing import Protocol

from cfdash.sim.fate import Fate, progress_at, time_to_reach
from cfdash.sim.records import JobState

__all__ = ["WAITING", "Run", "advance_run"]

#: States a started job waits in until its queue delay is over (installs only use Queued).
WAITING = frozenset({JobState.CREATED, JobState.PENDING, JobState.QUEUED})


class Run(Protocol):
    """The fields of a job that a run reads and moves."""

    fate: Fate
    state: JobState
    progress: int
    eta: int | None
    jobstart: str | None
    updated: int
    queued_at: float | None
    run_start: float | None


def advance_run(job: Run, now: float, speed: float) -> float | None:
    """Move ``job``'s run to where its fate puts it at ``now``; the end time once it ended.

    A waiting job (``queued_at`` set) starts Running after the fate's queue delay. A Running
    job's progress follows the curve, with ``jobupdated`` at the moment the shown value was
    reached and the ETA re-estimated from the rate seen so far, as the service does. When the
    run has reached its end, nothing is changed here and the end time is returned.
    """
    if job.state in WAITING and job.queued_at is not None:
        starts = job.queued_at + job.fate.queue_delay / speed
        if now < starts:
            return None
        job.state = JobState.RUNNING
        job.run_start = starts
        job.jobstart = str(int(starts))
        job.updated = int(starts)
    if job.state != JobState.RUNNING or job.run_start is None:
        return None
    fate = job.fate
    span = fate.duration / speed
    ends = job.run_start + time_to_reach(fate.curve, fate.end_progress) * span
    if now >= ends:
        return ends
    progress = progress_at(fate.curve, (now - job.run_start) / span)
    shown = min(int(progress), 99)
    if shown == job.progress and job.eta is not None:
        return None
    job.progress = shown
    # The service last updated the job when its progress reached the shown value, and
    # re-estimates the ETA from the rate seen so far at that moment.
    reached = job.run_start + time_to_reach(fate.curve, shown) * span
    job.updated = int(reached)
    if shown < 5 or reached <= job.run_start:
        estimate = fate.estimate if fate.estimate is not None else fate.duration
        job.eta = int(job.run_start + estimate / speed)
    else:
        job.eta = int(reached + (reached - job.run_start) * (100 - shown) / shown)
    return None
