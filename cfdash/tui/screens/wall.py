"""The ops wall as a screen of its own (``w``): made to fill a monitor across the room.

It shows :class:`~cfdash.tui.widgets.wall.WallView` and a footer; ``w`` or ``escape`` goes
back to the table.  The wall follows the main screen's tracker feed, so it stays live, and the
app's once-a-second tick redraws it (:meth:`tick`) for the clock and the accounts' health,
which change without any job changing.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer

from cfdash.engine.engine import Engine
from cfdash.tui.bindings import bindings_for
from cfdash.tui.feed import TrackerFeed
from cfdash.tui.widgets.wall import WallView

__all__ = ["WallScreen"]


class WallScreen(Screen[None]):
    """Every state counted, big; one line per account below."""

    BINDINGS = bindings_for("wall")

    def __init__(self, feed: TrackerFeed, engine: Engine, clock: Callable[[], float]) -> None:
        super().__init__()
        self.view = WallView(feed, engine, clock, id="wall")

    def compose(self) -> ComposeResult:
        yield self.view
        yield Footer()

    def tick(self) -> None:
        """Once a second: "refreshed … ago" and the accounts' health move with the clock."""
        self.view.refresh()

    def action_close(self) -> None:
        self.dismiss()
