"""Tracked jobs rolled up by release (the image version they install).

A release is everything with the same ``target_imageversionid``: the releases view shows one
row per release — counts by state, overall progress, the latest ETA, failures — and filters
the table to one. :func:`rollup` is one pass over the jobs, so it can run after every poll
even with thousands of them.

**Progress rule.** A release's progress is the plain mean over its jobs of:

* 100 for a job that is Complete or Finished (left the incomplete list, not failed);
* 0 for a job never listed (nothing is known about it);
* otherwise the job's last reported progress (0–100; absent counts as 0) — so a Failed or
  Squashed job counts where it stopped, which keeps a release with failures below 100%.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from cfdash.engine.tracking import TrackedJob

__all__ = ["Release", "in_flight", "job_progress", "rollup"]

_DONE = frozenset({"complete", "finished"})
_ACTIVE = ("queued", "running")


def job_progress(job: TrackedJob, phase: str | None = None) -> int:
    """A job's share of its release's progress, by the rule in the module docstring.

    ``phase`` saves working out the job's phase again when the caller has it.
    """
    phase = phase or job.phase
    if phase in _DONE:
        return 100
    if phase == "notlisted":
        return 0
    return job.progress or 0


@dataclass(frozen=True, slots=True)
class Release:
    """One release's roll-up. ``imageversionid`` None gathers jobs of no known release."""

    imageversionid: int | None
    #: Jobs per phase (only phases that occur), e.g. ``{"running": 3, "failed": 1}``.
    counts: dict[str, int] = field(hash=False)
    total: int
    #: Jobs by kind; a job whose mirroring flag is unknown is in neither count.
    mirrors: int
    machines: int
    #: Mean progress over all its jobs, 0.0–100.0 (see the module docstring).
    progress: float
    #: The latest ETA (Unix seconds) among its running jobs; None if none has one.
    latest_eta: int | None
    #: The sum of its jobs' failure counts (``jobfailed``).
    failures: int
    #: How many of its jobs are failed now.
    failed: int

    @property
    def label(self) -> str:
        return str(self.imageversionid) if self.imageversionid is not None else "no release"

    @property
    def active(self) -> int:
        """Jobs queued or running."""
        return sum(self.counts.get(phase, 0) for phase in _ACTIVE)

    @property
    def done(self) -> int:
        """Jobs complete or finished."""
        return sum(self.counts.get(phase, 0) for phase in _DONE)

    @property
    def in_flight(self) -> bool:
        return self.active > 0


@dataclass(slots=True)
class _Tally:
    counts: dict[str, int] = field(default_factory=dict)
    total: int = 0
    mirrors: int = 0
    machines: int = 0
    progress: int = 0
    latest_eta: int | None = None
    failures: int = 0


def rollup(jobs: Iterable[TrackedJob]) -> list[Release]:
    """The releases of ``jobs``, by image version ascending; jobs of no release come last."""
    tallies: dict[int | None, _Tally] = {}
    for job in jobs:
        release = job.release
        tally = tallies.get(release)
        if tally is None:
            tally = tallies[release] = _Tally()
        phase = job.phase
        tally.counts[phase] = tally.counts.get(phase, 0) + 1
        tally.total += 1
        kind = job.kind
        if kind == "mirror":
            tally.mirrors += 1
        elif kind == "machine":
            tally.machines += 1
        tally.progress += job_progress(job, phase)
        tally.failures += job.failures
        if phase == "running":
            eta = job.eta
            if eta is not None and (tally.latest_eta is None or eta > tally.latest_eta):
                tally.latest_eta = eta
    order = sorted(tallies, key=lambda version: (version is None, version or 0))
    return [
        Release(
            imageversionid=version,
            counts=tally.counts,
            total=tally.total,
            mirrors=tally.mirrors,
            machines=tally.machines,
            progress=tally.progress / tally.total,
            latest_eta=tally.latest_eta,
            failures=tally.failures,
            failed=tally.counts.get("failed", 0),
        )
        for version, tally in ((v, tallies[v]) for v in order)
    ]


def in_flight(releases: Iterable[Release]) -> list[Release]:
    """The releases with any job queued or running, in the order given."""
    return [release for release in releases if release.in_flight]
