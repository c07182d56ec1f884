"""The ops wall: every state counted, in digits as big as the screen allows, then per account.

Made for a monitor across the room.  The top of the screen is a band of tiles, one per state
(failed, stalled, running, queued, pending, created, finished; complete, squashed, not found,
not listed and unknown when some job is in them), each a label and a count drawn by
:mod:`cfdash.bigdigits` at the height that fits.  Below is one line per account with the
same counts, a total line, and what each account's connection is doing.

Failed and stalled counts above zero stand out in colour *and* reverse (a block), so they
still do in the mono theme and with ``NO_COLOR``; zeros are dim.  A stalled job is counted in
its own state too: stalled is a flag on a job, not a state.

The counts come from the feed's :class:`~cfdash.engine.releases.Census` (no walk over the
jobs); the screen is drawn from them for its size, so it follows every resize.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual.widget import Widget

from cfdash import bigdigits
from cfdash.engine.engine import Engine
from cfdash.textfmt import STATE_SYMBOLS, clock_time, duration, shorten
from cfdash.tui.feed import TrackerChanged, TrackerFeed
from cfdash.tui.themes import phase_styles

__all__ = ["WALL_STATES", "WallCounts", "WallView", "wall_states"]

#: The wall's states in tile order, with their labels.  The first seven are always shown.
WALL_STATES: dict[str, str] = {
    "failed": "FAILED",
    "stalled": "STALLED",
    "running": "RUNNING",
    "queued": "QUEUED",
    "pending": "PENDING",
    "created": "CREATED",
    "finished": "FINISHED",
    "complete": "COMPLETE",
    "squashed": "SQUASHED",
    "notfound": "NOT FOUND",
    "notlisted": "NOT LISTED",
    "unknown": "UNKNOWN",
}
_ALWAYS = 7
#: Counts that above zero are an alarm: drawn reversed, as a block.
ALARMS = frozenset({"failed", "stalled"})
_SYMBOLS = {**STATE_SYMBOLS, "stalled": "⚠"}
#: The screen's share the account lines may take at most; the tiles get the rest.
_TABLE_SHARE = 0.5
_GAP = "  "


@dataclass
class WallCounts:
    """Jobs per wall state, in total and per account (config order)."""

    totals: Counter[str] = field(default_factory=Counter)
    accounts: dict[str, Counter[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, change: TrackerChanged) -> WallCounts:
        census = change.census
        accounts = {name: Counter(census.accounts.get(name, ())) for name in change.accounts}
        for name, counts in census.accounts.items():
            accounts.setdefault(name, Counter(counts))  # a job of an account no longer listed
        totals = Counter(census.phases)
        for key in change.stalled:
            accounts.setdefault(key.account, Counter())["stalled"] += 1
            totals["stalled"] += 1
        return cls(totals, accounts)

    def jobs(self, counts: Counter[str]) -> int:
        """Jobs in ``counts`` (stalled jobs are in their own state as well)."""
        return counts.total() - counts["stalled"]


def wall_states(totals: Mapping[str, int]) -> list[str]:
    """The states shown: the usual seven, then any other a job is in."""
    states = list(WALL_STATES)
    return states[:_ALWAYS] + [state for state in states[_ALWAYS:] if totals.get(state)]


def label(state: str) -> str:
    """``✖ FAILED``: a tile's label, symbol first, so no state is told by colour alone."""
    return f"{_SYMBOLS.get(state, '?')} {WALL_STATES[state]}"


class WallView(Widget):
    """Draws the whole wall for its size; recounts when the tracker changes."""

    DEFAULT_CSS = """
    WallView { width: 1fr; height: 1fr; background: $background; }
    """

    def __init__(
        self,
        feed: TrackerFeed,
        engine: Engine,
        clock: Callable[[], float],
        *,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.feed = feed
        self.engine = engine
        self.clock = clock
        self.counts = WallCounts()
        self._styles: dict[str, Style] = {}

    def on_mount(self) -> None:
        self._theme_changed()
        self.app.theme_changed_signal.subscribe(self, self._theme_changed)
        self.feed.subscribe(self, self.recount)

    def _theme_changed(self, _theme: object = None) -> None:
        variables = self.app.theme_variables
        styles = {phase: Style.parse(style) for phase, style in phase_styles(variables).items()}
        styles["error"] = Style.parse(f"bold {variables.get('error', '')}".strip())
        styles["success"] = Style.parse(variables.get("success", "") or "none")
        styles["title"] = Style.parse(f"bold reverse {variables.get('primary', '')}".strip())
        self._styles = styles
        self.refresh()

    def recount(self, change: TrackerChanged) -> None:
        """The tracker changed: count again (per phase and account, from the census)."""
        self.counts = WallCounts.of(change)
        self.refresh()

    # -- drawing ----------------------------------------------------------------------------

    def state_style(self, state: str, count: int) -> Style:
        """How a count is drawn: zero dim; an alarm reversed, bold and in its colour."""
        if not count:
            return Style(dim=True)
        style = self._styles.get(state, Style.null())
        if state in ALARMS:
            return style + Style(bold=True, reverse=True)
        return style

    def render(self) -> Text:
        width, height = self.size
        counts = self.counts
        states = wall_states(counts.totals)
        title = self._title()
        table = self._table(states, width)
        room = max(0, height - 2)  # the title and a blank line
        shown = min(len(table), max(3, int(room * _TABLE_SHARE)))
        if shown < len(table):  # too many accounts: the trouble first, and a "+N more"
            table = [*table[: shown - 2], self._more(len(table) - shown + 1), table[-1]]
        tiles = self._tiles(states, width, room - shown)
        spare = max(0, room - len(tiles) - len(table))  # shared above and between, not below
        above, between = [Text()] * (spare // 3), [Text()] * (spare // 3)
        lines = [title, Text(), *above, *tiles, *between, *table]
        return Text("\n").join(line for line in lines[:height])

    def _title(self) -> Text:
        line = Text(no_wrap=True)
        line.append(" cfdash wall ", style=self._styles.get("title", Style(reverse=True)))
        for badge, shown in (("PAUSED", self.engine.paused), ("READ-ONLY", self.engine.read_only)):
            if shown:
                line.append(f"  {badge}", style="bold")
        jobs = self.counts.jobs(self.counts.totals)
        line.append(f"  {jobs} jobs in {len(self.counts.accounts)} accounts")
        now = self.clock()
        known = [self.engine.health(name).last_success for name in self.engine.accounts]
        last = max((when for when in known if when is not None), default=None)
        refreshed = f"{duration(now - last)} ago" if last is not None else "never"
        line.append(f"  ·  refreshed {refreshed}  ·  {clock_time(now)}")
        return line

    def _tiles(self, states: list[str], width: int, height: int) -> list[Text]:
        totals = self.counts.totals
        numbers = [str(totals[state]) for state in states]
        labels = [label(state) for state in states]
        layout = bigdigits.fit(
            len(states),
            max(map(len, numbers)),
            max(map(cell_len, labels)),
            width,
            height,
            cap=max(bigdigits.MIN_HEIGHT, height // 2),
        )
        lines: list[Text] = []
        tile_width = layout.tile_width
        for first in range(0, len(states), layout.columns):
            band = range(first, min(first + layout.columns, len(states)))
            digits = {
                index: bigdigits.render(numbers[index], layout.height) if layout.height else []
                for index in band
            }
            rows = [Text(no_wrap=True) for _ in range(layout.tile_height - 1)]
            for index in band:
                style = self.state_style(states[index], totals[states[index]])
                cells = [labels[index]]
                cells += digits[index] or [numbers[index]]
                for row, cell in zip(rows, cells + [""] * len(rows), strict=False):
                    padded = _centre(cell, tile_width - 1)
                    row.append(padded, style=style if cell or states[index] in ALARMS else None)
                    row.append(" ")
            lines += [*rows, Text()]
        return lines

    def _table(self, states: list[str], width: int) -> list[Text]:
        """A header, one line per account (trouble first), and the totals."""
        counts = self.counts
        accounts = sorted(counts.accounts, key=lambda name: not self._in_trouble(name))
        headers = [f"{_SYMBOLS.get(state, '?')} {WALL_STATES[state].lower()}" for state in states]
        names = [*accounts, "total"]
        name_width = max(map(cell_len, names), default=5)
        numbers = [[str(counts.accounts[name][s]) for s in states] for name in accounts]
        numbers.append([str(counts.totals[s]) for s in states])
        widest = [max(len(row[i]) for row in numbers) for i in range(len(states))]

        def widths(heads: list[str]) -> list[int]:
            return [max(cell_len(h), w) for h, w in zip(heads, widest, strict=True)]

        fixed = sum(w + len(_GAP) for w in widths(headers)) + len("jobs") + len(_GAP)
        if name_width + fixed + 12 > width:  # no room for words: the tiles' symbols head
            headers = [_SYMBOLS.get(state, "?") for state in states]
            fixed = sum(w + len(_GAP) for w in widths(headers)) + len("jobs") + len(_GAP)
        name_width = max(6, min(name_width, width - fixed - 6))
        columns = widths(headers)
        status_width = max(1, width - name_width - fixed - len(_GAP))

        def line(name: str, cells: list[str], styles: list[Style | None]) -> Text:
            text = Text(no_wrap=True)
            text.append(shorten(name, name_width).ljust(name_width), style="bold")
            for cell, column, style in zip(cells, [4, *columns], styles, strict=True):
                text.append(_GAP)
                text.append(cell.rjust(column), style=style)
            return text

        header = line("account", ["jobs", *headers], [None] * (len(states) + 1))
        header.stylize("bold underline")
        rows = [header]
        for name in [*accounts, None]:
            row_counts = counts.totals if name is None else counts.accounts[name]
            cells = [str(counts.jobs(row_counts))] + [str(row_counts[s]) for s in states]
            styles = [None] + [self.state_style(s, row_counts[s]) for s in states]
            row = line(name or "total", cells, styles)
            if name is not None:
                row.append(_GAP)
                row.append_text(self._health(name, status_width))
            rows.append(row)
        return rows

    def _more(self, hidden: int) -> Text:
        return Text(f"+{hidden} more accounts: w goes back to the table", style="dim")

    def _in_trouble(self, name: str) -> bool:
        counts = self.counts.accounts[name]
        state = self.engine.health(name).state if name in self.engine.accounts else "ok"
        return state not in ("ok", "waiting") or any(counts[alarm] for alarm in ALARMS)

    def _health(self, name: str, width: int) -> Text:
        """How the account's connection is: ``✔ ok``, ``✖ credentials rejected, …``."""
        if name not in self.engine.accounts:
            return Text()
        health = self.engine.health(name)
        if health.state == "ok":
            return Text(shorten("✔ ok", width), style=self._styles.get("success", Style.null()))
        if health.state == "waiting":
            return Text(shorten("… connecting", width))
        detail = health.summary
        if (since := self.engine.tracker.unconfirmed_since.get(name)) is not None:
            detail += f", unconfirmed since {clock_time(since)}"
        return Text(shorten(f"✖ {detail}", width), style=self._styles.get("error", Style.null()))


def _centre(text: str, width: int) -> str:
    """``text`` centred in ``width`` cells (cut if wider)."""
    if cell_len(text) >= width:
        return shorten(text, width)
    spare = width - cell_len(text)
    return " " * (spare // 2) + text + " " * (spare - spare // 2)
