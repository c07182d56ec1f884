"""What each row of the job table says, column by column — pure functions, no widgets.

The table widget turns these texts into cached strips; keeping the words here means the
filter, the sort, the CSV export and the tests all read the same thing the screen shows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

from cfdash.engine.tracking import TrackedJob
from cfdash.textfmt import age, eta_text, progress_bar, shorten, state_label

__all__ = [
    "COLUMNS",
    "CYCLED",
    "SORTS",
    "TICKING",
    "Cell",
    "Column",
    "cells_for",
    "is_stale",
    "matches",
    "sort_key",
    "ticking_cells",
]

Align = Literal["left", "right"]


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    label: str
    #: Fixed width, or None to fit the widest value (up to ``max_width``).
    width: int | None = None
    align: Align = "left"
    max_width: int = 40
    #: The sort a click on the header selects (an id from ``SORTS``), if any.
    sort: str | None = None
    #: Takes the width the other columns leave (between ``width`` and ``max_width``).
    flex: bool = False


COLUMNS: tuple[Column, ...] = (
    Column("mark", "✓", 1),
    Column("account", "Account", sort="account"),
    Column("job", "Job", align="right", sort="job"),
    Column("kind", "Kind", 7, sort="kind"),
    Column("label", "Label", max_width=24, sort="label"),
    Column("state", "State", 12, sort="state"),
    Column("progress", "Progress", 15, sort="progress"),
    Column("eta", "ETA", 11, align="right", sort="eta"),
    Column("failures", "Fail", 4, align="right", sort="failures"),
    Column("error", "Error", 16, max_width=80, sort="error", flex=True),
    Column("age", "Seen", 11, align="right", sort="age"),
)

#: Cells that change with the clock alone, between polls.
TICKING = ("eta", "age")


@dataclass(frozen=True, slots=True)
class Cell:
    """A cell's text and the name of its style (resolved against the theme by the widget)."""

    text: str
    style: str = ""


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

#: Sort orders by id: (label, key function). ``s`` cycles through ``CYCLED``; a click on a
#: column header picks that column's, and a second click reverses it.
SORTS: dict[str, tuple[str, Callable[[TrackedJob], tuple]]] = {
    "account": ("account/job", lambda job: (job.account, job.jobid)),
    "state": ("state", lambda job: (_PHASE_ORDER.get(job.phase, 9), job.account, job.jobid)),
    "progress": ("progress", lambda job: (-(job.progress or 0), job.account, job.jobid)),
    "eta": ("ETA", lambda job: (job.eta is None, job.eta or 0, job.account, job.jobid)),
    "job": ("job id", lambda job: (job.jobid, job.account)),
    "kind": ("kind", lambda job: (job.kind, job.account, job.jobid)),
    "label": ("label", lambda job: ((job.label or job.target or "").lower(), job.jobid)),
    "failures": ("failures", lambda job: (-job.failures, job.account, job.jobid)),
    "error": ("error", lambda job: (not job.error, job.error or "", job.account, job.jobid)),
    "age": ("last seen", lambda job: (job.confirmed_at or 0, job.account, job.jobid)),
}
CYCLED = ("account", "state", "progress", "eta")


def sort_key(sort: str) -> Callable[[TrackedJob], tuple]:
    return SORTS[sort][1]


def is_stale(job: TrackedJob, now: float, stale_after: Mapping[str, float]) -> bool:
    """A listed row the API has not confirmed for about three refreshes of its account."""
    limit = stale_after.get(job.account)
    if limit is None or not job.listed or job.confirmed_at is None:
        return False
    return now - job.confirmed_at > limit


def cells_for(
    job: TrackedJob,
    now: float,
    stale_after: Mapping[str, float],
    stalled: bool = False,
    marked: bool = False,
) -> dict[str, Cell]:
    """Every cell of ``job``'s row, as text plus a style name."""
    note = job.queue_note if job.queue_note and not job.error else None
    return {
        "mark": Cell("●" if marked else "", "mark"),
        "account": Cell(job.account),
        "job": Cell(str(job.jobid)),
        "kind": Cell(job.kind),
        "label": Cell(shorten(job.label or job.target, 24), "" if job.label else "dim"),
        "state": (
            Cell("⚠ STALLED", "state-stalled")
            if stalled
            else Cell(state_label(job.phase, job.word), f"state-{job.phase}")
        ),
        "progress": Cell(progress_bar(job.progress), "progress"),
        "eta": _eta_cell(job, now),
        "failures": Cell(str(job.failures) if job.failures else ""),
        "error": Cell(shorten(job.error or note, 80), "error" if job.error else "note"),
        "age": _age_cell(job, now, stale_after),
    }


def _eta_cell(job: TrackedJob, now: float) -> Cell:
    eta = eta_text(job.eta, now) if job.phase == "running" else ""
    return Cell(eta, "warning" if eta.startswith("overdue") else "")


def _age_cell(job: TrackedJob, now: float, stale_after: Mapping[str, float]) -> Cell:
    stale = is_stale(job, now, stale_after)
    return Cell(("⚠ " if stale else "") + age(job.confirmed_at, now), "warning" if stale else "")


def ticking_cells(job: TrackedJob, now: float, stale_after: Mapping[str, float]) -> dict[str, Cell]:
    """Only the cells that move with the clock (ETA countdown, age): the tick's cheap path."""
    return {"eta": _eta_cell(job, now), "age": _age_cell(job, now, stale_after)}


def matches(job: TrackedJob, text: str, failed_only: bool, release: int | None = None) -> bool:
    """The filter: failed-only, one release, then a case-insensitive substring of the row."""
    if failed_only and job.phase != "failed":
        return False
    if release is not None and job.release != release:
        return False
    if not text:
        return True
    haystack = " ".join(
        str(part)
        for part in (job.account, job.jobid, job.label, job.target, job.kind, job.word, job.error)
        if part
    )
    return text.lower() in haystack.lower()
