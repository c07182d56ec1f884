"""The job table's rows without the widget: which jobs show, in what order, saying what.

Filtering, sorting, marks, stall flags and the rows a poll left pending all live here as plain
data, so the widget (``JobGrid``) only turns rows into strips and lines into frames. Each
``flush``/``tick`` reports exactly what the screen must redraw.

**Work in proportion to what changed and what is on screen.** A poll at a thousand rows can
change all of them while the screen shows forty. ``flush`` sorts the changed rows into place,
but builds cells only for the rows in view; the others are marked *dirty* and built when they
scroll in (``catch_up``, which the widget calls for every line it draws — the same path that
brings an off-screen row's countdown up to date). The order is kept incrementally too
(``RowOrder``, cfdash/tui/row_order.py): a changed row moves only if its sort key did.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from rich.cells import cell_len

from cfdash.engine.tracking import JobKey, TrackedJob, Tracker
from cfdash.tui.grid_layout import FOLDED_JOB, fold_stage
from cfdash.tui.row_order import FIXED_SORTS, RowOrder
from cfdash.tui.rows import (
    COLUMNS,
    CYCLED,
    SORTS,
    Cell,
    cells_for,
    matches,
    ticking_cells,
)

__all__ = ["DEFAULT_SORT", "DEFAULT_VIEW", "GridRows", "Redraw", "View"]

_UNSET = object()

#: The order rows come in until the user picks another.
DEFAULT_SORT = "account"


@dataclass(frozen=True, slots=True)
class View:
    """What the user chose to see — the sort and the filters — as the state file keeps it."""

    sort: str = DEFAULT_SORT
    sort_reverse: bool = False
    text: str = ""
    failed_only: bool = False
    #: One release (target image version) only; None shows every release.
    release: int | None = None
    #: Leave out the jobs that ended (Finished, Complete, Squashed).
    hide_finished: bool = False

    def unseen(self) -> str:
        """The filters the table does not show (no box, no arrow): "" when there are none."""
        hidden = ["failed jobs only"] if self.failed_only else []
        hidden += [f"release v{self.release} only"] if self.release is not None else []
        hidden += ["finished jobs hidden"] if self.hide_finished else []
        return " and ".join(hidden)


#: Every row, in the default order: what a first start shows.
DEFAULT_VIEW = View()


@dataclass
class Redraw:
    """What the widget must redraw after a change."""

    #: The order (or set) of rows changed: every visible line.
    reordered: bool = False
    #: An auto-width column grew: every row's strip is stale.
    widened: bool = False
    #: Rows whose cells changed (their strips are stale, their lines need refreshing).
    touched: list[JobKey] = field(default_factory=list)
    #: Rows that left the view (their strips can go).
    left: list[JobKey] = field(default_factory=list)

    def __bool__(self) -> bool:
        return self.reordered or self.widened or bool(self.touched or self.left)


class GridRows:
    """The visible rows of the job table and their cell texts."""

    def __init__(
        self,
        tracker: Tracker,
        clock: Callable[[], float],
        stale_after: Mapping[str, float] | None = None,
        view: View = DEFAULT_VIEW,
    ) -> None:
        self.tracker = tracker
        self.clock = clock
        self.stale_after = dict(stale_after or {})
        self.filter_text = view.text.strip()
        self.failed_only = view.failed_only
        self.hide_finished = view.hide_finished
        #: Show one release (target_imageversionid) only; None shows all.
        self.release: int | None = view.release
        # A sort the state file names but this version lacks falls back to the default.
        self.sort = view.sort if view.sort in SORTS else DEFAULT_SORT
        self.sort_reverse = view.sort_reverse and view.sort in SORTS
        #: Jobs marked for a bulk action (space, ctrl+a, x).
        self.marked: set[JobKey] = set()
        #: Jobs flagged STALLED (by the screen's stall detector).
        self.stalled: frozenset[JobKey] = frozenset()
        #: The rows shown, in order (``order``, and ``index`` of each).
        self.ordering = RowOrder(tracker)
        self.cells: dict[JobKey, dict[str, Cell]] = {}
        #: Rows whose cells are out of date: changed while off screen, built when shown.
        self.dirty: set[JobKey] = set()
        #: A row built late (scrolled into view) widened an auto-width column: every strip is
        #: stale. The widget reads and clears it.
        self.grew = False
        #: Widest text seen per auto-width column (never shrinks between rebuilds).
        self.widths = {column.key: cell_len(column.label) for column in COLUMNS}
        self.widths[FOLDED_JOB] = 0  # the Job cell with the stage folded in, at its widest
        #: Rows changed since the last flush (a deferred poll, a mark, a stall flag).
        self.pending: set[JobKey] = set()
        #: The clock-driven cells (ETA countdown, age) are brought up to date only for rows
        #: on screen; ``ticked`` says when each row last was, ``last_tick`` when the tick ran.
        self.last_tick = clock()
        self.ticked: dict[JobKey, float] = {}

    # -- reading ----------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.ordering.order)

    @property
    def order(self) -> list[JobKey]:
        """The rows shown, top to bottom."""
        return self.ordering.order

    @property
    def index(self) -> dict[JobKey, int]:
        """Each shown row's position in :attr:`order`."""
        return self.ordering.index

    def cell_text(self, key: JobKey, column: str) -> str:
        self.catch_up(key)
        return self.cells[key][column].text

    def row_text(self, key: JobKey) -> str:
        self.catch_up(key)
        return " ".join(cell.text for cell in self.cells[key].values())

    @property
    def view(self) -> View:
        return View(
            self.sort,
            self.sort_reverse,
            self.filter_text,
            self.failed_only,
            self.release,
            self.hide_finished,
        )

    @property
    def sort_label(self) -> str:
        label = SORTS[self.sort][0]
        return f"{label}, reversed" if self.sort_reverse else label

    def wanted(self, job: TrackedJob) -> bool:
        return matches(job, self.filter_text, self.failed_only, self.release, self.hide_finished)

    def _shows_all(self) -> bool:
        """No filter is set: every tracked job is wanted."""
        return not (
            self.filter_text or self.failed_only or self.hide_finished or self.release is not None
        )

    def _cells_of(self, job: TrackedJob, now: float) -> dict[str, Cell]:
        key = job.key
        self.ticked[key] = now
        return cells_for(job, now, self.stale_after, key in self.stalled, key in self.marked)

    def _measure(self, keys: Iterable[JobKey]) -> bool:
        """Widen auto-width columns for these rows' texts; True if any column grew."""
        grew = False
        for column in COLUMNS:
            if column.width is not None or column.flex:
                continue
            widest = self.widths[column.key]
            for key in keys:
                widest = max(widest, cell_len(self.cells[key][column.key].text))
            widest = min(widest, column.max_width)
            if widest > self.widths[column.key]:
                self.widths[column.key], grew = widest, True
        folded = self.widths[FOLDED_JOB]
        for key in keys:
            cells = self.cells[key]
            folded = max(folded, cell_len(fold_stage(cells["stage"].text, cells["job"].text)))
        if folded > self.widths[FOLDED_JOB]:
            self.widths[FOLDED_JOB], grew = folded, True
        return grew

    def _update_cells(self, key: JobKey, cells: Mapping[str, Cell]) -> bool:
        """Store new cell values; True only if some text or style changed."""
        current = self.cells[key]
        if len(cells) == len(current):  # a whole row: compared and copied in C
            if current == cells:
                return False
            current.update(cells)
            return True
        changed = False
        for column, cell in cells.items():
            if current.get(column) != cell:
                current[column] = cell
                changed = True
        return changed

    # -- changing ---------------------------------------------------------------------------

    def rebuild(self) -> Redraw:
        """Recompute the visible set from the tracker: the filter or the sort changed."""
        now = self.clock()
        jobs = self.tracker.jobs
        wanted = [key for key, job in jobs.items() if self.wanted(job)]
        for key in wanted:
            if key not in self.cells:
                self.cells[key] = self._cells_of(jobs[key], now)
        keep = set(wanted)
        left = [key for key in self.cells if key not in keep]
        for key in left:
            self._forget(key)
        self._measure(wanted)
        self.ordering.reset(wanted, self.sort, self.sort_reverse)
        return Redraw(reordered=True, widened=True, left=left)

    def _forget(self, key: JobKey) -> None:
        del self.cells[key]
        self.ticked.pop(key, None)
        self.dirty.discard(key)

    def remove(self, *keys: JobKey) -> Redraw:
        """Take these rows out (untracked, or dropped after finishing), in one pass."""
        self.pending.difference_update(keys)
        left = [key for key in keys if key in self.index]
        if not left:
            return Redraw()
        for key in left:
            self._forget(key)
        self.ordering.place([], [], left)
        return Redraw(reordered=True, left=left)

    def flush(self, visible: range | None = None) -> Redraw:
        """Bring the pending rows up to date; says which lines to redraw.

        Rows are filtered and sorted into place, but only those in ``visible`` (indexes into
        the order, as it is after the flush; None: every row) get their cells built now; the
        rest are marked dirty and built when shown. New rows are built at once, to size the
        auto-width columns.
        """
        if not self.pending:
            return Redraw()
        pending, self.pending = self.pending, set()
        now = self.clock()
        jobs, index, dirty, ordering = self.tracker.jobs, self.index, self.dirty, self.ordering
        entered: list[JobKey] = []
        moved: list[JobKey] = []
        redraw = Redraw()
        filtered = not self._shows_all()
        if not filtered and ordering.sort in FIXED_SORTS:
            # Nothing filters and a change never moves a row: the rows already shown only
            # become dirty, in set operations (a poll at a thousand rows changes them all).
            shown = pending & index.keys()
            gone = shown - jobs.keys()
            kept = shown - gone if gone else shown
            dirty |= kept
            pending -= kept
        for key in pending:
            job = jobs.get(key)
            if job is None or (filtered and not self.wanted(job)):
                if key in index:
                    redraw.left.append(key)
            elif key not in index:
                self.cells[key] = self._cells_of(job, now)
                ordering.enter(key, job)
                entered.append(key)
            else:
                dirty.add(key)
                if ordering.moved(key, job):
                    moved.append(key)
        for key in redraw.left:
            self._forget(key)
        redraw.widened = self._measure(entered)
        redraw.reordered = ordering.place(entered, moved, redraw.left)
        if visible is None:
            due = list(dirty)
        else:
            due = [key for key in self.order[visible.start : visible.stop] if key in dirty]
        built = [key for key in due if self._build(key, now)]
        redraw.touched = built
        redraw.widened = self._measure(built) or redraw.widened
        return redraw

    def tick(self, visible: range | None = None) -> Redraw:
        """Pending rows, then the countdowns and ages of the rows on screen (``visible``
        indexes into the order; None means all). Rows off screen catch up when shown."""
        self.last_tick = self.clock()  # first: rows the flush builds are as new as the tick
        redraw = self.flush(visible)
        window = self.order if visible is None else self.order[visible.start : visible.stop]
        touched = set(redraw.touched)
        for key in window:
            if self.catch_up(key) and key not in touched:
                redraw.touched.append(key)
        return redraw

    def _build(self, key: JobKey, now: float) -> bool:
        """Build a dirty row's cells; True if some text or style changed."""
        self.dirty.discard(key)
        job = self.tracker.jobs.get(key)
        if job is None or key not in self.cells:
            return False
        return self._update_cells(key, self._cells_of(job, now))

    def catch_up(self, key: JobKey) -> bool:
        """Bring a row up to date for showing it: its cells if it changed while off screen,
        else its clock-driven cells to the last tick. True if its text changed."""
        if key in self.dirty:
            changed = self._build(key, self.clock())
            if changed and self._measure([key]):
                self.grew = True
            return changed
        if self.ticked.get(key, -1.0) >= self.last_tick:  # built since the tick: up to date
            return False
        job = self.tracker.jobs.get(key)
        if job is None or key not in self.cells:
            return False
        self.ticked[key] = self.last_tick
        return self._update_cells(key, ticking_cells(job, self.last_tick, self.stale_after))

    def set_filter(
        self,
        text: str | None = None,
        failed_only: bool | None = None,
        release: int | object | None = _UNSET,
        hide_finished: bool | None = None,
    ) -> Redraw:
        if text is not None:
            self.filter_text = text.strip()
        if failed_only is not None:
            self.failed_only = failed_only
        if hide_finished is not None:
            self.hide_finished = hide_finished
        if release is not _UNSET:
            self.release = release  # type: ignore[assignment]
        return self.rebuild()

    def sort_by(self, sort: str) -> Redraw:
        """Sort by ``sort``; asking for the current sort again reverses it."""
        self.sort_reverse = not self.sort_reverse if sort == self.sort else False
        self.sort = sort
        return self.rebuild()

    def reverse_sort(self) -> Redraw:
        """``S``: the same sort, the other way round."""
        self.sort_reverse = not self.sort_reverse
        return self.rebuild()

    def cycle_sort(self) -> Redraw:
        """``s``: the next of the cycled sorts (from a header's sort: the first), unreversed."""
        index = CYCLED.index(self.sort) + 1 if self.sort in CYCLED else 0
        self.sort, self.sort_reverse = CYCLED[index % len(CYCLED)], False
        return self.rebuild()

    def set_marks(self, keys: Iterable[JobKey], marked: bool = True) -> None:
        """Mark (or unmark) these jobs; their rows wait in ``pending`` for the next flush."""
        for key in keys:
            if marked:
                self.marked.add(key)
            else:
                self.marked.discard(key)
            if key in self.index:
                self.pending.add(key)

    def set_stalled(self, stalled: frozenset[JobKey], changed: Iterable[JobKey]) -> None:
        self.stalled = stalled
        self.pending.update(key for key in changed if key in self.tracker.jobs)
