"""The state file as the dashboard sees it: what was loaded at start, and saving what changed.

The app hands over what it owns — the tracker, the theme it last chose, the view the table
shows — each time something the user chose changes; this turns them into a
:class:`~cfdash.config.State` and writes it only when it differs from the file's (polls that
bring in ``track_all`` rows call this too, and must not fsync for nothing).
"""

from __future__ import annotations

import dataclasses

from cfdash.config import Settings, State, StateStore
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
    )


class StateKeeper:
    """Holds the last saved :class:`State`; ``store`` None (tests, snapshots) saves nothing."""

    def __init__(self, store: StateStore | None, settings: Settings, state: State) -> None:
        self.store = store
        self.settings = settings
        self.state = state

    @property
    def view(self) -> View:
        return view_of(self.state)

    def save(self, tracker: Tracker, *, theme: str | None, view: View) -> None:
        """Save the user's choices; raises :class:`~cfdash.config.StateError` if it cannot.

        Defaults are saved as absent keys, so a view nobody changed never writes the file.
        """
        new = state_from_tracker(tracker, self.settings, self.state)
        new = dataclasses.replace(
            new,
            theme=theme,
            sort=None if view.sort == DEFAULT_SORT else view.sort,
            sort_reverse=view.sort_reverse,
            filter=view.text or None,
            release=view.release,
            failed_only=view.failed_only,
        )
        if new != self.state and self.store is not None:
            self.store.save(new)
        self.state = new
