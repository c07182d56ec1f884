"""Finished rows of ``track_all`` accounts go away after ``finished_retention`` seconds.

On an ops monitor left running for days, a ``track_all`` account brings in every job it ever
lists; without this the table only grows. A job the user tracked by id (config or added) is
never dropped: they asked for it by name and untrack it themselves.

Cheap by construction: a job is noted when a merge reports it changed (so a poll costs
O(changed)), with the time it may go, in a heap; each poll pops only what is due (O(expired)).
Nothing walks every job. An entry is checked when it comes due — the job may have come back to
the list (queued again) or been untracked meanwhile — and dropped quietly if so.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterable, Mapping

from cfdash.engine.tracking import JobKey, Tracker

__all__ = ["DEFAULT_FINISHED_RETENTION", "Retention"]

#: One hour, as the config's default (``cfdash.config.schema``) says.
DEFAULT_FINISHED_RETENTION = 3600.0


class Retention:
    """Which finished ``track_all`` rows are due to drop out, by a heap of their deadlines."""

    def __init__(
        self,
        per_account: Mapping[str, float] | None = None,
        default: float = DEFAULT_FINISHED_RETENTION,
    ) -> None:
        self.per_account = dict(per_account or {})
        self.default = default
        #: (due, sequence, key, left_at): the sequence keeps ties in arrival order.
        self._heap: list[tuple[float, int, JobKey, float]] = []
        self._order = itertools.count()
        #: The ``left_at`` each key was noted with, so a key noted twice is queued once.
        self._noted: dict[JobKey, float] = {}

    def __len__(self) -> int:
        return len(self._noted)

    def seconds(self, account: str) -> float:
        return self.per_account.get(account, self.default)

    def note(self, tracker: Tracker, keys: Iterable[JobKey]) -> None:
        """Look at the rows a merge changed; queue the finished ``track_all`` ones."""
        jobs = tracker.jobs
        for key in keys:
            job = jobs.get(key)
            # A listed row is never finished: most changed rows are ruled out by that alone.
            if job is None or job.listed or job.source != "track_all" or job.phase != "finished":
                continue
            left = job.left_at
            if left is None or self._noted.get(key) == left:
                continue
            self._noted[key] = left
            due = left + self.seconds(job.account)
            heapq.heappush(self._heap, (due, next(self._order), key, left))

    def expire(self, tracker: Tracker, now: float) -> set[JobKey]:
        """Drop the rows whose time is up from ``tracker``; their keys."""
        gone: set[JobKey] = set()
        heap = self._heap
        while heap and heap[0][0] <= now:
            _, _, key, left = heapq.heappop(heap)
            if self._noted.get(key) != left:
                continue  # superseded by a later finish of the same job
            del self._noted[key]
            job = tracker.jobs.get(key)
            if job is None or job.phase != "finished" or job.left_at != left:
                continue  # untracked, or back in the list since
            tracker.forget(key)
            gone.add(key)
        return gone
