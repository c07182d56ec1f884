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
from cfdash.tui.grid_layout import Layout, Placed, fit, fold_stage, header_label, plan
from cfdash.tui.grid_rows import GridRows
from cfdash.tui.rows import COLUMNS, Cell, Column
from cfdash.tui.themes import phase_styles
from cfdash.tui.widgets.grid_look import Look

__all__ = ["Frame", "GridPainter", "line_regions"]

DIM = Style(dim=True)


class Frame(NamedTuple):
    """What every line of one render of the job table needs, looked up once per render."""

    offset: Offset
    #: The view left of the vertical scrollbar and above the horizontal one.
    width: int
    height: int
    base: Style
    odd: Style
    cursor: Style
    look: Look | None = None
    #: The column headers' style; None: the widget looks it up.
    header: Style | None = None


class _Part:
    """One cell of a drawn row: the cell it was drawn from (``drawn``; for a folded Job cell,
    with the Stage cell), its segments (``raw``), and the same on the row background ``on``
    through ``look`` (``final``)."""

    __slots__ = ("drawn", "final", "look", "on", "raw")

    def __init__(self) -> None:
        self.drawn: object = None
        self.raw: tuple[Segment, ...] = ()
        self.on: Style | None = None
        self.look: Look | None = None
        self.final: list[Segment] = []


class GridPainter:
    """Row and header strips for one ``GridRows``, cached per row."""

    def __init__(self, rows: GridRows) -> None:
        self.rows = rows
        #: Each drawn row's cells as segments, column by column, with the cell (and for a
        #: folded Job cell, the Stage cell too) they were drawn from: a row whose text changed
        #: draws again only the cells that changed, mostly Progress and Seen. Kept when the
        #: row changes, dropped when it leaves, all dropped with the layout or the theme.
        self._parts: dict[JobKey, list[_Part]] = {}
        #: The blank after a row narrower than the view, on a background through a look.
        self._pads: dict[tuple[int, Style, Look | None], list[Segment]] = {}
        #: Rendered rows without their row background; dropped when the row's text changes.
        self._segments: dict[JobKey, list[Segment]] = {}
        self._strips: dict[JobKey, Strip] = {}
        #: The same, as last drawn: on the row's background, cropped to the screen, through
        #: the ``Look`` it was drawn with.
        self._lines: dict[JobKey, tuple[tuple[Style, int, int, Look | None], Strip]] = {}
        #: The columns shown and their widths (:mod:`cfdash.tui.grid_layout`), for the room
        #: last given to :meth:`fit`.
        self._available = 10_000
        self.layout: Layout = plan(COLUMNS, rows.widths, self._available)
        #: The full width of a row, in cells.
        self.width = self.layout.width
        self._styles: dict[str, Style] = {}
        #: The layout's columns as (key, placed) pairs, with the layout they are of.
        self._placed_keys: tuple[Layout, list[tuple[str, Placed]]] | None = None

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
        self._parts.clear()
        self._pads.clear()
        self._segments.clear()
        self._strips.clear()
        self._lines.clear()

    def forget(self, keys: Iterable[JobKey]) -> None:
        """These rows' text changed: draw them again (their unchanged cells from ``_parts``)."""
        for key in keys:
            self._segments.pop(key, None)
            self._strips.pop(key, None)
            self._lines.pop(key, None)

    def drop(self, keys: Iterable[JobKey]) -> None:
        """These rows left the table: keep nothing of them."""
        for key in keys:
            self._parts.pop(key, None)
            self._segments.pop(key, None)
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

    def _fresh_parts(self, key: JobKey) -> list[_Part]:
        """The row's cells, the changed ones drawn again (their ``final`` is then redone)."""
        cells = self.rows.cells[key]
        layout = self.layout
        placed_keys = self._placed_keys
        if placed_keys is None or placed_keys[0] is not layout:
            placed_keys = self._placed_keys = (layout, [(p.key, p) for p in layout.placed])
        parts = self._parts.get(key)
        if parts is None or len(parts) != len(layout.placed):
            parts = self._parts[key] = [_Part() for _ in layout.placed]
        stage = cells.get("stage") if layout.folded else None
        for part, (column, placed) in zip(parts, placed_keys[1], strict=True):
            cell = cells[column]
            if stage is not None and column == "job":
                drawn: object = (cell, stage)
                folded = stage
            else:
                drawn, folded = cell, None
            seen = part.drawn
            if seen is not drawn and seen != drawn:
                part.drawn, part.on = drawn, None
                part.raw = self._cell_segments(cell, folded, placed)
        return parts

    def row_segments(self, key: JobKey) -> list[Segment]:
        """The row's cells as segments, ``layout.width`` cells, without the row background."""
        segments = self._segments.get(key)
        if segments is None:
            segments = [segment for part in self._fresh_parts(key) for segment in part.raw]
            self._segments[key] = segments
        return segments

    def trim(self, shown: list[JobKey]) -> None:
        """Keep the cells of the rows ``shown`` and not many more: the rows that change while
        on screen are the ones that gain from them, and a long scroll would keep them all."""
        parts = self._parts
        if len(parts) > 2 * len(shown) + 64:
            self._parts = {key: parts[key] for key in shown if key in parts}

    def _cell_segments(self, cell: Cell, stage: Cell | None, placed: Placed) -> tuple[Segment, ...]:
        """One cell, fitted to its column's width and aligned, with a cell of space each side;
        ``stage`` is the Stage cell folded into a Job cell (narrow widths), else None."""
        width = placed.width
        text = cell.text
        if placed.key == "job" and self.layout.folded:
            text = fold_stage(stage.text if stage is not None else "", text)
        text = fit(text, placed.key, width)
        pad = width - cell_len(text)
        align = placed.column.align
        text = " " * pad + text if align == "right" else text + " " * pad
        style = self._styles.get(cell.style)
        if cell.dim_tail and align == "left" and text.startswith(cell.text):
            cut = len(cell.text) - cell.dim_tail  # the tail drawn dim (a "?")
            return (
                Segment(f" {text[:cut]}", style),
                Segment(f"{text[cut:]} ", (style or Style()) + DIM),
            )
        return (Segment(f" {text} ", style),)

    def row_strip(self, key: JobKey) -> Strip:
        strip = self._strips.get(key)
        if strip is None:
            strip = self._strips[key] = Strip(self.row_segments(key), self.layout.width)
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

    def line(
        self, key: JobKey, style: Style, scroll_x: int, width: int, look: Look | None = None
    ) -> Strip:
        """The row as drawn: on ``style`` (its background), ``width`` cells from ``scroll_x``
        (the fixed columns stay put), through ``look`` (the app's line filters).

        A changed row on screen is drawn in one pass, not styled, extended, cropped and
        filtered in four (each a new ``Strip``); an unchanged one comes from the cache.
        """
        drawn = (style, scroll_x, width, look)
        cached = self._lines.get(key)
        if cached is not None and cached[0] == drawn:
            return cached[1]
        layout_width = self.layout.width
        if scroll_x == 0 and width >= layout_width and (look is None or look.cellwise):
            segments: list[Segment] = []
            for part in self._fresh_parts(key):
                # Cells the row's change left alone keep what they were drawn as.
                if (
                    part.on is None
                    or (part.on is not style and part.on != style)
                    or (part.look is not look and part.look != look)
                ):
                    styled = [Segment(text, style + own) for text, own, _ in part.raw]
                    part.final = look.apply(styled) if look is not None else styled
                    part.on, part.look = style, look
                segments.extend(part.final)
            if width > layout_width:
                segments.extend(self._pad(width - layout_width, style, look))
            line = Strip(segments, width)
        else:  # scrolled sideways, a screen narrower than the row, or a filter of a line
            strip = self.row_strip(key)
            segments = list(self.frame(strip.apply_style(style), style, scroll_x, width))
            line = look.finish(segments, width) if look is not None else Strip(segments, width)
        self._lines[key] = (drawn, line)
        return line

    def _pad(self, cells: int, style: Style, look: Look | None) -> list[Segment]:
        pad = self._pads.get((cells, style, look))
        if pad is None:
            if len(self._pads) > 32:  # one per width and background seen: resizes add up
                self._pads.clear()
            pad = [Segment(" " * cells, style)]
            pad = self._pads[(cells, style, look)] = look.apply(pad) if look else pad
        return pad

    def cursor_line(
        self, key: JobKey, cursor: Style, scroll_x: int, width: int, look: Look | None = None
    ) -> Strip:
        """The row under the cursor. The cursor wins over state colours (which could vanish
        into its background); the symbol and word still say the state."""
        overlay = cursor + Style(reverse=False, dim=False)
        strip = Strip(
            [Segment(text, (own or Style()) + overlay) for text, own, _ in self.row_segments(key)],
            self.layout.width,
        )
        return _finish(self.frame(strip, cursor, scroll_x, width), look)

    def header_line(
        self, style: Style, scroll_x: int, width: int, look: Look | None = None
    ) -> Strip:
        line = self.frame(self.header_strip().apply_style(style), style, scroll_x, width)
        return _finish(line, look)

    @staticmethod
    def message_line(text: str, style: Style, width: int, look: Look | None = None) -> Strip:
        """A line of the table's own words (why the view is empty), dim; blank without."""
        if not text:
            line = Strip.blank(width, style)
        else:
            line = Strip([Segment(f" {text}", style + DIM)]).crop_extend(0, width, style)
        return _finish(line, look)

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


def _finish(line: Strip, look: Look | None) -> Strip:
    return line if look is None else look.finish(list(line), line.cell_length)


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
