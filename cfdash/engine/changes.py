"""What one merge (or one pipeline read, or a failed read) changed: the keys of the rows to
add, patch and forget, and which of them may have turned.

Its own module so the tracker stays readable; :mod:`cfdash.engine.tracking` re-exports it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cfdash.engine.tracked import JobKey

__all__ = ["Changes"]


@dataclass
class Changes:
    """What one merge changed: row keys to add, patch, and forget.

    ``settled`` names the jobs (also in ``changed``) whose unknown queue outcome this merge
    settled, for the audit trail.

    ``turned`` names the keys of ``added`` and ``changed`` whose standing may have changed:
    their phase, state word, release (``target_imageversionid``) or unconfirmed flag. A
    changed key not in it moved only its progress, times or other figures (every running job
    of a rollout, every second). Consumers that care only about standing (the event watcher,
    retention, the census's counts) walk it instead of ``changed``. None means "not known":
    treat every added and changed key as turned (:meth:`turned_keys`). The tracker always
    fills it.
    """

    added: set[JobKey] = field(default_factory=set)
    changed: set[JobKey] = field(default_factory=set)
    removed: set[JobKey] = field(default_factory=set)
    settled: set[JobKey] = field(default_factory=set)
    turned: set[JobKey] | None = None

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.removed)

    def turned_keys(self) -> set[JobKey]:
        """The added and changed keys whose phase or word may have changed (all of them when
        ``turned`` is not known)."""
        if self.turned is None:
            return self.added | self.changed
        return self.added | self.turned if self.added else set(self.turned)

    def update(self, other: Changes) -> None:
        """Fold ``other`` in: a poll's install list and its pipeline reads leave as one.

        A side whose ``turned`` is not known counts all its added and changed keys as turned,
        so an empty ``Changes()`` folds in nothing and the result always knows.
        """
        turned = self.turned_keys() if self.turned is None else self.turned
        turned |= other.turned_keys() if other.turned is None else other.turned
        self.turned = turned
        self.added |= other.added
        self.changed |= other.changed - self.added if self.added else other.changed
        self.removed |= other.removed
        self.settled |= other.settled

    def drop(self, gone: set[JobKey]) -> None:
        """``gone`` left the tracker: they are removed, not added or changed."""
        self.added -= gone
        self.changed -= gone
        if self.turned is not None:
            self.turned -= gone
        self.removed |= gone
