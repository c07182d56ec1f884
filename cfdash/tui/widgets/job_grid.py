"""The job table: a line-API widget that re-renders only the rows whose text changed.

What the rows say and in which order is ``GridRows``' business (cfdash/tui/grid_rows.py);
turning them into cached strips is ``GridPainter``'s (grid_paint.py); handing those to the
compositor is ``GridView``'s (grid_view.py); this widget keeps the cursor, takes keys and
clicks, and refreshes only the lines a change touched.

Textual's DataTable keys its line cache to one counter that every ``update_cell`` bumps, so
any change re-renders every visible row; at a thousand jobs that is most of a core. Here each
row keeps its cell texts and one rendered ``Strip``; a poll re-renders only the rows it
changed, the tick only the rows whose countdown moved, and only visible lines are refreshed.
Rows a poll changed off screen are not even rendered to cells until they scroll in: every
line drawn first asks ``GridRows.catch_up``. Poll results can be deferred to the next tick so
every account's poll and the countdown land in one frame.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import ClassVar

from rich.style import Style
from textual import events
from textual.binding import BindingType
from textual.message import Message

from cfdash.engine.tracking import JobKey, Tracker
from cfdash.tui.bindings import bindings_for
from cfdash.tui.grid_rows import DEFAULT_VIEW, GridRows, Redraw, View
from cfdash.tui.widgets.grid_paint import line_regions
from cfdash.tui.widgets.grid_view import GridView

__all__ = ["JobGrid"]


class JobGrid(GridView, can_focus=True):
    """One row per tracked job, keyed by (account, job id); header fixed at the top."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "job-grid--header",
        "job-grid--cursor",
        "job-grid--odd",
    }

    DEFAULT_CSS = """
    JobGrid {
        height: 1fr;
        scrollbar-size-vertical: 1;
        background: $surface;
        color: $foreground;
    }
    JobGrid > .job-grid--header { background: $panel; color: $foreground; text-style: bold; }
    JobGrid > .job-grid--odd { background: $surface-lighten-1; }
    JobGrid > .job-grid--cursor {
        background: $block-cursor-blurred-background;
        color: $block-cursor-blurred-foreground;
        text-style: bold;
    }
    JobGrid:focus > .job-grid--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = bindings_for("table")

    @dataclass
    class RowSelected(Message):
        """Enter (or a click on the selected row): show this job's details."""

        key: JobKey

    @dataclass
    class SortChanged(Message):
        """A header click changed the sort."""

        label: str

    def __init__(
        self,
        tracker: Tracker,
        clock: Callable[[], float],
        *,
        stale_after: Mapping[str, float] | None = None,
        view: View = DEFAULT_VIEW,
        id: str | None = None,
    ) -> None:
        super().__init__(GridRows(tracker, clock, stale_after, view), id=id)
        self.tracker = tracker
        #: Until the user picks a row, the cursor stays at the top as rows arrive; after,
        #: it follows the picked job wherever sorting or new rows move it.
        self._picked = False

    # -- what the screen reads --------------------------------------------------------------

    @property
    def row_count(self) -> int:
        return len(self.rows)

    @property
    def row_keys(self) -> list[JobKey]:
        """The visible rows, in the order shown."""
        return list(self.rows.order)

    def cell_text(self, key: JobKey, column: str) -> str:
        return self.rows.cell_text(key, column)

    def row_text(self, key: JobKey) -> str:
        return self.rows.row_text(key)

    def cell_style(self, key: JobKey, column: str) -> Style:
        """The theme style a cell is drawn with (without the row's background)."""
        self.rows.catch_up(key)
        return self.painter.style(self.rows.cells[key][column].style)

    @property
    def view(self) -> View:
        """The sort and filters in force (what the state file keeps)."""
        return self.rows.view

    # The view's parts, as ``GridRows`` keeps them.
    filter_text = property(lambda self: self.rows.filter_text)
    failed_only = property(lambda self: self.rows.failed_only)
    hide_finished = property(lambda self: self.rows.hide_finished)
    release = property(lambda self: self.rows.release)
    sort = property(lambda self: self.rows.sort)
    sort_label = property(lambda self: self.rows.sort_label)
    marked = property(lambda self: self.rows.marked)

    @property
    def cursor_row(self) -> int:
        return self.cursor

    # -- geometry, styles and lines: GridView (grid_view.py) ---------------------------------

    def on_mount(self) -> None:
        self.refresh_styles()
        self.show_all()
        self.app.theme_changed_signal.subscribe(self, self.refresh_styles)

    def _visible(self) -> range:
        """The rows on screen, as indexes into the order."""
        top = self.scroll_offset.y
        return range(top, top + max(1, self.size.height - 1))

    def _refresh_rows(self, indexes: Iterable[int]) -> None:
        """Repaint these rows if on screen, as one refresh of runs of lines (one call per
        line costs a region and a refresh each, for up to a screenful of lines)."""
        width = max(self.virtual_size.width, self.size.width)
        regions = line_regions(indexes, self.scroll_offset.y, self.size.height, width)
        if regions:
            self.refresh(*regions)

    def _redraw(self, redraw: Redraw, selected: JobKey | None) -> None:
        """Drop stale strips and refresh what ``redraw`` says: a few lines, or all of them."""
        self.painter.forget(redraw.touched)
        self.painter.drop(redraw.left)
        if redraw.widened:
            self.painter.clear()
        if redraw.reordered or redraw.widened:
            index = self.rows.index
            if self._picked and selected in index:
                self.cursor = index[selected]
            self.cursor = max(0, min(self.cursor, len(self.rows) - 1))
            self._update_virtual_size()
            self.refresh()
            return
        index = self.rows.index
        self._refresh_rows(index[key] for key in redraw.touched)

    # -- what the screen calls --------------------------------------------------------------

    def show_all(self) -> None:
        """Rebuild the visible set from the tracker: the filter or the sort changed."""
        self._redraw(self.rows.rebuild(), self.selected_key)

    def apply(
        self,
        added: Iterable[JobKey],
        changed: Iterable[JobKey],
        removed: Iterable[JobKey],
        *,
        defer: bool = False,
    ) -> None:
        """Take the rows one poll (or action) changed; with ``defer``, render them at ``flush``."""
        gone = tuple(removed)
        if gone:
            self._redraw(self.rows.remove(*gone), self.selected_key)
        self.rows.pending.update(added)
        self.rows.pending.update(changed)
        if not defer:
            self.flush()

    def flush(self) -> None:
        """Render what changed since the last flush: only those rows' lines are refreshed."""
        self._redraw(self.rows.flush(self._visible()), self.selected_key)

    def tick(self) -> None:
        """Once a second: deferred poll results, then the countdowns and ages on screen."""
        self._redraw(self.rows.tick(self._visible()), self.selected_key)

    def set_stalled(self, stalled: frozenset[JobKey], changed: Iterable[JobKey]) -> None:
        """New stall flags; ``changed`` rows are redrawn at the next flush."""
        self.rows.set_stalled(stalled, changed)

    def set_filter(
        self,
        text: str | None = None,
        failed_only: bool | None = None,
        hide_finished: bool | None = None,
        **release,
    ):
        """Filter by text, failed-only, hide-finished and (``release=``) one image version."""
        redraw = self.rows.set_filter(text, failed_only, hide_finished=hide_finished, **release)
        self._redraw(redraw, self.selected_key)

    def sort_by(self, sort: str) -> str:
        """Sort by ``sort``; asking for the current sort again reverses it."""
        self._redraw(self.rows.sort_by(sort), self.selected_key)
        return self.sort_label

    def reverse_sort(self) -> str:
        self._redraw(self.rows.reverse_sort(), self.selected_key)
        return self.sort_label

    def cycle_sort(self) -> str:
        self._redraw(self.rows.cycle_sort(), self.selected_key)
        return self.sort_label

    def set_marks(self, keys: Iterable[JobKey], marked: bool = True) -> None:
        """Mark (or unmark) these jobs; their rows are redrawn at once."""
        self.rows.set_marks(keys, marked)
        self.flush()

    def toggle_mark(self, key: JobKey) -> bool:
        """Flip the mark of ``key``; True if it is now marked."""
        marked = key not in self.rows.marked
        self.set_marks([key], marked)
        return marked

    def clear_marks(self) -> int:
        count = len(self.rows.marked)
        self.set_marks(list(self.rows.marked), False)
        return count

    # -- selection --------------------------------------------------------------------------

    @property
    def selected_key(self) -> JobKey | None:
        if 0 <= self.cursor < len(self.rows):
            return self.rows.order[self.cursor]
        return None

    def select(self, key: JobKey) -> None:
        if key in self.rows.index:
            self._move_to(self.rows.index[key])

    def _move_to(self, index: int) -> None:
        if not len(self.rows):
            return
        self._picked = True
        index = max(0, min(index, len(self.rows) - 1))
        old, self.cursor = self.cursor, index
        self._refresh_rows([old, index])
        visible = max(1, self.size.height - 1)
        scroll_y = self.scroll_offset.y
        if index < scroll_y:
            self.scroll_to(y=index, animate=False)
        elif index >= scroll_y + visible:
            self.scroll_to(y=index - visible + 1, animate=False)

    def action_cursor(self, delta: int) -> None:
        self._move_to(self.cursor + delta)

    def action_page(self, direction: int) -> None:
        self._move_to(self.cursor + direction * max(1, self.size.height - 2))

    def action_jump(self, index: int) -> None:
        self._move_to(index if index >= 0 else len(self.rows) - 1)

    def action_column(self, delta: int) -> None:
        """``→``/``←``: scroll sideways by one whole column; the fixed ones stay put."""
        target = self.painter.layout.step(self.scroll_offset.x, delta, self.max_scroll_x)
        self.scroll_to(x=target, animate=False)

    def action_choose(self) -> None:
        key = self.selected_key
        if key is not None:
            self.post_message(self.RowSelected(key))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        scroll_x, scroll_y = self.scroll_offset
        if offset.y == 0:
            column = self.painter.column_at(offset.x, scroll_x)
            if column is not None and column.sort is not None:
                self.post_message(self.SortChanged(self.sort_by(column.sort)))
            return
        index = scroll_y + offset.y - 1
        if index >= len(self.rows):
            return
        if index == self.cursor:
            self.action_choose()
        else:
            self._move_to(index)
