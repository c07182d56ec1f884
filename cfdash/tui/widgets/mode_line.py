"""The mode line under the table: ``N of M`` jobs in view and every view setting in force.

The words come from :func:`cfdash.tui.view_modes.mode_line`; this only shows them, and
repaints only when they changed (the screen asks every second and after every change).
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.widgets import Static

__all__ = ["ModeLine"]


class ModeLine(Static):
    """One line, like k9s's breadcrumbs: what the table is showing, and how to undo it."""

    DEFAULT_CSS = """
    ModeLine {
        height: 1;
        background: $panel;
        color: $foreground;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    def __init__(self, describe: Callable[[], Text], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.describe = describe
        self._last = ""

    def on_mount(self) -> None:
        self.refresh_text()

    def refresh_text(self) -> None:
        text = self.describe()
        if text.plain != self._last or not self._last:
            self._last = text.plain
            # One line, the screen's width: new words need no layout of the whole screen.
            self.update(text, layout=False)

    @property
    def text(self) -> str:
        """What the line says, as plain text (for tests and transcripts)."""
        return self._last
