"""The header: badges, counts per state, releases in flight, each account's health, and the
time since the last successful refresh.

The counts come from the feed's :class:`~cfdash.engine.releases.Census`, which follows the
changed rows, so a recount costs the number of phases and releases, not of jobs; it happens
when the tracker changed (the screen's :class:`~cfdash.tui.feed.TrackerFeed` says so). The
once-a-second refresh only redraws the clock-driven words, and repaints only if they changed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from rich.text import Text
from textual.widgets import Static

from cfdash.engine.engine import Engine
from cfdash.textfmt import STATE_SYMBOLS, duration
from cfdash.tui.account_line import account_line, words_for
from cfdash.tui.feed import TrackerChanged, TrackerFeed

__all__ = ["StatusHeader"]

_COUNTED = (
    "running", "queued", "pending", "created", "failed", "finished", "unknown", "notlisted",
    "notfound",
)  # fmt: skip
_COUNT_WORDS = {"notlisted": "not listed", "notfound": "not found"}


class StatusHeader(Static):
    """Two lines: what is where, and whether each account is being heard from."""

    DEFAULT_CSS = """
    StatusHeader {
        height: 2;
        padding: 0 1;
        background: $panel;
        /* A long first line is cut, not wrapped: wrapped, it hides the accounts' line. */
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    def __init__(
        self,
        engine: Engine,
        clock: Callable[[], float],
        feed: TrackerFeed,
        *,
        demo: bool = False,
        shown: Callable[[], int] | None = None,
    ) -> None:
        super().__init__()
        self.engine = engine
        self.clock = clock
        self.feed = feed
        self.demo = demo
        #: How many rows the table shows (filtered), to say "all 12 jobs" when it is fewer.
        self.shown = shown
        self._counts: Counter[str] = Counter()
        self._stalled = 0
        self._unconfirmed = 0
        self._releases: list[int] = []
        self._last: Text | None = None

    def on_mount(self) -> None:
        self.feed.subscribe(self, self.recount)

    def on_resize(self) -> None:
        self.refresh_text()  # the accounts' line is made to fit the width

    def recount(self, change: TrackerChanged) -> None:
        """Count jobs per phase and the releases in flight (the tracker changed).

        Unconfirmed jobs are counted apart: "4 running" is not claimed of jobs whose account
        cannot be read.
        """
        census = change.census
        counts = census.phases - census.unconfirmed
        self._unconfirmed = census.unconfirmed.total()
        counts["finished"] += counts.pop("complete", 0) + counts.pop("squashed", 0)
        self._counts = counts
        self._stalled = len(change.stalled)
        self._releases = [v for v in census.versions_in_flight() if v is not None]
        self.refresh_text()

    def refresh_text(self) -> None:
        """Rebuild the text; the widget is only repainted when it actually changed."""
        text = self.build()
        if self._last is None or text.plain != self._last.plain:
            self._last = text
            # Its size is fixed (two lines, the screen's width): no layout of the whole
            # screen for new words, which during a rollout change every second.
            self.update(text, layout=False)

    def _style(self, name: str) -> str:
        return f"bold {self.app.theme_variables.get(name, '')}".strip()

    def build(self) -> Text:
        now = self.clock()
        line = Text()
        line.append(" cfdash ", style=f"reverse {self._style('primary')}")
        for badge, shown in (
            ("DEMO", self.demo),
            ("PAUSED", self.engine.paused),
            ("READ-ONLY", self.engine.read_only),
        ):
            if shown:
                line.append(" ")
                line.append(f" {badge} ", style=f"reverse {self._style('warning')}")
        total = len(self.engine.tracker)
        # The counts are of every job: with rows filtered out, "all" says so (the mode line
        # under the table says how many are in view).
        every = "all " if self.shown is not None and self.shown() != total else ""
        line.append(f"  {every}{total} jobs:")
        for phase in _COUNTED:
            if self._counts.get(phase):
                style = self._style("error") if phase == "failed" else ""
                word = _COUNT_WORDS.get(phase, phase)
                line.append(f"  {STATE_SYMBOLS[phase]} {self._counts[phase]} {word}", style=style)
        if self._unconfirmed:
            line.append(f"  ? {self._unconfirmed} unconfirmed")
        if self._stalled:
            line.append(f"  ⚠ {self._stalled} stalled", style=self._style("warning"))
        if self._releases:
            versions = ", ".join(f"v{version}" for version in self._releases[:3])
            more = f" +{len(self._releases) - 3}" if len(self._releases) > 3 else ""
            line.append(f"   in flight: {versions}{more}")
        successes = [self.engine.health(name).last_success for name in self.engine.accounts]
        known = [when for when in successes if when is not None]
        line.append("   refreshed ")
        line.append(f"{duration(now - max(known))} ago" if known else "never")

        line.append("\n")
        tracker, paused = self.engine.tracker, self.engine.paused
        accounts = [
            words_for(
                self.engine.health(name),
                now,
                paused=paused,
                unconfirmed_since=tracker.unconfirmed_since.get(name),
            )
            for name in self.engine.accounts
        ]
        # Every account in trouble is named, at any width (cfdash/tui/account_line.py).
        width = self.content_size.width or 10_000
        styles = {
            "ok": self._style("success"),
            "warning": self._style("warning"),
            "error": self._style("error"),
        }
        line.append_text(account_line(accounts, width, styles))
        return line
