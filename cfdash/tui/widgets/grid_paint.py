"""Drawing the job table: column widths, the theme's styles, and one cached strip per row.

``JobGrid`` owns the cursor, scrolling and input; this turns ``GridRows``' cell texts into
``Strip``s and keeps them until a row's text, the theme or the width changes.  No Textual
widget here, so it is the same code whatever scrolls it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from cfdash.engine.tracking import JobKey
from cfdash.tui.grid_rows import GridRows
from cfdash.tui.rows import COLUMNS, Column
from cfdash.tui.themes import phase_styles

__all__ = ["GridPainter"]

DIM = Style(dim=True)


class GridPainter:
    """Row and header strips for one ``GridRows``, cached per row."""

    def __init__(self, rows: GridRows) -> None:
        self.rows = rows
        #: Rendered rows without their row background; dropped when the row's text changes.
        self._strips: dict[JobKey, Strip] = {}
        #: The same, as last drawn: on the row's background, cropped to the screen.
        self._lines: dict[JobKey, tuple[tuple[Style, int, int], Strip]] = {}
        self._flex_width = 16
        #: The full width of a row, in cells.
        self.width = 0
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

    def width_of(self, column: Column) -> int:
        if column.flex:
            return self._flex_width
        return column.width if column.width is not None else self.rows.widths[column.key]

    def fit_flex(self, available: int) -> bool:
        """Give the flexible column (the error) what the others leave of ``available`` cells;
        True if its width changed."""
        flex = next((column for column in COLUMNS if column.flex), None)
        if flex is None:
            return False
        others = sum(self.width_of(c) + 2 for c in COLUMNS if not c.flex)
        spare = available - others - 2
        width = max(flex.width or 8, min(flex.max_width, spare))
        if width == self._flex_width:
            return False
        self._flex_width = width
        self.clear()
        return True

    def measure(self) -> int:
        """The full row width now (after ``fit_flex``)."""
        self.width = sum(self.width_of(column) + 2 for column in COLUMNS)
        return self.width

    def column_x(self, key: str) -> int:
        """Where a column starts, in content cells."""
        x = 0
        for column in COLUMNS:
            if column.key == key:
                return x
            x += self.width_of(column) + 2
        raise KeyError(key)

    def column_at(self, x: int) -> Column | None:
        start = 0
        for column in COLUMNS:
            end = start + self.width_of(column) + 2
            if start <= x < end:
                return column
            start = end
        return None

    # -- strips -----------------------------------------------------------------------------

    def row_strip(self, key: JobKey) -> Strip:
        strip = self._strips.get(key)
        if strip is None:
            cells = self.rows.cells[key]
            segments = []
            for column in COLUMNS:
                cell = cells[column.key]
                width = self.width_of(column)
                text = cell.text
                if cell_len(text) > width:
                    text = set_cell_size(text, width - 1) + "…"
                pad = width - cell_len(text)
                text = " " * pad + text if column.align == "right" else text + " " * pad
                style = self._styles.get(cell.style)
                if cell.dim_tail and column.align == "left" and text.startswith(cell.text):
                    cut = len(cell.text) - cell.dim_tail  # the tail drawn dim (a "?")
                    segments.append(Segment(f" {text[:cut]}", style))
                    segments.append(Segment(f"{text[cut:]} ", (style or Style()) + DIM))
                else:
                    segments.append(Segment(f" {text} ", style))
            strip = self._strips[key] = Strip(segments, self.width)
        return strip

    def line(self, key: JobKey, style: Style, start: int, end: int) -> Strip:
        """The row as drawn: on ``style`` (its background), cells ``start`` to ``end``.

        A changed row on screen is drawn in one pass, not styled, extended and cropped in
        three (each a new ``Strip``); an unchanged one comes from the cache.
        """
        cached = self._lines.get(key)
        if cached is not None and cached[0] == (style, start, end):
            return cached[1]
        strip = self.row_strip(key)
        length = strip.cell_length
        if start == 0 and end >= length:
            segments = [Segment(text, style + own) for text, own, _ in strip]
            if end > length:
                segments.append(Segment(" " * (end - length), style))
            line = Strip(segments, end)
        else:  # scrolled sideways, or a screen narrower than the row
            line = strip.apply_style(style).crop_extend(start, end, style)
        self._lines[key] = ((style, start, end), line)
        return line

    def header_strip(self) -> Strip:
        segments = []
        for column in COLUMNS:
            width = self.width_of(column)
            label = column.label
            if column.sort == self.rows.sort:
                label = f"{label} {'▴' if self.rows.sort_reverse else '▾'}"
            label = set_cell_size(label, width)
            if column.align == "right":
                label = label.strip().rjust(width)
            segments.append(Segment(f" {label} "))
        return Strip(segments, self.width)
