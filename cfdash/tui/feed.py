"""One signal, "the tracker changed", that every panel of the main screen listens to.

The screen notes each applied change — a poll drawn, a queue answered, a job added or
removed, a stall flagged — and flushes once per frame's worth (with the tick running, once a
second): one :class:`TrackerChanged` for all of it.  Each panel (header, wall summary,
releases, and whatever comes next) redraws itself from that.  So the screen never grows a line
per panel: a new panel subscribes in its ``on_mount`` and is done::

    def on_mount(self) -> None:
        self.feed.subscribe(self, self.show)   # called at once with the current state, then
                                               # after every change while mounted

The feed also keeps a :class:`~cfdash.engine.releases.Census` — counts per phase and account,
and the release roll-up — up to date from the noted rows, so no panel has to walk every job
to count them.

A Textual :class:`~textual.signal.Signal` underneath: subscribers are called in the order
they subscribed, synchronously (the change and every panel land in the same frame), and a
subscriber that is no longer mounted is dropped.  A callback that raises is logged by Textual
and the others still run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from textual.dom import DOMNode
from textual.signal import Signal

from cfdash.engine.engine import Engine
from cfdash.engine.releases import Census
from cfdash.engine.tracking import JobKey, TrackedJob

__all__ = ["TrackerChanged", "TrackerFeed"]


@dataclass(frozen=True, slots=True)
class TrackerChanged:
    """Every tracked job as it is now, and what changed since the last one."""

    #: All tracked jobs by key (the tracker's own mapping: read it, don't keep it).
    jobs: Mapping[JobKey, TrackedJob]
    #: The accounts, in config order.
    accounts: Sequence[str]
    #: Jobs flagged STALLED now.
    stalled: frozenset[JobKey]
    #: Counts per phase and account, and the releases, as of now (the feed's own: read it,
    #: don't keep it).
    census: Census
    #: Rows added, changed or removed since the last signal (empty: a recount only).
    keys: frozenset[JobKey] = frozenset()


class TrackerFeed:
    """Publishes :class:`TrackerChanged`; new subscribers get the current state at once."""

    def __init__(
        self,
        owner: DOMNode,
        engine: Engine,
        stalled: Callable[[], frozenset[JobKey]] = frozenset,
    ) -> None:
        self._signal: Signal[TrackerChanged] = Signal(owner, "tracker-changed")
        self._engine = engine
        self._stalled = stalled
        #: Rows noted since the last flush; ``_dirty`` also covers a recount with no rows.
        self._keys: set[JobKey] = set()
        #: Of those, the rows whose place in the census may have changed (see :meth:`note`).
        self._placed: set[JobKey] = set()
        self._dirty = False
        self.census = Census(engine.tracker.jobs)

    def current(self, keys: frozenset[JobKey] = frozenset()) -> TrackerChanged:
        """The state now, as a subscriber would be told it."""
        jobs = self._engine.tracker.jobs
        # Rows noted and not yet flushed count already.
        self.census.update(jobs, self._keys, self._placed)
        return TrackerChanged(jobs, self._engine.accounts, self._stalled(), self.census, keys)

    def note(self, keys: Iterable[JobKey] = (), placed: Iterable[JobKey] | None = None) -> None:
        """These rows changed (none: something to recount); subscribers hear at :meth:`flush`.

        ``placed``: those whose phase, release or unconfirmed flag may have changed, or that
        were added or removed (a poll's ``Changes.turned`` and its added and removed keys);
        None: any of ``keys`` may have. The census recounts only these; the others just
        moved (see :meth:`~cfdash.engine.releases.Census.update`).
        """
        if placed is None:
            keys = keys if isinstance(keys, set | frozenset) else set(keys)
            self._placed.update(keys)
        else:
            self._placed.update(placed)
        self._keys.update(keys)
        self._dirty = True

    def flush(self) -> bool:
        """Tell every subscriber what was noted, in one signal; False if nothing was."""
        if not self._dirty:
            return False
        keys = frozenset(self._keys)
        change = self.current(keys)
        self._keys.clear()
        self._placed.clear()
        self._dirty = False
        self._signal.publish(change)
        return True

    def subscribe(self, node: DOMNode, callback: Callable[[TrackerChanged], object]) -> None:
        """Call ``callback`` now and after every change, while ``node`` is mounted."""
        self._signal.subscribe(node, callback, immediate=True)
        callback(self.current())
