"""The event feed: each job's line — finished, failed, stalled, moving again, queued — newest
first.

A line-API widget over :class:`~cfdash.tui.event_lines.EventLines`: it draws only the lines on
screen, however many hundred are kept, and redraws only when the lines' ``version`` moved.
It listens to the screen's :class:`~cfdash.tui.feed.TrackerFeed` like the other panels (every
line comes with a tracker change: a poll, a stall, a queue answer).

On a wide screen it sits beside the table (to its right, below the header); on a narrow one
the same widget fills :class:`~cfdash.tui.screens.events.EventsScreen`.
"""

from __future__ import annotations

import time
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from cfdash.tui.event_lines import EventKind, EventLine, EventLines
from cfdash.tui.feed import TrackerChanged, TrackerFeed
from cfdash.tui.themes import phase_styles

__all__ = ["EventPanel", "line_text"]

_SYMBOL: dict[EventKind, str] = {
    "finished": "✔",
    "failed": "✖",
    "stalled": "⚠",
    "recovered": "↻",
    "queue": "»",
    "state": "·",
}


def _clock(at: float) -> str:
    return time.strftime("%H:%M:%S", time.localtime(at))


def line_text(line: EventLine) -> str:
    """``12:00:05 ✖ production/5551001: Running → Failed (45%): disk full``."""
    return f"{_clock(line.at)} {_SYMBOL[line.kind]} {line.text}"


class EventPanel(ScrollView, can_focus=True):
    """The newest events first; scrolls; draws only what is on screen."""

    DEFAULT_CSS = """
    EventPanel {
        background: $surface;
        color: $foreground;
        border: round $panel-lighten-2;
        border-title-color: $foreground;
        border-title-style: bold;
    }
    EventPanel.side {
        width: 64;
        height: 1fr;
        display: none;
    }
    EventPanel.side.visible { display: block; }
    """

    #: The screen width from which the feed sits beside the table rather than on its own.
    WIDE: ClassVar[int] = 160

    def __init__(
        self,
        lines: EventLines,
        feed: TrackerFeed,
        *,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.lines = lines
        self.feed = feed
        self._drawn = -1
        self._styles: dict[str, Style] = {}

    def on_mount(self) -> None:
        self.border_title = "Events · newest first"
        self._theme_changed()
        self.app.theme_changed_signal.subscribe(self, self._theme_changed)
        self.feed.subscribe(self, self._tracker_changed)

    def _theme_changed(self, _theme: object = None) -> None:
        by_phase = phase_styles(self.app.theme_variables)
        self._styles = {
            "finished": Style.parse(by_phase.get("finished", "") or "none"),
            "failed": Style.parse(by_phase.get("failed", "") or "bold"),
            "stalled": Style.parse(by_phase.get("stalled", "") or "bold"),
            "recovered": Style.parse(by_phase.get("running", "") or "none"),
            "queue": Style(italic=True),
            "state": Style(dim=True),
        }
        self.refresh()

    def _tracker_changed(self, _change: TrackerChanged | None = None) -> None:
        """Redraw if there are new lines (and only then)."""
        if self.lines.version == self._drawn:
            return
        self._drawn = self.lines.version
        self.virtual_size = Size(self.size.width, len(self.lines))
        self.refresh()

    def show_new(self) -> None:
        """Draw the lines as they are now (the panel was just opened)."""
        self._drawn = -1
        self._tracker_changed()

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        index = scroll_y + y
        base = self.rich_style
        if index >= len(self.lines):
            return Strip.blank(width, base)
        line = self.lines.newest(index)
        text = Text(line_text(line), style=self._styles.get(line.kind, Style.null()), end="")
        text.truncate(width + scroll_x, overflow="ellipsis")
        strip = Strip(text.render(self.app.console), text.cell_len).apply_style(base)
        return strip.crop_extend(scroll_x, scroll_x + width, base)
