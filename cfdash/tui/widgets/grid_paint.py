"""Drawing the job table: the layout for the width, the theme's styles, one cached strip per row.

``JobGrid`` owns the cursor, scrolling and input; this turns ``GridRows``' cell texts into
``Strip``s and keeps them until a row's text, the theme or the width changes.  No Textual
widget here, so it is the same code whatever scrolls it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import NamedTuple

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.geometry import Offset, Region
from textual.strip import Strip

from cfdash.engine.tracking import JobKey
from cfdash.tui.grid_layout import Layout, fit, fold_stage, header_label, plan
from cfdash.tui.grid_rows import GridRows
from cfdash.tui.rows import COLUMNS, Column
from cfdash.tui.themes import phase_styles

__all__ = ["Frame", "GridPainter", "line_regions"]

DIM = Style(dim=True)


class Frame(NamedTuple):
    """What every line of one render of the job table needs, looked up once per render."""

    offset: Offset
    width: int
    base: Style
    odd: Style
    cursor: Style


class GridPainter:
    """Row and header strips for one ``GridRows``, cached per row."""

    def __init__(self, rows: GridRows) -> None:
        self.rows = rows
        #: Rendered rows without their row background; dropped when the row's text changes.
        self._strips: dict[JobKey, Strip] = {}
        #: The same, as last drawn: on the row's background, cropped to the screen.
        self._lines: dict[JobKey, tuple[tuple[Style, int, int], Strip]] = {}
        #: The columns shown and their widths (:mod:`cfdash.tui.grid_layout`), for the room
        #: last given to :meth:`fit`.
        self._available = 10_000
        self.layout: Layout = plan(COLUMNS, rows.widths, self._available)
        #: The full width of a row, in cells.
        self.width = self.layout.width
        self._styles: dict[str, Style] = {}

    # -- styles -----------------------------------------------------------------------------

    def set_theme(self, variables: Mapping[str, str]) -> None:
        """Resolve style names against the theme's state-* variables; every strip is redrawn."""
        by_phase = phase_styles(variables)
        styles = {f"state-{phase}": Style.parse(style) for phase, style in by_phase.items()}
        styles["dim"] = Style(dim=True)
        styles["note"] = Style(italic=True)
        styles["error"] = styles.get("state-failed", Style(bold=True))
        styles["warning"] = styles.get("state-stalled", Style(bold=True))
        accent = variables.get("accent", "")
        styles["mark"] = Style.parse(f"bold {accent}".strip())
        self._styles = styles
        self.clear()

    def style(self, name: str) -> Style:
        """The theme style a cell is drawn with (without the row's background)."""
        return self._styles.get(name) or Style.null()

    # -- the strip cache --------------------------------------------------------------------

    def clear(self) -> None:
        self._strips.clear()
        self._lines.clear()

    def forget(self, keys: Iterable[JobKey]) -> None:
        for key in keys:
            self._strips.pop(key, None)
            self._lines.pop(key, None)

    # -- geometry ---------------------------------------------------------------------------

    def fit(self, available: int) -> bool:
        """Lay the columns out in ``available`` cells (:func:`~cfdash.tui.grid_layout.plan`);
        True if the layout changed (every strip is then redrawn)."""
        self._available = available
        layout = plan(COLUMNS, self.rows.widths, available)
        if layout == self.layout:
            return False
        self.layout = layout
        self.clear()
        return True

    def measure(self) -> int:
        """The full row width now, laid out again for the widest texts seen so far."""
        self.fit(self._available)
        self.width = self.layout.width
        return self.width

    def column_x(self, key: str) -> int:
        """Where a shown column starts, in content cells (before any sideways scroll)."""
        placed = self.layout.find(key)
        if placed is None:
            raise KeyError(key)
        return placed.x

    def column_at(self, x: int, scroll_x: int = 0) -> Column | None:
        """The column under content cell ``x`` of the screen, scrolled by ``scroll_x``."""
        placed = self.layout.at(x, scroll_x)
        return placed.column if placed is not None else None

    # -- strips -----------------------------------------------------------------------------

    def row_strip(self, key: JobKey) -> Strip:
        strip = self._strips.get(key)
        if strip is None:
            cells = self.rows.cells[key]
            layout = self.layout
            segments = []
            for placed in layout.placed:
                cell = cells[placed.key]
                width = placed.width
                text = cell.text
                if placed.key == "job" and layout.folded:
                    stage = cells.get("stage")
                    text = fold_stage(stage.text if stage is not None else "", text)
                text = fit(text, placed.key, width)
                pad = width - cell_len(text)
                align = placed.column.align
                text = " " * pad + text if align == "right" else text + " " * pad
                style = self._styles.get(cell.style)
                if cell.dim_tail and align == "left" and text.startswith(cell.text):
                    cut = len(cell.text) - cell.dim_tail  # the tail drawn dim (a "?")
                    segments.append(Segment(f" {text[:cut]}", style))
                    segments.append(Segment(f"{text[cut:]} ", (style or Style()) + DIM))
                else:
                    segments.append(Segment(f" {text} ", style))
            strip = self._strips[key] = Strip(segments, layout.width)
        return strip

    def frame(self, strip: Strip, style: Style, scroll_x: int, width: int) -> Strip:
        """``strip`` as the screen shows it, ``width`` cells: the fixed columns, then the rest
        from ``scroll_x`` on."""
        fixed = self.layout.fixed
        if not scroll_x or not fixed or fixed >= width:
            return strip.crop_extend(scroll_x, scroll_x + width, style)
        left = strip.crop_extend(0, fixed, style)
        right = strip.crop_extend(fixed + scroll_x, scroll_x + width, style)
        return Strip.join([left, right])

    def line(self, key: JobKey, style: Style, scroll_x: int, width: int) -> Strip:
        """The row as drawn: on ``style`` (its background), ``width`` cells from ``scroll_x``
        (the fixed columns stay put).

        A changed row on screen is drawn in one pass, not styled, extended and cropped in
        three (each a new ``Strip``); an unchanged one comes from the cache.
        """
        cached = self._lines.get(key)
        if cached is not None and cached[0] == (style, scroll_x, width):
            return cached[1]
        strip = self.row_strip(key)
        length = strip.cell_length
        if scroll_x == 0 and width >= length:
            segments = [Segment(text, style + own) for text, own, _ in strip]
            if width > length:
                segments.append(Segment(" " * (width - length), style))
            line = Strip(segments, width)
        else:  # scrolled sideways, or a screen narrower than the row
            line = self.frame(strip.apply_style(style), style, scroll_x, width)
        self._lines[key] = ((style, scroll_x, width), line)
        return line

    def cursor_line(self, key: JobKey, cursor: Style, scroll_x: int, width: int) -> Strip:
        """The row under the cursor. The cursor wins over state colours (which could vanish
        into its background); the symbol and word still say the state."""
        strip = self.row_strip(key)
        overlay = cursor + Style(reverse=False, dim=False)
        strip = Strip(
            [Segment(text, (own or Style()) + overlay) for text, own, _ in strip],
            strip.cell_length,
        )
        return self.frame(strip, cursor, scroll_x, width)

    def header_line(self, style: Style, scroll_x: int, width: int) -> Strip:
        return self.frame(self.header_strip().apply_style(style), style, scroll_x, width)

    @staticmethod
    def message_line(text: str, style: Style, width: int) -> Strip:
        """A line of the table's own words (why the view is empty), dim; blank without."""
        if not text:
            return Strip.blank(width, style)
        return Strip([Segment(f" {text}", style + DIM)]).crop_extend(0, width, style)

    def header_strip(self) -> Strip:
        segments = []
        for placed in self.layout.placed:
            column, width = placed.column, placed.width
            arrow = ""
            if column.sort is not None and column.sort == self.rows.sort:
                arrow = "▴" if self.rows.sort_reverse else "▾"
            label = header_label(column, width, arrow)
            label = label.rjust(width) if column.align == "right" else label.ljust(width)
            segments.append(Segment(f" {label} "))
        return Strip(segments, self.layout.width)


def line_regions(indexes: Iterable[int], scroll_y: int, height: int, width: int) -> list[Region]:
    """The screen regions of these rows (indexes into the order) that are on screen, runs of
    lines merged: one refresh per run, not per line (each costs a region and a refresh)."""
    lines = sorted(index + 1 - scroll_y for index in indexes if 0 <= index - scroll_y < height)
    regions: list[Region] = []
    for y in lines:
        last = regions[-1] if regions else None
        if last is not None and last.bottom >= y:
            regions[-1] = Region(0, last.y, width, y + 1 - last.y)
        else:
            regions.append(Region(0, y, width, 1))
    return regions
