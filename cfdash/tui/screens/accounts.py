"""Every account's health, whole (``A``): what the header's one line may have had to shorten.

At 80 columns the header names the accounts in trouble and then ``+N more``; this lists each
account with its state, what went wrong, when it was last heard from, when it is tried again
and since when its rows are unconfirmed. Live while open: it is redrawn every second.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.table import Table
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from cfdash.engine.engine import Engine
from cfdash.textfmt import clock_time, duration
from cfdash.tui.account_line import words_for
from cfdash.tui.bindings import bindings_for

__all__ = ["AccountsScreen"]


class AccountsScreen(ModalScreen[None]):
    """A table of the accounts: the ones in trouble first, each with the whole story."""

    DEFAULT_CSS = """
    AccountsScreen { align: center middle; }
    AccountsScreen > VerticalScroll {
        width: 90%; max-width: 120; max-height: 90%; height: auto; padding: 1 2;
        border: thick $primary; background: $surface;
    }
    """

    BINDINGS = bindings_for("accounts")

    def __init__(self, engine: Engine, clock: Callable[[], float]) -> None:
        super().__init__()
        self.engine = engine
        self.clock = clock

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(self.table(), id="accounts")

    def on_mount(self) -> None:
        self.set_interval(1, self._redraw)

    def _redraw(self) -> None:
        self.query_one("#accounts", Static).update(self.table())

    def table(self) -> Table:
        now, engine = self.clock(), self.engine
        table = Table(title="Accounts", title_justify="left", expand=True, box=None)
        for header in ("Account", "State", "What happened", "Last heard"):
            table.add_column(header, overflow="fold")
        rows = []
        for name in engine.accounts:
            health = engine.health(name)
            words = words_for(
                health,
                now,
                paused=engine.paused,
                unconfirmed_since=engine.tracker.unconfirmed_since.get(name),
            )
            heard = health.last_success
            rows.append(
                (
                    words.kind != "trouble",  # the accounts in trouble first
                    name,
                    {"ok": "✔ ok", "waiting": "… connecting"}.get(words.kind, "✖ trouble"),
                    words.detail,
                    f"{duration(now - heard)} ago ({clock_time(heard)})" if heard else "never",
                )
            )
        for _, *cells in sorted(rows, key=lambda row: row[0]):
            table.add_row(*cells)
        table.caption = "esc closes this list"  # the notation of help and footer
        table.caption_justify = "left"
        return table

    def action_close(self) -> None:
        self.dismiss()
