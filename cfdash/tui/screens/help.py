"""The ``?`` screen: every key in force (after the user's keymap), grouped by where it works."""

from __future__ import annotations

from rich.markup import escape
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from cfdash.tui.bindings import bindings_for

__all__ = ["HelpScreen"]


class HelpScreen(ModalScreen[None]):
    """Lists the bindings the dashboard actually uses, with the keys currently mapped."""

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 72; max-height: 90%; height: auto; padding: 1 2;
        border: thick $primary; background: $surface;
    }
    """

    BINDINGS = bindings_for("help")

    def __init__(self, rows: list[tuple[str, str]]) -> None:
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        width = max((len(key) for key, _ in self.rows), default=4) + 2
        lines = ["[b]Keys[/b]", ""]
        lines += [
            f"  [b]{escape(key.ljust(width))}[/b]{escape(description)}"
            for key, description in self.rows
        ]
        lines += ["", "[dim]escape closes this help[/dim]"]
        with VerticalScroll():
            yield Static("\n".join(lines))
