"""The state file as the dashboard sees it: what was loaded at start, and saving what changed.

The app hands over what it owns — the tracker, the theme it last chose, the view the table
shows — each time something the user chose changes; this turns them into a
:class:`~cfdash.config.State` and writes it only when it differs from the file's (polls that
bring in ``track_all`` rows call this too, and must not fsync for nothing).

The last-seen table (:mod:`cfdash.engine.lastseen`) is not one of those choices: it changes
with every poll, so those saves carry it as last written, and only :meth:`StateKeeper.seen_due`
(at most once a minute, then written from a thread by :meth:`StateKeeper.save_seen`) and the
exit save bring it up to date. A lock keeps the thread's save and the app's apart.
"""

from __future__ import annotations

import dataclasses
import threading

from cfdash.config import Settings, State, StateStore
from cfdash.config.lastseen import LastSeen, SeenKey
from cfdash.engine.lastseen import SeenThrottle, snapshot
from cfdash.engine.session import state_from_tracker
from cfdash.engine.tracking import Tracker
from cfdash.tui.grid_rows import DEFAULT_SORT, View

__all__ = ["StateKeeper", "view_of"]


def view_of(state: State) -> View:
    """The table's saved sort and filters."""
    return View(
        sort=state.sort or DEFAULT_SORT,
        sort_reverse=state.sort_reverse,
        text=state.filter or "",
        failed_only=state.failed_only,
        release=state.release,
        hide_finished=state.hide_finished,
    )


class StateKeeper:
    """Holds the last saved :class:`State`; ``store`` None (tests, snapshots) saves nothing."""

    def __init__(
        self,
        store: StateStore | None,
        settings: Settings,
        state: State,
        throttle: SeenThrottle | None = None,
    ) -> None:
        self.store = store
        self.settings = settings
        self.state = state
        self.throttle = throttle or SeenThrottle()
        self._lock = threading.Lock()  # the seen-saving thread and the app's own saves
        self._seen_pending = False

    @property
    def view(self) -> View:
        return view_of(self.state)

    def save(self, tracker: Tracker, *, theme: str | None, view: View, seen: bool = False) -> None:
        """Save the user's choices; raises :class:`~cfdash.config.StateError` if it cannot.

        Defaults are saved as absent keys, so a view nobody changed never writes the file.
        ``seen`` (the exit save) brings the last-seen table up to date as well.
        """
        with self._lock:
            new = state_from_tracker(tracker, self.settings, self.state)
            new = dataclasses.replace(
                new,
                theme=theme,
                sort=None if view.sort == DEFAULT_SORT else view.sort,
                sort_reverse=view.sort_reverse,
                filter=view.text or None,
                release=view.release,
                failed_only=view.failed_only,
                hide_finished=view.hide_finished,
                last_seen=self.seen_of(tracker) if seen else self.state.last_seen,
            )
            self._write(new)

    def seen_of(self, tracker: Tracker) -> dict[SeenKey, LastSeen]:
        """The last-seen table as this run knows it now (call it where the tracker lives)."""
        return snapshot(tracker, self.state.last_seen, self.settings.accounts)

    def seen_due(self, tracker: Tracker, now: float) -> dict[SeenKey, LastSeen] | None:
        """The table to hand to :meth:`save_seen`, if a write is due (at most once a
        minute, and never while the last one is still being written); else None."""
        if self.store is None or self._seen_pending or not self.throttle.due(now):
            return None
        self._seen_pending = True
        return self.seen_of(tracker)

    def save_seen(self, seen: dict[SeenKey, LastSeen]) -> None:
        """Write the last-seen table (from a thread: it takes the file's lock and merges);
        raises :class:`~cfdash.config.StateError` if it cannot."""
        try:
            with self._lock:
                self._write(dataclasses.replace(self.state, last_seen=seen))
        finally:
            self._seen_pending = False

    def _write(self, new: State) -> None:
        if new != self.state and self.store is not None:
            self.store.save(new)
        self.state = new
