"""Which columns of the job table show at a given width, how wide each is, and which stay put.

A release engineer's terminal runs from an 80-column split pane to a 300-column wall. What a
row must always say — the account, the job, its state, progress with its percentage, the ETA,
the queue outcome and the error — fits at 80; the rest gives way in a fixed order, so the same
width always shows the same table:

1. the Error column gives back what it had beyond its usual width;
2. a Stage column (key ``stage``) folds into the Job cell as a one-letter prefix (``u 91``,
   ``d 92``, ``v 93``; an install shows none) — before any column is dropped;
3. columns are dropped: Seen, then Fail, then Label, then Kind;
4. the columns that always show are squeezed to their narrowest (ETA, Progress, Error,
   Queue, then Account), their text shortened with ``…`` — or, for Progress and ETA,
   redrawn shorter (a shorter bar keeps its percentage; ``overdue 2m`` becomes ``-2m``);
5. if even that is too wide, the table scrolls sideways, with the mark, Account and Job
   columns fixed at the left so every row still says whose it is.

Pure (no Textual): :func:`plan` is a function of the columns, their natural widths and the
room; the painter draws what it says.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from rich.cells import cell_len, set_cell_size

from cfdash.textfmt import progress_bar
from cfdash.tui.rows import Column

__all__ = [
    "DROP_ORDER",
    "FOLDED_JOB",
    "FROZEN",
    "PAD",
    "Layout",
    "Placed",
    "fit",
    "fold_stage",
    "header_label",
    "plan",
]

#: Cells around each column's text: one space either side.
PAD = 2
#: Columns dropped as the width shrinks, first to last.
DROP_ORDER = ("age", "failures", "label", "kind")
#: The columns that stay put when the table scrolls sideways (those present, in this order).
FROZEN = ("mark", "account", "job")
#: The column that folds into the Job cell before any column is dropped.
STAGE = "stage"
#: The key of ``measured`` holding the Job cell's widest text with the stage folded in: only
#: as wide as "u 91" when some row is not an install.
FOLDED_JOB = "job+stage"
#: Columns that always show but may be squeezed, in the order they give way, to this width.
SQUEEZE: dict[str, int] = {"eta": 7, "progress": 9, "error": 8, "queue": 7, "account": 7}
#: Shorter header words, for a squeezed column whose own word and sort arrow don't fit.
SHORT_LABELS = {"account": "Acct", "progress": "Prog"}
#: The Job cell's prefix for each stage (any other stage: its first letter); install: none.
STAGE_LETTERS = {"install": "", "update": "u", "diff": "d", "version": "v"}
#: Room for the sort arrow after a sortable column's header word (" ▾").
ARROW = 2


@dataclass(frozen=True, slots=True)
class Placed:
    """One shown column: where it starts (its left pad included) and its text's width."""

    column: Column
    x: int
    width: int

    @property
    def key(self) -> str:
        return self.column.key

    @property
    def end(self) -> int:
        return self.x + self.width + PAD


@dataclass(frozen=True, slots=True)
class Layout:
    """The columns shown at one width, left to right."""

    placed: tuple[Placed, ...]
    #: Cells at the left that stay put when the table scrolls sideways (0: none).
    fixed: int = 0
    #: A Stage column is folded into the Job cell.
    folded: bool = False
    #: Keys of the columns left out, in the order they went.
    dropped: tuple[str, ...] = ()

    @property
    def width(self) -> int:
        """A whole row, in cells."""
        return self.placed[-1].end if self.placed else 0

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(placed.key for placed in self.placed)

    def find(self, key: str) -> Placed | None:
        return next((placed for placed in self.placed if placed.key == key), None)

    def at(self, x: int, scroll_x: int = 0) -> Placed | None:
        """The column under screen cell ``x`` (content coordinates), the table scrolled by
        ``scroll_x`` with the fixed columns in place."""
        if x >= self.fixed:
            x += scroll_x
        return next((placed for placed in self.placed if placed.x <= x < placed.end), None)

    def stops(self) -> list[int]:
        """The sideways scroll offsets that put a column's left edge next to the fixed ones
        (what ``→`` and ``←`` step between)."""
        return [placed.x - self.fixed for placed in self.placed if placed.x >= self.fixed]

    def step(self, x: int, delta: int, limit: int) -> int:
        """Where ``→`` (``delta`` > 0) or ``←`` scrolls to from ``x``: the next column's
        stop, within 0 to ``limit``."""
        stops = self.stops()
        if delta > 0:
            target = next((stop for stop in stops if stop > x), limit)
        else:
            target = next((stop for stop in reversed(stops) if stop < x), 0)
        return max(0, min(target, limit))


def natural_width(column: Column, measured: Mapping[str, int]) -> int:
    """A column's width with room to spare: its fixed width or widest text, and room for
    the header word and the sort arrow, so no header is ever cut at that width."""
    width = column.width if column.width is not None else measured.get(column.key, 0)
    if column.sort is not None:
        width = max(width, cell_len(column.label) + ARROW)
    return max(width, cell_len(column.label))


def plan(columns: Sequence[Column], measured: Mapping[str, int], available: int) -> Layout:
    """The layout of ``columns`` in ``available`` cells (see the module's steps).

    ``measured`` holds the widest text seen of each auto-width column.
    """
    shown = list(columns)
    widths = {column.key: natural_width(column, measured) for column in shown}

    def total() -> int:
        return sum(widths[column.key] + PAD for column in shown)

    folded = False
    keys = {column.key for column in shown}
    if total() > available and STAGE in keys and "job" in keys:
        shown = [column for column in shown if column.key != STAGE]
        widths["job"] = max(widths["job"], measured.get(FOLDED_JOB, widths["job"] + 2))
        folded = True
    dropped: list[str] = []
    for key in DROP_ORDER:
        if total() <= available:
            break
        if key in keys:
            shown = [column for column in shown if column.key != key]
            dropped.append(key)
    for key, narrowest in SQUEEZE.items():
        excess = total() - available
        if excess <= 0:
            break
        if key in widths and widths[key] > narrowest:
            widths[key] = max(narrowest, widths[key] - excess)
    spare = available - total()
    for column in shown:  # the flexible column (the Error) takes what is left, up to its max
        if column.flex and spare > 0:
            grown = min(column.max_width, widths[column.key] + spare)
            spare -= grown - widths[column.key]
            widths[column.key] = grown
    placed: list[Placed] = []
    x = 0
    for column in shown:
        placed.append(Placed(column, x, widths[column.key]))
        x += widths[column.key] + PAD
    fixed = 0
    for item in placed:
        if item.key not in FROZEN:
            break
        fixed = item.end
    if fixed * 2 > available:  # fixed columns wider than half the room would leave no view
        fixed = 0
    return Layout(tuple(placed), fixed, folded, tuple(dropped))


def fold_stage(stage: str, job: str) -> str:
    """The Job cell with the Stage folded in: ``u 91``; an install (or no stage) stays ``91``."""
    stage = stage.strip().lower()
    letter = STAGE_LETTERS.get(stage, stage[:1])
    return f"{letter} {job}" if letter else job


def fit(text: str, key: str, width: int) -> str:
    """``text`` in at most ``width`` cells: cut with ``…``, or for Progress and ETA redrawn
    shorter so the number survives."""
    if cell_len(text) <= width:
        return text
    if key == "progress":
        return _fit_progress(text, width)
    if key == "eta" and text.startswith("overdue "):
        text = "-" + text.removeprefix("overdue ")
        if cell_len(text) <= width:
            return text
    if width <= 1:
        return "…"[:width]
    return set_cell_size(text, width - 1) + "…"


def _fit_progress(text: str, width: int) -> str:
    """A shorter bar with the same percentage (``███▉░░░░░░  39%`` → ``██░░░  39%``)."""
    if text and set(text) == {"█"}:  # a Finished job's bar: full, no number
        return "█" * width
    percent = text.rpartition(" ")[2]
    number = percent.rstrip("%")
    if not number.isdigit():
        return set_cell_size(text, max(0, width - 1)) + "…"
    bar = width - 5  # " 39%" after the bar, right-aligned in four cells
    if bar < 1:
        return percent.rjust(width)[-width:]
    return progress_bar(int(number), bar)


def header_label(column: Column, width: int, arrow: str = "") -> str:
    """The header word for a column ``width`` cells wide: with the sort ``arrow`` if any,
    the short word when the whole one and the arrow don't fit, cut only as a last resort."""
    words = [column.label, SHORT_LABELS.get(column.key, column.label)]
    if arrow:
        for word in words:
            if cell_len(word) + 1 + cell_len(arrow) <= width:
                return f"{word} {arrow}"
    for word in words:
        if cell_len(word) <= width:
            return word
    return set_cell_size(words[-1], width)
