"""What each row of the job table says, column by column — pure functions, no widgets.

The table widget turns these texts into cached strips; keeping the words here means the
filter, the sort, the CSV export and the tests all read the same thing the screen shows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal, NamedTuple

from cfdash.engine.tracking import NOT_FOUND_CAUSES, TrackedJob
from cfdash.stages import STAGES
from cfdash.textfmt import age, eta_text, finished_bar, progress_bar, shorten, state_label

__all__ = [
    "COLUMNS",
    "CYCLED",
    "ENDED",
    "SORTS",
    "Cell",
    "Column",
    "cells_for",
    "error_predates_queue",
    "is_stale",
    "matches",
    "queue_text",
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


#: The widest the Queue column grows.
QUEUE_WIDTH = 21

COLUMNS: tuple[Column, ...] = (
    Column("mark", "✓", 1),
    Column("account", "Account", sort="account"),
    Column("job", "Job", align="right", sort="job"),
    # install, update, diff or version: install 91 and update 91 are two rows.
    Column("stage", "Stage", 7, sort="stage"),
    Column("kind", "Kind", 7, sort="kind"),
    Column("label", "Label", max_width=24, sort="label"),
    Column("state", "State", 12, sort="state"),
    Column("progress", "Progress", 15, sort="progress"),
    Column("eta", "ETA", 11, align="right", sort="eta"),
    Column("failures", "Fail", 4, align="right", sort="failures"),
    # What cfdash did to the job, apart from what the job reports (the Error column).
    # Narrow: "unknown → took effect" fits, a refusal's reason is cut (whole in the details).
    Column("queue", "Queue", max_width=QUEUE_WIDTH, sort="queue"),
    # At least 12 wide: it gives way first when the Queue column has something to say.
    Column("error", "Error", 12, max_width=80, sort="error", flex=True),
    Column("age", "Seen", 11, align="right", sort="age"),
)


class Cell(NamedTuple):
    """A cell's text and the name of its style (resolved against the theme by the widget).

    A named tuple rather than a frozen dataclass: a refresh builds a dozen per row on screen
    and compares each with the last, and a tuple is made and compared in C.
    """

    text: str
    style: str = ""
    #: How many characters at the end of ``text`` are drawn dim (the unconfirmed ``?``).
    dim_tail: int = 0


_PHASE_ORDER = {
    "failed": 0,
    "unknown": 1,
    "running": 2,
    "queued": 3,
    "pending": 4,
    "created": 5,
    "notlisted": 6,
    "notfound": 6,
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
    "stage": ("stage", lambda job: (STAGES.index(job.stage), job.account, job.jobid)),
    "kind": ("kind", lambda job: (job.kind, job.account, job.jobid)),
    "label": ("label", lambda job: ((job.label or job.target or "").lower(), job.jobid)),
    "failures": ("failures", lambda job: (-job.failures, job.account, job.jobid)),
    "queue": ("queue", lambda job: (not job.queue_action, queue_text(job), job.account, job.jobid)),
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
    """Every cell of ``job``'s row, as text plus a style name.

    The cells that follow from a few values alone (state, progress, label, stage) come from
    caches keyed by those values: a refresh rebuilds every changed row on screen, and the
    same forty progress bars and state words come round again and again.
    """
    phase, word, progress = job.view
    failures = job.failures
    return {
        "mark": _MARKED if marked else _UNMARKED,
        "account": Cell(job.account),
        "job": Cell(str(job.jobid)),
        "stage": _stage_cell(job.stage),
        "kind": Cell(job.kind),
        "label": _label_cell(job.label, job.target),
        "state": _STALLED if stalled else _phase_cell(phase, word, job.unconfirmed),
        "progress": _FINISHED if phase == "finished" else _progress_cell(progress),
        "eta": _eta_cell(job, now) if phase == "running" else _EMPTY,
        "failures": Cell(str(failures)) if failures else _EMPTY,
        "queue": _queue_cell(job),
        "error": _error_cell(job),
        "age": _age_cell(job, now, stale_after),
    }


_EMPTY = Cell("")
_MARKED = Cell("●", "mark")
_UNMARKED = Cell("", "mark")
_STALLED = Cell("⚠ STALLED", "state-stalled")
_FINISHED = Cell(finished_bar(), "dim")


@lru_cache(maxsize=16)
def _stage_cell(stage: str) -> Cell:
    return Cell(stage, "" if stage != "install" else "dim")


@lru_cache(maxsize=4096)
def _label_cell(label: str | None, target: str) -> Cell:
    return Cell(shorten(label or target, 24), "" if label else "dim")


@lru_cache(maxsize=256)
def _progress_cell(progress: int | None) -> Cell:
    return Cell(progress_bar(progress), "progress")


@lru_cache(maxsize=256)
def _phase_cell(phase: str, word: str, unconfirmed: bool) -> Cell:
    """Symbol and word of a row not stalled; a dim ``?`` after them while the account cannot
    be read.

    The ``?`` lives here, not in the Seen column, because narrow layouts drop Seen and the
    state is what people act on. "not listed" and "not found" rows need none: they already
    say what is not known, and an outage cannot change it.
    """
    label = state_label(phase, word)
    if unconfirmed and phase not in ("notlisted", "notfound"):
        return Cell(f"{label} ?", f"state-{phase}", dim_tail=1)
    return Cell(label, f"state-{phase}")


def queue_text(job: TrackedJob) -> str:
    """The last queue action from here and what came of it: ``queued ✓``, ``refused: …``,
    ``outcome unknown``, then ``unknown → took effect`` or ``unknown → no effect`` once a
    status list settled it.

    Shorter than :attr:`QueueAction.text` once settled, so the verdict fits a column that
    leaves the Error column its room; the details screen has the whole sentence.
    """
    action = job.queue_action
    if action is None:
        return ""
    outcome = action.outcome
    if outcome is not None and outcome.status == "unknown" and action.settled:
        took = action.settled.startswith("took effect")
        return f"unknown → {'took effect' if took else 'no effect'}"
    return action.text


def _queue_cell(job: TrackedJob) -> Cell:
    action = job.queue_action
    if action is None:
        return _EMPTY
    outcome = action.outcome
    text = shorten(queue_text(job), 80)
    if outcome is None:
        return Cell(text, "note")  # in flight
    if outcome.status == "queued":
        return Cell(text, "state-complete")
    if outcome.status == "refused":
        return Cell(text, "error")
    if outcome.status == "unknown" and action.settled:
        return Cell(text, "note")
    return Cell(text, "warning")  # unknown, or not queued for a reason not the job's


def error_predates_queue(job: TrackedJob) -> bool:
    """Whether the row's ``joberror`` was read before the last queue from here: the queue may
    have cleared it, so it is not shown as if current until a status list confirms it."""
    action = job.queue_action
    if action is None:
        return False
    if job.queue_in_flight or job.queue_unknown:
        return True
    return job.confirmed_at is None or job.confirmed_at < action.at


def _error_cell(job: TrackedJob) -> Cell:
    """The job's own ``joberror`` (never a queue answer), or why a row was not found."""
    if job.phase == "notfound":
        if job.stage != "install":  # read by id: the service's own words say why
            return Cell(shorten(job.error or "not found", 80), "note")
        return Cell(shorten(f"not in the list: {NOT_FOUND_CAUSES}", 80), "note")
    error = job.error
    if not error:
        # How a job ended while cfdash was closed ("finished while cfdash was closed …").
        return Cell(shorten(job.seen_note, 80), "note") if job.seen_note else _EMPTY
    if error_predates_queue(job):
        return Cell(shorten(f"was: {error}", 80), "dim")
    return _own_error_cell(error)


@lru_cache(maxsize=1024)
def _own_error_cell(error: str) -> Cell:
    """A current ``joberror``: a rollout's failures share a handful of texts."""
    return Cell(shorten(error, 80), "error")


def _eta_cell(job: TrackedJob, now: float) -> Cell:
    """The countdown; stopped (and dim) while unconfirmed, and then never "overdue": an
    outage must not turn every running job into an alarm."""
    if job.phase != "running":
        return _EMPTY
    if job.unconfirmed:
        eta = eta_text(job.eta, job.as_of(now))
        if eta == "due" or eta.startswith("overdue"):
            eta = "—"
        return Cell(eta, "dim")
    eta = eta_text(job.eta, now)
    return Cell(eta, "warning" if eta.startswith("overdue") else "")


def _age_cell(job: TrackedJob, now: float, stale_after: Mapping[str, float]) -> Cell:
    stale = is_stale(job, now, stale_after)
    return Cell(("⚠ " if stale else "") + age(job.confirmed_at, now), "warning" if stale else "")


def ticking_cells(job: TrackedJob, now: float, stale_after: Mapping[str, float]) -> dict[str, Cell]:
    """Only the cells that move with the clock (ETA countdown, age): the tick's cheap path."""
    return {"eta": _eta_cell(job, now), "age": _age_cell(job, now, stale_after)}


#: What hide-finished leaves out: jobs that ended and won't move again — Finished (left the
#: list), and the service's own Complete and Squashed while it still lists them.
ENDED = frozenset({"finished", "complete", "squashed"})


def matches(
    job: TrackedJob,
    text: str,
    failed_only: bool,
    release: int | None = None,
    hide_finished: bool = False,
) -> bool:
    """The filter: failed-only, hide-finished, one release, then a case-insensitive substring
    of the row."""
    if failed_only and job.phase != "failed":
        return False
    if hide_finished and job.phase in ENDED:
        return False
    if release is not None and job.release != release:
        return False
    if not text:
        return True
    parts = (
        job.account, job.jobid, job.stage, job.label, job.target, job.kind, job.word, job.error
    )  # fmt: skip
    haystack = " ".join(str(part) for part in (*parts, queue_text(job)) if part)
    return text.lower() in haystack.lower()
