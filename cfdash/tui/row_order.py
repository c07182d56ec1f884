"""The order of the job table's rows under one sort, kept up to date as rows change.

A poll can change every row; re-sorting them all each time would cost O(n log n) per poll
for nothing when, as usual, few rows moved. So each row's sort key is kept: a changed row
whose key is the same stays where it is (always so for the sorts by account or by id), a few
rows that moved are taken out and put back by bisection, and only many moved rows — or a new
sort — sort the whole list (nearly sorted already, which Python's sort does in about linear
time). Every key ends with the row's own key, so rows the sort ties keep one order however
they got there.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable

from cfdash.engine.tracking import JobKey, TrackedJob, Tracker
from cfdash.tui.rows import sort_key

__all__ = ["RowOrder"]

#: Sorts by what never changes for a row (its account and id): a changed row never moves.
FIXED_SORTS = frozenset({"account", "job"})
#: Sorts by what changes without the row being reported changed (every listed row's
#: last-seen time moves at each poll): the kept keys go stale, so any change sorts afresh.
VOLATILE_SORTS = frozenset({"age"})
#: Re-insert moved rows one by one up to one in this many rows; above it, sort them all.
_BISECT_SHARE = 16


class RowOrder:
    """The rows shown, in order, with each one's position and sort key."""

    def __init__(self, tracker: Tracker) -> None:
        self.tracker = tracker
        self.sort = "account"
        self.reverse = False
        self.order: list[JobKey] = []
        self.index: dict[JobKey, int] = {}
        #: Each row's sort key as of its last change, then its own key.
        self.keys: dict[JobKey, tuple] = {}
        self._key_fn: Callable[[TrackedJob], tuple] = sort_key(self.sort)

    def __len__(self) -> int:
        return len(self.order)

    def reset(self, keys: Iterable[JobKey], sort: str, reverse: bool) -> None:
        """Sort these rows from scratch (a new sort, or a new set of rows)."""
        self.sort, self.reverse, self._key_fn = sort, reverse, sort_key(sort)
        jobs, key_fn = self.tracker.jobs, self._key_fn
        self.keys = {key: (key_fn(jobs[key]), key) for key in keys}
        self._set(sorted(self.keys, key=self.keys.__getitem__, reverse=reverse))

    def enter(self, key: JobKey, job: TrackedJob) -> None:
        """A row about to be placed (see :meth:`place`): note its sort key."""
        self.keys[key] = (self._key_fn(job), key)

    def moved(self, key: JobKey, job: TrackedJob) -> bool:
        """A shown row changed: note its sort key; True if it has to move."""
        if self.sort in FIXED_SORTS:
            return False
        new = (self._key_fn(job), key)
        if new == self.keys[key]:
            return False
        self.keys[key] = new
        return True

    def place(self, entered: list[JobKey], moved: list[JobKey], left: list[JobKey]) -> bool:
        """Put entered and moved rows in their places and take out the rows that left.

        True if the order changed. Under a volatile sort every row's key is made afresh.
        """
        volatile = self.sort in VOLATILE_SORTS
        if not (entered or moved or left or volatile):
            return False
        order, index, keys = self.order, self.index, self.keys
        for key in left:
            keys.pop(key, None)
        if volatile or (len(entered) + len(moved)) * _BISECT_SHARE > len(order):
            gone = set(left)
            rest = [key for key in order if key not in gone] if gone else order
            if volatile:
                jobs, key_fn = self.tracker.jobs, self._key_fn
                for key in rest:
                    keys[key] = (key_fn(jobs[key]), key)
            new = sorted(rest + entered, key=keys.__getitem__, reverse=self.reverse)
            if new == order:
                return False
            self._set(new)
            return True
        before = {key: index[key] for key in moved}
        out = sorted((index.pop(key) for key in (*left, *moved)), reverse=True)
        for position in out:
            del order[position]
        first = out[-1] if out else len(order)
        for key in (*moved, *entered):
            position = self._insertion_point(keys[key])
            order.insert(position, key)
            first = min(first, position)
        for position in range(first, len(order)):  # the rows from there on were renumbered
            index[order[position]] = position
        # Moved rows back where they were put every other row back too: nothing to redraw.
        return bool(entered or left) or any(index[key] != was for key, was in before.items())

    def _set(self, order: list[JobKey]) -> None:
        self.order = order
        self.index = {key: position for position, key in enumerate(order)}

    def _insertion_point(self, key: tuple) -> int:
        order, keys = self.order, self.keys
        if not self.reverse:
            return bisect.bisect_right(order, key, key=keys.__getitem__)
        low, high = 0, len(order)
        while low < high:
            middle = (low + high) // 2
            if keys[order[middle]] < key:
                high = middle
            else:
                low = middle + 1
        return low
