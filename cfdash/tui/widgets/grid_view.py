"""The job table's geometry, styles and lines: what Textual asks of a line-API widget.

``JobGrid`` (job_grid.py) adds the cursor, keys, clicks and which lines to refresh; this
fits the columns to the width and hands the compositor each line from ``GridPainter``'s
cache (grid_paint.py), the short way when Textual's styling has nothing to add
(grid_look.py).
"""

from __future__ import annotations

from rich.style import Style
from textual.color import Color
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from cfdash.tui.grid_rows import GridRows
from cfdash.tui.textual_compat import styled_as
from cfdash.tui.widgets.grid_look import Look, plain
from cfdash.tui.widgets.grid_paint import Frame, GridPainter
from cfdash.tui.widgets.grid_scrollbar import grow_quietly

__all__ = ["GridView"]

#: The component classes a frame draws with (their Rich styles are kept; see ``_styles``).
COMPONENTS = ("job-grid--odd", "job-grid--cursor", "job-grid--header")


class GridView(ScrollView):
    """A scrolling view of ``GridRows``: a header line, then one line per row."""

    def __init__(self, rows: GridRows, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows = rows
        self.painter = GridPainter(rows)
        #: The row under the cursor, as an index into the order.
        self.cursor = 0
        #: Drawn in the first line when no row is in view: why, and how to leave that view.
        self.empty_text = ""
        self._frame: Frame | None = None
        #: Whether the last render took the short way (``render_lines``), None before any.
        self._plain_drawn: bool | None = None
        self._look: Look | None = None
        #: The widget's style, its components' (``COMPONENTS``) and its background, with the
        #: component style objects they were worked out from (see :meth:`_styles`).
        self._styled: tuple[tuple[object, ...], tuple[Style, Style, Style, Style, Color]] | None
        self._styled = None

    def refresh_styles(self, _theme: object = None) -> None:
        """Resolve style names against the theme's state-* variables; again on a change."""
        self.painter.set_theme(self.app.theme_variables)
        self.refresh()

    def notify_style_update(self) -> None:
        # The component classes (cursor, zebra, header) come from CSS: redraw with them.
        super().notify_style_update()
        self._styled = None
        self.painter.clear()

    def _fit(self) -> bool:
        # Leave room for the vertical scrollbar whether or not it shows yet: it appears when
        # rows outgrow the screen, and would otherwise push the last column off the edge.
        return self.painter.fit(self.size.width - self.styles.scrollbar_size_vertical)

    def on_resize(self) -> None:
        if self._fit():
            self._update_virtual_size()
            self.refresh()

    def _update_virtual_size(self) -> None:
        self._fit()
        size = Size(self.painter.measure(), len(self.rows) + 1)
        if size == self.virtual_size:
            return
        # A rollout adds rows every second: under a scrollbar that shows already, only the
        # scrollbar changes (cfdash/tui/widgets/grid_scrollbar.py).
        if grow_quietly(self, size):
            return
        self.virtual_size = size

    def column_x(self, key: str) -> int:
        """Where a column starts, in content cells (for clicks in tests)."""
        return self.painter.column_x(key)

    # -- rendering --------------------------------------------------------------------------

    def _styles(self) -> tuple[Style, Style, Style, Style, Color]:
        """The widget's Rich style, its odd-row, cursor and header styles, and its background.

        Textual works each out again at every refresh (walking every ancestor, ~0.3 ms a
        frame); they change only when the stylesheet styles the widget again, which
        :func:`styled_as` tells.
        """
        seen = styled_as(self, COMPONENTS)
        styled = self._styled
        if styled is not None and all(a is b for a, b in zip(styled[0], seen, strict=True)):
            return styled[1]
        odd, cursor, header = (self.get_component_rich_style(name) for name in COMPONENTS)
        styles = (self.rich_style, odd, cursor, header, self.background_colors[1])
        self._styled = (seen, styles)
        return styles

    def _make_frame(self, look: Look | None = None) -> Frame:
        view = self.scrollable_content_region
        base, odd, cursor, header, _ = self._styles()
        return Frame(self.scroll_offset, view.width, view.height, base, odd, cursor, look, header)

    def render_lines(self, crop: Region) -> list[Strip]:
        """The lines of ``crop``, straight from the painter's cache when Textual's styling has
        nothing to add (see :func:`plain`); through Textual's ``StylesCache`` otherwise.

        Textual draws every line of a widget through its ``StylesCache`` (border, padding,
        tint, opacity: none of which this widget has), builds a new ``Strip`` there, then one
        more for each of the app's line filters, every frame. Here each row's line is kept as
        it leaves the filters (``Inert`` among them, so the terminal guard holds for every
        line), and a changed row costs one ``Strip``. The lines are as wide as the view left of
        the scrollbar, so the compositor has nothing to cut off either.
        """
        short = plain(self)
        if short is not self._plain_drawn:  # lines either way kept from before are stale
            self._plain_drawn = short
            self._styles_cache.clear()
        if not short:
            self._frame = self._make_frame()
            try:
                return super().render_lines(crop)
            finally:
                self._frame = None
        look = Look.of(tuple(self.get_line_filters()), self._styles()[4])
        if look == self._look:  # the same object while it is the same: cheap to compare
            look = self._look
        self._look = look
        frame = self._frame = self._make_frame(look)
        try:
            lines = [self._line(frame, y) for y in crop.line_range]
        finally:
            self._frame = None
        top = frame.offset.y
        self.painter.trim(self.rows.order[top : top + frame.height])
        x1, x2 = crop.column_span
        if x1 or x2 < frame.width:
            lines = [line.crop(x1, x2) for line in lines]
        return lines

    def _line(self, frame: Frame, y: int) -> Strip:
        if y >= frame.height:  # under the horizontal scrollbar
            return self.painter.message_line("", frame.base, frame.width, frame.look)
        return self._draw(frame, y)

    def render_line(self, y: int) -> Strip:
        return self._draw(self._frame or self._make_frame(), y)

    def _draw(self, frame: Frame, y: int) -> Strip:
        """Line ``y`` of the view (0 is the header), through ``frame.look`` if it has one."""
        (scroll_x, scroll_y), width, look = frame.offset, frame.width, frame.look
        if y == 0:
            style = frame.header or self.get_component_rich_style("job-grid--header")
            return self.painter.header_line(style, scroll_x, width, look)
        index = scroll_y + y - 1
        if index >= len(self.rows):
            # An empty view says why, and the way out, in its first line.
            text = self.empty_text if index == 0 else ""
            return self.painter.message_line(text, frame.base, width, look)
        key = self.rows.order[index]
        if self.rows.catch_up(key):  # scrolled into view since it changed or the last tick
            self.painter.forget([key])
            if self.rows.grew:  # and it widened a column: every line again, next frame
                self.rows.grew = False
                self.painter.clear()
                self.call_later(self._widened)
        if index != self.cursor:
            style = frame.odd if index % 2 else frame.base
            return self.painter.line(key, style, scroll_x, width, look)
        return self.painter.cursor_line(key, frame.cursor, scroll_x, width, look)

    def _widened(self) -> None:
        self._update_virtual_size()
        self.refresh()
