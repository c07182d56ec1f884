"""Tracked jobs rolled up by release (the image version they install).

A release is everything with the same ``target_imageversionid``: the releases view shows one
row per release — counts by state, overall progress, the latest ETA, failures — and filters
the table to one. :func:`rollup` is one pass over the jobs. A :class:`Census` keeps the same
roll-up (and the counts per phase the header shows) up to date from the keys that changed:
each job's share is taken out and put back, so a poll costs what it changed, not what is
tracked.

**Progress rule.** A release's progress is the plain mean over its jobs of:

* 100 for a job that is Complete or Finished (left the incomplete list, not failed);
* 0 for a job never listed (nothing is known about it);
* otherwise the job's last reported progress (0–100; absent counts as 0) — so a Failed or
  Squashed job counts where it stopped, which keeps a release with failures below 100%.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field

from cfdash.engine.tracking import JobKey, TrackedJob

__all__ = ["Census", "Release", "in_flight", "job_progress", "rollup"]

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


#: Where a job counts: (account, release, phase, unconfirmed). Made for every changed job at
#: every poll.
_Place = tuple[str, int | None, str, bool]
#: What a job adds to its release's sums: (release, kind, progress share, failures, ETA if
#: running). Made only when the releases are read (see :class:`Census`).
_Sums = tuple[int | None, str, int, int, int | None]


@dataclass(slots=True)
class _Tally:
    counts: dict[str, int] = field(default_factory=dict)
    total: int = 0
    mirrors: int = 0
    machines: int = 0
    progress: int = 0
    failures: int = 0
    #: The running jobs' ETAs, with how many jobs have each.
    etas: dict[int, int] = field(default_factory=dict)
    #: The largest of ``etas``; ``_STALE`` once the largest has gone and not been looked for.
    latest: int | object | None = None

    def count(self, phase: str, sign: int) -> None:
        """Count a job of ``phase`` in (``sign`` 1) or out (-1)."""
        left = self.counts.get(phase, 0) + sign
        if left:
            self.counts[phase] = left
        else:
            del self.counts[phase]
        self.total += sign

    def add(self, sums: _Sums, sign: int) -> None:
        """Add a job's sums in (``sign`` 1) or take them out (-1)."""
        _, kind, progress, failures, eta = sums
        if kind == "mirror":
            self.mirrors += sign
        elif kind == "machine":
            self.machines += sign
        self.progress += sign * progress
        self.failures += sign * failures
        if eta is None:
            return
        etas, latest = self.etas, self.latest
        left = etas.get(eta, 0) + sign
        if left:
            etas[eta] = left
        else:
            del etas[eta]
        if sign > 0 and latest is not _STALE and (latest is None or eta > latest):  # type: ignore[operator]
            self.latest = eta
        elif not left and eta == latest:
            self.latest = _STALE

    def clear_sums(self) -> None:
        """Forget every job's sums (they are about to be added up afresh); counts stay."""
        self.mirrors = self.machines = self.progress = self.failures = 0
        self.etas.clear()
        self.latest = None

    @property
    def active(self) -> bool:
        return any(self.counts.get(phase) for phase in _ACTIVE)

    def release(self, version: int | None) -> Release:
        if self.latest is _STALE:
            self.latest = max(self.etas) if self.etas else None
        return Release(
            imageversionid=version,
            counts=dict(self.counts),
            total=self.total,
            mirrors=self.mirrors,
            machines=self.machines,
            progress=self.progress / self.total,
            latest_eta=self.latest,  # type: ignore[arg-type]
            failures=self.failures,
            failed=self.counts.get("failed", 0),
        )


_STALE = object()


def _by_version(version: int | None) -> tuple[bool, int]:
    return (version is None, version or 0)


class Census:
    """The jobs per phase (overall and per account) and the releases, kept up to date.

    :meth:`update` takes the keys a poll (or an action) changed: each job's place (account,
    release, phase) is counted out and in again, O(changed). The sums only the releases view
    shows (progress, ETA, kinds, failures) wait until :meth:`releases` is called, which brings
    just the rows changed since the last call up to date: while the view is hidden they cost
    nothing. A key given twice, or one that did not change, changes nothing.
    """

    def __init__(self, jobs: Mapping[JobKey, TrackedJob] | None = None) -> None:
        #: Jobs per phase, over every job (the API's phases: ``complete`` and ``finished``
        #: are apart here).
        self.phases: Counter[str] = Counter()
        #: Jobs per phase, per account.
        self.accounts: dict[str, Counter[str]] = {}
        #: Of :attr:`phases`, the jobs whose account cannot be read right now (their phase is
        #: as last seen: the header counts them apart).
        self.unconfirmed: Counter[str] = Counter()
        self._tallies: dict[int | None, _Tally] = {}
        self._places: dict[JobKey, _Place] = {}
        self._sums: dict[JobKey, _Sums] = {}
        #: Rows changed since :meth:`releases` last summed them.
        self._unsummed: set[JobKey] = set()
        self._jobs: Mapping[JobKey, TrackedJob] = {}
        if jobs:
            self.update(jobs, jobs.keys())

    def __len__(self) -> int:
        """How many jobs are counted."""
        return len(self._places)

    def reset(self, jobs: Mapping[JobKey, TrackedJob]) -> None:
        """Count every job afresh."""
        self.phases.clear()
        self.accounts.clear()
        self.unconfirmed.clear()
        self._tallies.clear()
        self._places.clear()
        self._sums.clear()
        self.update(jobs, jobs.keys())

    def update(
        self,
        jobs: Mapping[JobKey, TrackedJob],
        keys: Collection[JobKey],
        placed: Collection[JobKey] | None = None,
    ) -> None:
        """Recount ``keys`` as they are in ``jobs`` now (absent: no longer counted).

        ``placed``, when given, is the part of ``keys`` whose place (phase, release,
        unconfirmed flag, or being tracked at all) may have changed — a poll's
        :attr:`~cfdash.engine.tracking.Changes.turned` and removed keys: only those are
        counted out and in again, and the rest only wait for their sums (progress, ETA). In a
        rollout most changed rows just moved their progress.

        If the count then disagrees with ``jobs`` on how many there are, some change was never
        passed in: everything is counted afresh, so the counts cannot drift.
        """
        self._jobs = jobs
        places = self._places
        for key in keys if placed is None else placed:
            job = jobs.get(key)
            old = places.get(key)
            if job is None:
                new = None
            else:
                item = job.item  # ``job.release``, inline: this runs for every changed row
                new = (
                    job.account,
                    item.target_imageversionid if item is not None else None,
                    job.phase,
                    job.unconfirmed_since is not None,
                )
            if new != old:
                if old is not None:
                    self._place(old, -1)
                if new is None:
                    del places[key]
                else:
                    places[key] = new
                    self._place(new, 1)
        self._unsummed.update(keys)
        if len(places) != len(jobs):
            self.reset(jobs)

    def _tally(self, version: int | None) -> _Tally:
        tally = self._tallies.get(version)
        if tally is None:
            tally = self._tallies[version] = _Tally()
        return tally

    def _place(self, place: _Place, sign: int) -> None:
        account, version, phase, unconfirmed = place
        self._tally(version).count(phase, sign)
        per_account = self.accounts.get(account)
        if per_account is None:
            per_account = self.accounts[account] = Counter()
        counters = [self.phases, per_account]
        if unconfirmed:
            counters.append(self.unconfirmed)
        for counter in counters:
            left = counter[phase] + sign
            if left:
                counter[phase] = left
            else:
                del counter[phase]

    def versions_in_flight(self) -> list[int | None]:
        """The releases with a job queued or running, as :meth:`releases` orders them."""
        flying = [version for version, tally in self._tallies.items() if tally.active]
        return sorted(flying, key=_by_version)

    def releases(self) -> list[Release]:
        """The releases, by image version ascending; jobs of no release come last."""
        jobs, sums = self._jobs, self._sums
        if len(self._unsummed) * 2 > len(self._places):  # most rows changed: sum afresh
            sums.clear()
            for tally in self._tallies.values():
                tally.clear_sums()
            self._unsummed = set(self._places)
        for key in self._unsummed:
            old = sums.pop(key, None) if sums else None
            if old is not None:
                self._tally(old[0]).add(old, -1)
            job = jobs.get(key)
            place = self._places.get(key)
            if job is not None and place is not None:
                phase = place[2]
                new = sums[key] = (
                    place[1],
                    job.kind,
                    job_progress(job, phase),
                    job.failures,
                    job.eta if phase == "running" else None,
                )
                self._tally(new[0]).add(new, 1)
        self._unsummed.clear()
        for version in [version for version, tally in self._tallies.items() if not tally.total]:
            del self._tallies[version]  # every job of it gone, and its sums taken out
        order = sorted(self._tallies, key=_by_version)
        return [self._tallies[version].release(version) for version in order]


def rollup(jobs: Iterable[TrackedJob]) -> list[Release]:
    """The releases of ``jobs``, by image version ascending; jobs of no release come last."""
    return Census({job.key: job for job in jobs}).releases()


def in_flight(releases: Iterable[Release]) -> list[Release]:
    """The releases with any job queued or running, in the order given."""
    return [release for release in releases if release.in_flight]
