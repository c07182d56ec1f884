"""The job table: one row per tracked job, patched cell by cell as polls come in.

Rows are keyed ``account/jobid``. A poll only touches the rows it changed, and within a row
only the cells whose text changed; the once-a-second tick touches only the ETA and age cells.
Filtering and sorting move rows in and out but never rebuild the table from a poll.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Mapping
from typing import ClassVar

from rich.text import Text
from textual.widgets import DataTable
from textual.widgets.data_table import RowDoesNotExist

from cfdash.engine.tracking import JobKey, TrackedJob, Tracker
from cfdash.tui.format import age, eta_text, progress_bar, shorten, state_label
from cfdash.tui.themes import phase_styles

__all__ = ["COLUMNS", "SORTS", "JobTable", "row_key"]

#: (key, label, width or None for auto)
COLUMNS: tuple[tuple[str, str, int | None], ...] = (
    ("account", "Account", None),
    ("job", "Job", None),
    ("kind", "Kind", 7),
    ("label", "Label", None),
    ("state", "State", 12),
    ("progress", "Progress", 15),
    ("eta", "ETA", 11),
    ("failures", "Fail", 4),
    ("error", "Error", 32),
    ("age", "Seen", 12),
)

#: Sort orders cycled by ``s``: (id, label, key function).
_PHASE_ORDER = {
    "failed": 0,
    "unknown": 1,
    "running": 2,
    "queued": 3,
    "pending": 4,
    "created": 5,
    "notlisted": 6,
    "finished": 7,
    "complete": 7,
    "squashed": 8,
}
SORTS: tuple[tuple[str, str, Callable[[TrackedJob], tuple]], ...] = (
    ("account", "account/job", lambda job: (job.account, job.jobid)),
    ("state", "state", lambda job: (_PHASE_ORDER.get(job.phase, 9), job.account, job.jobid)),
    ("progress", "progress", lambda job: (-(job.progress or 0), job.account, job.jobid)),
    (
        "eta",
        "ETA",
        lambda job: (job.eta is None, job.eta or 0, job.account, job.jobid),
    ),
)

#: Orders only a click on a column header picks (``s`` cycles through SORTS alone).
_HEADER_SORTS: tuple[tuple[str, str, Callable[[TrackedJob], tuple]], ...] = (
    ("job", "job id", lambda job: (job.jobid, job.account)),
    ("kind", "kind", lambda job: (job.kind, job.account, job.jobid)),
    ("label", "label", lambda job: ((job.label or job.target or "").lower(), job.jobid)),
    ("failures", "failures", lambda job: (-job.failures, job.account, job.jobid)),
    ("error", "error", lambda job: (not job.error, job.error or "", job.account, job.jobid)),
    ("age", "last seen", lambda job: (job.confirmed_at or 0, job.account, job.jobid)),
)
_ALL_SORTS = SORTS + _HEADER_SORTS  # ids are the column keys: a header click finds its sort

# State colours come from the theme's state-* variables (cfdash.tui.themes.phase_styles);
# the symbol and word carry the state without colour.  These cells use them:
_STYLED = ("state", "error", "eta", "age")

_TICKING = ("eta", "age")


def row_key(key: JobKey) -> str:
    return f"{key[0]}/{key[1]}"


class JobTable(DataTable):
    """The dashboard's table of tracked jobs."""

    DEFAULT_CSS = """
    JobTable { height: 1fr; }
    """

    BINDINGS: ClassVar = []

    def __init__(
        self,
        tracker: Tracker,
        clock: Callable[[], float],
        *,
        stale_after: Mapping[str, float] | None = None,
        **kwargs,
    ) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)
        self.tracker = tracker
        self.clock = clock
        #: Per account: seconds without confirmation after which a listed row is stale.
        self.stale_after = dict(stale_after or {})
        self.filter_text = ""
        self.failed_only = False
        self.sort_index = 0
        self.sort_reverse = False
        # The text last written to each visible cell, so unchanged cells are never touched.
        self._cells: dict[JobKey, dict[str, str]] = {}
        self._phase_styles: dict[str, str] = {}

    def on_mount(self) -> None:
        for key, label, width in COLUMNS:
            self.add_column(label, key=key, width=width)
        self.refresh_styles()
        self.show_all()
        self.app.theme_changed_signal.subscribe(self, self.restyle)

    # -- rows -------------------------------------------------------------------------------

    def refresh_styles(self) -> None:
        """Read the state colours from the theme (call again after a theme change)."""
        self._phase_styles = phase_styles(self.app.theme_variables)

    def restyle(self, _theme: object = None) -> None:
        """The theme changed: re-read the colours and redraw the cells drawn with them."""
        self.refresh_styles()
        with self.app.batch_update():
            for key, texts in self._cells.items():
                job = self.tracker.get(key)
                if job is None:
                    continue
                for column in _STYLED:
                    renderable = self._cell_renderable(column, texts[column], job)
                    self.update_cell(row_key(key), column, renderable)

    def cell_texts(self, job: TrackedJob, now: float) -> dict[str, str]:
        note = job.queue_note if job.queue_note and not job.error else None
        return {
            "account": job.account,
            "job": str(job.jobid),
            "kind": job.kind,
            "label": shorten(job.label or job.target, 24),
            "state": state_label(job.phase, job.word),
            "progress": progress_bar(job.progress),
            "eta": eta_text(job.eta, now) if job.phase == "running" else "",
            "failures": str(job.failures) if job.failures else "",
            "error": shorten(job.error or note, 32),
            "age": ("⚠ " if self.is_stale(job, now) else "") + age(job.confirmed_at, now),
        }

    def is_stale(self, job: TrackedJob, now: float) -> bool:
        """A listed row the API has not confirmed for about three refreshes of its account."""
        limit = self.stale_after.get(job.account)
        if limit is None or not job.listed or job.confirmed_at is None:
            return False
        return now - job.confirmed_at > limit

    def _cell_renderable(self, column: str, text: str, job: TrackedJob) -> str | Text:
        if column == "label" and not job.label:
            return Text(text, style="dim")
        if column == "state":
            return Text(text, style=self._phase_styles.get(job.phase, ""))
        if column == "error" and job.error:
            return Text(text, style=self._phase_styles.get("failed", ""))
        if column == "age" and text.startswith("⚠"):
            return Text(text, style=self._phase_styles.get("unknown", ""), justify="right")
        if column == "eta" and text.startswith("overdue"):
            return Text(text, style=self._phase_styles.get("stalled", ""))
        if column in ("job", "failures", "eta", "age"):
            return Text(text, justify="right")
        return text

    def matches(self, job: TrackedJob) -> bool:
        if self.failed_only and job.phase != "failed":
            return False
        if not self.filter_text:
            return True
        needle = self.filter_text.lower()
        haystack = " ".join(
            str(part)
            for part in (job.account, job.jobid, job.label, job.kind, job.word, job.error)
            if part
        )
        return needle in haystack.lower()

    def _add(self, job: TrackedJob, now: float) -> None:
        texts = self.cell_texts(job, now)
        self._cells[job.key] = texts
        self.add_row(
            *(self._cell_renderable(column, texts[column], job) for column, _, _ in COLUMNS),
            key=row_key(job.key),
        )

    def _remove(self, key: JobKey) -> None:
        if self._cells.pop(key, None) is not None:
            with contextlib.suppress(RowDoesNotExist):
                self.remove_row(row_key(key))

    def _patch(self, job: TrackedJob, now: float, columns: Iterable[str] | None = None) -> bool:
        old = self._cells.get(job.key)
        if old is None:
            return False
        new = self.cell_texts(job, now)
        changed = False
        for column in columns or new:
            if old.get(column) != new[column]:
                old[column] = new[column]
                self.update_cell(
                    row_key(job.key), column, self._cell_renderable(column, new[column], job)
                )
                changed = True
        return changed

    # -- what the app calls -----------------------------------------------------------------

    def apply(
        self, added: Iterable[JobKey], changed: Iterable[JobKey], removed: Iterable[JobKey]
    ) -> None:
        """Patch the rows one poll changed; re-sort only when order may have changed."""
        now = self.clock()
        added_rows = changed_rows = False
        with self.app.batch_update():
            for key in removed:
                self._remove(key)
            for key in (*added, *changed):
                job = self.tracker.get(key)
                if job is None:
                    self._remove(key)
                    continue
                visible = key in self._cells
                wanted = self.matches(job)
                if visible and not wanted:
                    self._remove(key)
                elif not visible and wanted:
                    self._add(job, now)
                    added_rows = True
                elif visible:
                    changed_rows |= self._patch(job, now)
            # New rows always need placing; changed ones only move under a non-key sort.
            if added_rows or (changed_rows and self.sort_index):
                self._sort()

    def tick(self) -> None:
        """Once a second: advance ETA countdowns and row ages."""
        now = self.clock()
        with self.app.batch_update():
            for key in list(self._cells):
                job = self.tracker.get(key)
                if job is not None:
                    self._patch(job, now, _TICKING)

    def show_all(self) -> None:
        """Re-apply filter and sort to every tracked job (filter or sort changed)."""
        now = self.clock()
        selected = self.selected_key
        with self.app.batch_update():
            for key in list(self._cells):
                job = self.tracker.get(key)
                if job is None or not self.matches(job):
                    self._remove(key)
            for job in self.tracker.jobs.values():
                if job.key not in self._cells and self.matches(job):
                    self._add(job, now)
            self._sort()
        if selected is not None:
            self.select(selected)

    def _sort(self) -> None:
        _, _, key_fn = _ALL_SORTS[self.sort_index]
        order = {
            row_key(job.key): key_fn(job)
            for job in self.tracker.jobs.values()
            if job.key in self._cells
        }
        # DataTable.sort passes the row's key column values; we sort on our own keys instead.
        self.sort(
            "account",
            "job",
            key=lambda values: order.get(f"{values[0]}/{values[1]}", ()),
            reverse=self.sort_reverse,
        )

    def cycle_sort(self) -> str:
        self.sort_index = self.sort_index + 1 if self.sort_index + 1 < len(SORTS) else 0
        self.sort_reverse = False
        self.show_all()
        return self.sort_label

    def sort_by(self, sort_id: str) -> str:
        """Sort by one column; asking for the current sort again reverses it."""
        index = next(i for i, (name, _, _) in enumerate(_ALL_SORTS) if name == sort_id)
        self.sort_reverse = not self.sort_reverse if index == self.sort_index else False
        self.sort_index = index
        self.show_all()
        return self.sort_label

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        """A click on a column header sorts by that column; a second click reverses it."""
        event.stop()
        if event.column_key.value is not None:
            self.notify(f"Sorted by {self.sort_by(event.column_key.value)}.", timeout=2)

    @property
    def sort_label(self) -> str:
        label = _ALL_SORTS[self.sort_index][1]
        return f"{label}, reversed" if self.sort_reverse else label

    def set_filter(self, text: str | None = None, failed_only: bool | None = None) -> None:
        if text is not None:
            self.filter_text = text.strip()
        if failed_only is not None:
            self.failed_only = failed_only
        self.show_all()

    @property
    def selected_key(self) -> JobKey | None:
        if not self.row_count:
            return None
        try:
            key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value
        except Exception:
            return None
        if key is None:
            return None
        account, _, jobid = key.rpartition("/")
        return (account, int(jobid))

    def select(self, key: JobKey) -> None:
        with contextlib.suppress(RowDoesNotExist):
            self.move_cursor(row=self.get_row_index(row_key(key)))

    @property
    def visible_keys(self) -> list[JobKey]:
        return list(self._cells)
