"""The ``?`` screen: every key in force (after the user's keymap), then what each column of the
table means — a header like ``Fail`` or ``✓`` says little on its own."""

from __future__ import annotations

import io

from rich.console import Console, Group
from rich.padding import Padding
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from cfdash.tui.bindings import bindings_for
from cfdash.tui.rows import COLUMNS

__all__ = ["COLUMN_HELP", "HelpScreen"]

#: Each column of the table by its key: what it shows.  Every column has one (a test checks);
#: a column a layout leaves out at some width is still explained.
COLUMN_HELP: dict[str, str] = {
    "mark": "marked for a bulk action (space marks one, ctrl+a all in view)",
    "account": "the Clanforge account of the job, as named in the config",
    "job": "the job's id; on a narrow screen its stage comes first (u 91)",
    "stage": "the release step: install, update (u), diff (d) or version (v)",
    "kind": "machine (a game server's install) or mirror",
    "label": "the machine's or mirror's name; dim: no name, the target's id",
    "state": "the service's state, with a symbol; Finished: it left the list; "
    "⚠ STALLED: no progress; ?: its account cannot be read now",
    "progress": "how far the install is, with its percentage",
    "eta": "time left, by the service's estimate; overdue once it passed",
    "failures": "how many times the service says the job failed",
    "queue": "what cfdash's last queue or retry request did: queued ✓, retried ✓, refused, "
    "outcome unknown",
    "error": "the job's own error, as the service reports it",
    "age": "when the service last listed the job; ⚠ when that is too long ago",
}


class HelpScreen(ModalScreen[None]):
    """Lists the bindings the dashboard actually uses, with the keys currently mapped."""

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 80; max-height: 90%; height: auto; padding: 1 2;
        border: thick $primary; background: $surface;
    }
    """

    BINDINGS = bindings_for("help")

    def __init__(self, rows: list[tuple[str, str]]) -> None:
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        columns = [(column.label, COLUMN_HELP.get(column.key, "")) for column in COLUMNS]
        if not any(column.key == "stage" for column in COLUMNS):
            columns.append(("Stage", COLUMN_HELP["stage"]))  # shown in the Job cell when folded
        self.body = Group(
            # At the top: at 24 rows the end of the help is below the fold.
            Text("esc closes this help · the columns are explained below the keys\n", style="dim"),
            Text("Keys", style="bold"),
            _grid(self.rows),
            Text("\nColumns", style="bold"),
            _grid(columns),
        )
        with VerticalScroll():
            yield Static(self.body, id="help-text")

    def plain(self, width: int = 74) -> str:
        """The help as plain text, laid out ``width`` wide (what a reader sees, for tests)."""
        console = Console(width=width, record=True, file=io.StringIO(), color_system=None)
        console.print(self.body)
        return console.export_text()


def _grid(rows: list[tuple[str, str]]) -> Padding:
    """Names in bold on the left, what they mean beside them, wrapped under themselves."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column()
    for name, meaning in rows:
        grid.add_row(name, meaning)
    return Padding(grid, (1, 0, 0, 2))
