"""Stall detection: running jobs that have stopped moving, or have long outrun their ETA.

A running job is **stalled** when either

* its progress has not changed for ``stall_after`` seconds of cfdash watching it (from when
  cfdash first saw it running, or last saw its progress change), or
* its ETA passed more than ``eta_grace`` seconds ago and its progress has not changed since
  that deadline. A job still inching forward past its ETA is late, not stuck: the ETA column
  already says "overdue"; it is flagged only by the first rule if it then stops.

A job stops being stalled as soon as its progress changes or it leaves Running. The times are
cfdash's own (the time of the poll that showed the change), not the service's ``jobupdated``,
so a skewed service clock cannot make every job look stuck; only the ETA, which the service
sends as a wall-clock time, is compared with the local clock.

Only what cfdash can see counts. While a job's account cannot be read the job is
*unconfirmed*: its clock stops and it is never stalled (an outage would otherwise flag every
running job). After the first good read its clock starts afresh on the local clock, and a
deadline that passed unseen during the gap gets its ``eta_grace`` again from that read.

**Cost.** A poll changes a few rows of thousands, and the tick changes none, so the detector
does not walk the jobs. It looks again only at the rows it is told changed, and keeps a queue
(a heap) of *due* times: when each watched job would become stalled if nothing about it
changed. A check pops the due times that have passed and looks at those jobs again. Entries
are invalidated lazily: a job that moves only gets a later due time, so its entry stays and,
when it comes up early, is queued again for the new time; an entry for a job no longer
watched is skipped. Each watched job has about one entry, and a check costs
O(changed + expired), not O(all jobs). The caller must therefore pass every row it changed:
the monitor passes each merge's :class:`~cfdash.engine.tracking.Changes`.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cfdash.engine.events import Transition
from cfdash.engine.tracking import JobKey, TrackedJob, Tracker
from cfdash.timefmt import duration

if TYPE_CHECKING:
    from cfdash.config.schema import Settings

__all__ = ["DEFAULT_ETA_GRACE", "DEFAULT_STALL_AFTER", "StallDetector", "span_text"]

DEFAULT_STALL_AFTER = 600.0
DEFAULT_ETA_GRACE = 120.0

#: Due times are queued this much early: ``since + after`` and ``now - since >= after`` can
#: round apart in the last bit, and an entry that comes up early is simply queued again.
_EARLY = 1e-6


@dataclass(slots=True)
class _Watch:
    progress: int | None
    #: When cfdash first saw it running, or last saw its progress change.
    since: float
    #: When cfdash last saw its progress change; None until it has (first sight is no move).
    moved: float | None
    #: Its account could not be read at the last look: the clock is stopped.
    paused: bool = False
    #: When watching resumed after such a gap; the ETA rule's grace runs from here too.
    resumed: float | None = None
    #: The time of its live entry in the queue (at or before its due time); None while it has
    #: none. An entry for another time is stale and skipped.
    queued: float | None = None


def span_text(seconds: float) -> str:
    """A duration for people, as everywhere in cfdash (``45s``, ``12m00s``, ``1h05m``)."""
    return duration(seconds)


class StallDetector:
    """Flags stalled running jobs; reports each new stall once through :attr:`newly_stalled`.

    Call :meth:`update` after every merge with the keys it changed, and on the UI's clock
    tick with none (a deadline can pass between polls). :meth:`check` without keys looks at
    every job, for callers that do not know what changed. ``per_account`` overrides
    ``stall_after`` for the accounts it names.
    """

    def __init__(
        self,
        stall_after: float = DEFAULT_STALL_AFTER,
        eta_grace: float = DEFAULT_ETA_GRACE,
        *,
        per_account: Mapping[str, float] | None = None,
    ) -> None:
        if stall_after <= 0:
            raise ValueError("stall_after must be positive")
        if eta_grace < 0:
            raise ValueError("eta_grace must not be negative")
        self.stall_after = stall_after
        self.eta_grace = eta_grace
        self.per_account = dict(per_account or {})
        #: Keys that became stalled in the most recent check (read it after each one).
        self.newly_stalled: set[JobKey] = set()
        self._stalled: set[JobKey] = set()
        self._frozen: frozenset[JobKey] | None = frozenset()
        self._watch: dict[JobKey, _Watch] = {}
        #: (due time, tie-breaker, key): the deadline queue.
        self._queue: list[tuple[float, int, JobKey]] = []
        self._count = itertools.count()
        #: Keys whose flag the current check turned on or off.
        self._flipped: set[JobKey] = set()

    @classmethod
    def from_settings(
        cls, settings: Settings, eta_grace: float = DEFAULT_ETA_GRACE
    ) -> StallDetector:
        """A detector using the config's ``stall_after``, per account where it is set."""
        return cls(
            settings.stall_after,
            eta_grace,
            per_account={name: acc.stall_after for name, acc in settings.accounts.items()},
        )

    @property
    def stalled(self) -> frozenset[JobKey]:
        """The keys stalled as of the last check."""
        if self._frozen is None:
            self._frozen = frozenset(self._stalled)
        return self._frozen

    def is_stalled(self, key: JobKey) -> bool:
        return key in self._stalled

    def threshold(self, account: str) -> float:
        """Seconds without progress before a job of ``account`` counts as stalled."""
        return self.per_account.get(account, self.stall_after)

    def __len__(self) -> int:
        """How many jobs are watched (running, seen by cfdash)."""
        return len(self._watch)

    @property
    def queued(self) -> int:
        """How many entries the deadline queue holds, stale ones included (about one per
        watched job: moving jobs do not add entries)."""
        return len(self._queue)

    # -- looking ----------------------------------------------------------------------------

    def update(
        self, tracker: Tracker, now: float, keys: Iterable[JobKey] | None = None
    ) -> set[JobKey]:
        """Look again at ``keys`` (None: every job), then at the jobs whose due time passed.

        Returns the keys whose stalled flag turned on or off; the new stalls also land in
        :attr:`newly_stalled`.
        """
        flipped = self._flipped = set()
        jobs = tracker.jobs
        if keys is None:
            keys = list(jobs)
            keys += [key for key in self._watch if key not in jobs]
        look, judge, watches = self._look, self._judge, self._watch
        for key in keys:
            job = jobs.get(key)
            watch = watches.get(key)
            # What _look does for most changed rows, inline: a watched running job, read
            # fine, whose progress moved (or not).
            if watch is not None and job is not None and not watch.paused:
                view = job.view
                if view[0] == "running" and job.unconfirmed_since is None:
                    progress = view[2]
                    if watch.progress != progress:
                        watch.progress, watch.since, watch.moved = progress, now, now
                    judge(key, job, watch, now)
                    continue
            look(key, job, now)
        self._expire(jobs, now)
        self.newly_stalled = flipped & self._stalled
        return flipped

    def check(
        self, tracker: Tracker, now: float, keys: Iterable[JobKey] | None = None
    ) -> set[JobKey]:
        """:meth:`update`, then the stalled keys (new ones also in :attr:`newly_stalled`)."""
        self.update(tracker, now, keys)
        return set(self._stalled)

    def observe(self, tracker: Tracker, now: float) -> None:
        """Look at every job again (what :meth:`check` without keys starts with)."""
        self.update(tracker, now)

    def _look(self, key: JobKey, job: TrackedJob | None, now: float) -> None:
        """Note whether ``job`` moved, then judge it; forget it if it is no longer running.

        An unconfirmed job's watch is paused; the first look after its account reads again
        starts the watch afresh.
        """
        watch = self._watch.get(key)
        if job is None or (view := job.view)[0] != "running":
            if watch is not None:
                del self._watch[key]
            if self._stalled:
                self._flag(key, False)
            return
        if job.unconfirmed_since is not None:
            if watch is not None:
                watch.paused = True
            self._flag(key, False)
            return
        progress = view[2]
        if watch is None:
            watch = self._watch[key] = _Watch(progress, now, None)
        elif watch.paused:
            watch = self._watch[key] = _Watch(progress, now, None, resumed=now)
        elif watch.progress != progress:
            watch.progress, watch.since, watch.moved = progress, now, now
        self._judge(key, job, watch, now)

    def _expire(self, jobs: Mapping[JobKey, TrackedJob], now: float) -> None:
        """Look again at the jobs whose queued time has come; skip stale entries."""
        queue = self._queue
        came: list[JobKey] = []
        while queue and queue[0][0] <= now:
            due, _, key = heapq.heappop(queue)
            watch = self._watch.get(key)
            if watch is None or watch.queued != due:
                continue
            watch.queued = None
            if not watch.paused:
                came.append(key)
        for key in came:
            self._look(key, jobs.get(key), now)  # a look, in case a change went untold
        if len(queue) > 2 * len(self._watch) + 64:  # stale entries piled up: drop them
            self._queue = [
                (watch.queued, next(self._count), key)
                for key, watch in self._watch.items()
                if watch.queued is not None
            ]
            heapq.heapify(self._queue)

    def _judge(self, key: JobKey, job: TrackedJob, watch: _Watch, now: float) -> None:
        """Flag it if stalled now; otherwise make sure it is queued by its due time."""
        due = self._due(job, watch)
        if now >= due and self._why(job, watch, now) is not None:
            self._flag(key, True)
            return
        if self._stalled and key in self._stalled:
            self._flag(key, False)
        if watch.queued is None or due < watch.queued:  # a later due time: requeued on pop
            watch.queued = due
            heapq.heappush(self._queue, (due, next(self._count), key))

    def _flag(self, key: JobKey, stalled: bool) -> None:
        if stalled == (key in self._stalled):
            return
        if stalled:
            self._stalled.add(key)
        else:
            self._stalled.discard(key)
        self._frozen = None
        self._flipped ^= {key}  # flipped twice in one check is no change

    # -- the rules --------------------------------------------------------------------------

    def reason(self, job: TrackedJob, now: float) -> str | None:
        """Why ``job`` counts as stalled at ``now`` (``no progress for 12m00s``), else None."""
        watch = self._watch.get(job.key)
        if watch is None or watch.paused or job.unconfirmed or job.phase != "running":
            return None
        return self._why(job, watch, now)

    def stall_events(self, tracker: Tracker, now: float) -> list[Transition]:
        """The :attr:`newly_stalled` jobs as stall transitions, for notifying and the log."""
        events = []
        for key in sorted(self.newly_stalled):
            job = tracker.jobs.get(key)
            watch = self._watch.get(key)
            if job is None or watch is None:
                continue
            events.append(
                Transition(
                    at=now,
                    account=job.account,
                    jobid=job.jobid,
                    stage=job.stage,
                    from_word=job.word,
                    to_word=job.word,
                    from_phase=job.phase,
                    to_phase=job.phase,
                    progress=job.progress,
                    error=job.error,
                    stall=self._why(job, watch, now),
                )
            )
        return events

    def _eta_deadline(self, job: TrackedJob, watch: _Watch) -> float | None:
        """After this time the ETA rule flags the job, unless it moved after it; None: no ETA."""
        eta = job.eta
        if eta is None:
            return None
        deadline = eta + self.eta_grace
        if watch.resumed is not None:
            deadline = max(deadline, watch.resumed + self.eta_grace)
        return deadline

    def _why(self, job: TrackedJob, watch: _Watch, now: float) -> str | None:
        still = now - watch.since
        if still >= self.threshold(job.account):
            return f"no progress for {span_text(still)}"
        deadline = self._eta_deadline(job, watch)
        late = deadline is not None and now > deadline
        if late and (watch.moved is None or watch.moved <= deadline):  # type: ignore[operator]
            return f"ETA passed {span_text(now - job.eta)} ago"  # type: ignore[operator]
        return None

    def _due(self, job: TrackedJob, watch: _Watch) -> float:
        """The earliest time :meth:`_why` can say stalled if nothing about the job changes.

        (The rules of :meth:`_why` and :meth:`_eta_deadline` again, inline: this runs for
        every changed row at every poll.)
        """
        due = watch.since + self.per_account.get(job.account, self.stall_after)
        eta = job.item.jobeta  # type: ignore[union-attr]  # ``job.eta``: it is running, so listed
        if eta is not None:
            deadline = eta + self.eta_grace
            resumed = watch.resumed
            if resumed is not None and resumed + self.eta_grace > deadline:
                deadline = resumed + self.eta_grace
            moved = watch.moved
            if deadline < due and (moved is None or moved <= deadline):
                due = deadline  # flagged strictly after it: an early look requeues
        return due - _EARLY
