"""The ops wall summary: the few numbers that matter, big enough to read across a room.

Failed and stalled counts are drawn in large digits with their words beside them (never by
colour alone); a line per account below says how many of its jobs are where.  It listens to
the screen's :class:`~cfdash.tui.feed.TrackerFeed` and recounts only while it is shown.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Digits, Label

from cfdash.engine.tracking import TrackedJob
from cfdash.textfmt import STATE_SYMBOLS
from cfdash.tui.feed import TrackerChanged, TrackerFeed

__all__ = ["WallSummary"]

_TILES = (
    ("failed", "✖ FAILED"),
    ("stalled", "⚠ STALLED"),
    ("running", "▶ RUNNING"),
    ("queued", "◔ QUEUED"),
    ("finished", "✔ DONE"),
)


class WallSummary(Vertical):
    """Big counts per state, then one line per account."""

    DEFAULT_CSS = """
    WallSummary { height: auto; background: $panel; padding: 0 1; display: none; }
    WallSummary.visible { display: block; }
    WallSummary Horizontal { height: auto; }
    WallSummary .tile { width: auto; height: auto; margin-right: 4; }
    WallSummary .tile Label { text-style: bold; width: auto; }
    WallSummary .tile Digits { width: auto; }
    WallSummary .tile.alarm Digits, WallSummary .tile.alarm Label { color: $error; }
    WallSummary #accounts { color: $foreground; }
    """

    def __init__(self, feed: TrackerFeed, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.feed = feed

    def on_mount(self) -> None:
        self.feed.subscribe(self, self._tracker_changed)

    def _tracker_changed(self, change: TrackerChanged) -> None:
        if self.has_class("visible"):
            self.update_counts(change.jobs.values(), len(change.stalled), change.accounts)

    def compose(self) -> ComposeResult:
        with Horizontal():
            for phase, word in _TILES:
                with Vertical(classes="tile", id=f"tile-{phase}"):
                    yield Label(word)
                    yield Digits("0", id=f"count-{phase}")
        yield Label("", id="accounts")

    def update_counts(
        self, jobs: Iterable[TrackedJob], stalled: int, accounts: Iterable[str]
    ) -> None:
        """Recount (cheap: one pass) and update only the digits that changed."""
        per_account: dict[str, Counter[str]] = {name: Counter() for name in accounts}
        totals: Counter[str] = Counter()
        for job in jobs:
            counted = "finished" if job.phase in ("complete", "squashed") else job.phase
            totals[counted] += 1
            per_account.setdefault(job.account, Counter())[counted] += 1
        totals["stalled"] = stalled
        for phase, _ in _TILES:
            digits = self.query_one(f"#count-{phase}", Digits)
            value = str(totals[phase])
            if digits.value != value:
                digits.update(value)
            alarm = phase in ("failed", "stalled") and totals[phase] > 0
            self.query_one(f"#tile-{phase}").set_class(alarm, "alarm")
        lines = []
        for name, counts in per_account.items():
            parts = [
                f"{STATE_SYMBOLS.get(phase, '?')} {count} {phase}"
                for phase, count in sorted(counts.items())
                if count
            ]
            lines.append(f"{name}: " + ("  ".join(parts) or "no jobs"))
        self.query_one("#accounts", Label).update("   ·   ".join(lines))

    def toggle(self) -> bool:
        """Show or hide the summary; shown, it is brought up to date at once."""
        self.toggle_class("visible")
        self._tracker_changed(self.feed.current())
        return self.has_class("visible")
