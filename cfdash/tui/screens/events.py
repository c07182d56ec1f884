"""The event feed: beside the table on a wide screen, a screen of its own on a narrow one.

:class:`EventFeedView` is what the main screen's key (``l``) drives: from
:attr:`~cfdash.tui.widgets.event_panel.EventPanel.WIDE` columns the panel is docked to the
right of the table and stays open while the user works; below that, :class:`EventsScreen`
shows the same widget filling the screen. Either way it follows the tracker feed, so new lines
keep arriving at the top. Opening it dismisses a failure summary's toast: the feed names every
failure.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer

from cfdash.tui.bindings import bindings_for
from cfdash.tui.event_lines import EventLines
from cfdash.tui.feed import TrackerFeed
from cfdash.tui.reporting import Reporter
from cfdash.tui.widgets.event_panel import EventPanel

__all__ = ["EventFeedView", "EventsScreen"]


class EventsScreen(Screen[None]):
    """Every recent event, newest first; ``escape`` (or the feed's key) goes back."""

    DEFAULT_CSS = """
    EventsScreen EventPanel { height: 1fr; }
    """

    BINDINGS = bindings_for("events")

    def __init__(self, lines: EventLines, feed: TrackerFeed) -> None:
        super().__init__()
        self.lines = lines
        self.feed = feed

    def compose(self) -> ComposeResult:
        yield EventPanel(self.lines, self.feed, id="events-full")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(EventPanel).focus()

    def action_close(self) -> None:
        self.dismiss()


class EventFeedView:
    """Opens and closes the feed for ``host`` (the main screen); ``back`` gets the focus back."""

    def __init__(self, host: Screen[None], report: Reporter, feed: TrackerFeed, back: Widget):
        self.host = host
        self.report = report
        self.feed = feed
        self.back = back

    @property
    def side(self) -> EventPanel | None:
        """The panel beside the table, once it was first opened."""
        found = self.host.query(EventPanel)
        return found.first() if found else None

    @property
    def open(self) -> bool:
        """The side panel is showing (the narrow screen is a screen: it closes itself)."""
        side = self.side
        return side is not None and side.has_class("visible")

    async def toggle(self) -> None:
        if self.close_side():
            return
        self.report.seed()
        toaster = getattr(self.host.app, "toaster", None)
        if toaster is not None:
            toaster.dismiss_failure()
        if self.host.size.width < EventPanel.WIDE:
            self.host.app.push_screen(EventsScreen(self.report.lines, self.feed))
            return
        panel = self.side
        if panel is None:  # mounted when first asked for: most sessions never open it
            panel = EventPanel(self.report.lines, self.feed, classes="side")
            body = self.back.parent  # the table's row: the panel goes to its right
            await (body if isinstance(body, Widget) else self.host).mount(panel)
        panel.add_class("visible")
        panel.show_new()

    def close_side(self) -> bool:
        """Hide the side panel if it is open; True if it was (``escape`` does this first)."""
        if not self.open:
            return False
        assert self.side is not None
        self.side.remove_class("visible")
        self.back.focus()
        return True
