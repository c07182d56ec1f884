"""The ``enter`` screen: everything known about one job, written the way the table writes it.

Every field of the last status-list entry, the last queue action and what came of it, the
audit trail's lines about the job, the history of state changes, and the JSON as last seen —
the things a release engineer needs when a row says "Failed" and the error column is cut
short.  A diff also counts and lists the paths it found added, modified and removed; a row
linked to another by an image lock ("image locked by diffid N", :mod:`cfdash.engine.links`)
names it, and ``g`` jumps to its details.  Times are local, with their zone and an age
("2026-01-05 14:02:11 CET (3m05s ago)"), because they are pasted into tickets read in other zones;
states are named, flags are yes/no, and nothing reads ``None``.  ``c`` copies the job id and
``j`` the raw JSON.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from cfdash.api.models import StatusItem
from cfdash.api.pipeline import DiffStatus
from cfdash.engine.audit import AuditEntry, AuditLog
from cfdash.engine.links import linked_jobs
from cfdash.engine.tracking import NOT_FOUND_CAUSES, JobKey, TrackedJob
from cfdash.safetext import safe_text
from cfdash.textfmt import eta_text, local_time, relative, state_label, yes_no
from cfdash.timefmt import INVALID_TIME, is_valid_time
from cfdash.tui.bindings import bindings_for
from cfdash.tui.rows import error_predates_queue

__all__ = ["DetailsScreen", "describe_job", "field_text", "raw_json"]

#: Fields that hold Unix seconds (``jobstart`` too, as text): shown as local times.
TIME_FIELDS = frozenset({"jobcreated", "jobstart", "jobupdated", "jobeta", "install_at"})
#: Read together as one "state" line.
_STATE_FIELDS = ("jobstateid", "jobstatename")
#: Missing values read as this, never ``None``.
NONE = "—"

_SOURCES = {
    "config": "it is in the config",
    "state": "it was added here",
    "track_all": "track_all (every incomplete job of the account)",
}


def when(at: float | None, now: float) -> str:
    """``2026-01-05 14:02:11 UTC (3m05s ago)``, or ``—``."""
    if at is None:
        return NONE
    if not is_valid_time(at):  # a jobeta of 10**30 is shown as such, not a crash
        return INVALID_TIME
    return f"{local_time(at)} ({relative(at, now)})"


def field_text(name: str, value: Any, now: float) -> str:
    """One status-list field as the table would say it: times, yes/no, ``—``."""
    if value is None or value == "":
        return NONE
    if isinstance(value, bool):
        return yes_no(value)
    if name in TIME_FIELDS:
        try:
            return when(int(value), now)
        except (TypeError, ValueError):
            return str(value)  # a jobstart that is not a number: as it came
    if name == "jobprogress":
        return f"{value}%"
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True)
    return str(value)


def raw_json(job: TrackedJob) -> str | None:
    """The status-list entry as last seen, as JSON (what ``j`` copies); None if never seen."""
    if job.item is None:
        return None
    return json.dumps(job.item.model_dump(mode="json"), indent=2, sort_keys=True)


def _fields(item: StatusItem, now: float) -> list[str]:
    values = item.model_dump()
    state = item.state
    raw = ", ".join(
        f"{name} {json.dumps(values[name])}" for name in _STATE_FIELDS if values.get(name)
    )
    lines = [f"  {'state':<24} {state.word}" + (f" ({raw})" if raw else "")]
    for name, value in values.items():
        if name not in _STATE_FIELDS:
            lines.append(f"  {name:<24} {field_text(name, value, now)}")
    return lines


def _last_queue(job: TrackedJob, now: float) -> list[str]:
    action = job.queue_action
    if action is None:
        return [f"  {job.queue_note or 'not queued from here since cfdash started'}"]
    outcome = action.outcome
    lines = [
        f"  {action.text}",
        f"  {'sent':<24} {when(action.at, now)}",
        f"  {'mirroring':<24} {yes_no(action.mirroring)}",
    ]
    if outcome is not None:
        lines.append(f"  {'answer':<24} {outcome.text}")
    if action.settled is not None:
        lines.append(f"  {'settled by a status list':<24} {action.settled}")
        lines.append(f"  {'settled at':<24} {when(action.settled_at, now)}")
    result = job.last_queue
    if result is not None:
        for name in ("versionmirrorid", "machinejobid", "installs_squashed", "success"):
            value = getattr(result, name)
            if value is not None:
                lines.append(f"  {name:<24} {field_text(name, value, now)}")
    return lines


def _audit(entries: list[AuditEntry] | None, now: float) -> list[str]:
    if entries is None:
        return ["  not kept in this session (no state directory)"]
    if not entries:
        return ["  nothing recorded for this job"]
    return [f"  {local_time(entry.at)}  {entry.describe()}" for entry in entries]


#: Paths of a diff listed one per line; the rest are counted.
MAX_PATHS = 200


def _diff_paths(diff: DiffStatus) -> list[str]:
    added, modified, removed = diff.counts
    lines = ["", f"changed paths (added {added}, modified {modified}, removed {removed})"]
    changes = diff.changes()
    lines += [f"  {change:<9} {path}" for change, path in changes[:MAX_PATHS]]
    if len(changes) > MAX_PATHS:
        lines.append(f"  … and {len(changes) - MAX_PATHS} more")
    if not changes:
        lines.append("  none (yet: a diff lists its paths once it completes)")
    return lines


def _links(job: TrackedJob, links: list[TrackedJob]) -> list[str]:
    if not links:
        return []
    why = (
        "their errors name this diff's image lock"
        if job.stage == "diff"
        else "its error says this diff locks the image"
    )
    lines = ["", f"linked ({why}; g opens {'the first' if len(links) > 1 else 'it'})"]
    return lines + [f"  {other.name}   {state_label(other.phase, other.word)}" for other in links]


def describe_job(
    job: TrackedJob,
    now: float,
    audit: list[AuditEntry] | None = None,
    links: list[TrackedJob] | None = None,
) -> str:
    """The details as plain text (also what a test reads).

    ``audit`` is the job's lines of the audit trail, oldest first; None when there is no
    trail (a session without a state directory). ``links`` are the rows tied to this one by
    an image lock (:func:`cfdash.engine.links.linked_jobs`).
    """
    head = f"{job.name}   {state_label(job.phase, job.word)}"
    lines = [head + (" ?" if job.unconfirmed else "")]
    if job.unconfirmed_since is not None:
        lines.append(
            f"unconfirmed since {when(job.unconfirmed_since, now)}: {job.account} cannot be "
            "read, so what follows may no longer be true"
        )
    if job.phase == "notfound":
        lines.append(f"not in {job.account}'s status list: likely {NOT_FOUND_CAUSES}")
    lines += [
        "",
        f"stage            {job.stage}",
        f"label            {job.label or NONE}",
        *(
            [f"kind             {job.kind or 'unknown'} (mirroring: {yes_no(job.mirroring)})"]
            if job.stage == "install"  # mirroring is an install's flag alone
            else []
        ),
        f"tracked because  {_SOURCES.get(job.source, job.source)}",
        f"last confirmed   {when(job.confirmed_at, now) if job.confirmed_at else 'never'}",
    ]
    if job.left_at is not None:
        lines.append(f"left the list    {when(job.left_at, now)}")
    if job.eta is not None and job.phase == "running" and not is_valid_time(job.eta):
        lines.append(f"eta              {INVALID_TIME} (jobeta {job.eta})")
    elif job.eta is not None and job.phase == "running":
        stopped = ", stopped while unconfirmed" if job.unconfirmed else ""
        countdown = eta_text(job.eta, job.as_of(now))
        if job.unconfirmed and (countdown == "due" or countdown.startswith("overdue")):
            countdown = "passed before the outage"
        lines.append(f"eta              {local_time(job.eta)} ({countdown}{stopped})")
    if job.error:
        lines += ["", "error"]
        if error_predates_queue(job):
            lines.append("  (read before the last queue; the next status list says if it stands)")
        lines.append(f"  {job.error}")
    lines += _links(job, links or [])
    if isinstance(job.pipeline, DiffStatus):
        lines += _diff_paths(job.pipeline)
    lines += ["", "fields (last status list)" if job.stage == "install" else "fields (last read)"]
    if job.item is None:
        lines.append("  not seen in the status list yet")
    else:
        lines += _fields(job.item, now)
    lines += ["", "last queue", *_last_queue(job, now)]
    lines += ["", "audit trail", *_audit(audit, now)]
    lines += ["", "history"]
    lines += [
        f"  {local_time(step.at)}  {step.word:<12} {_percent(step.progress)}"
        for step in job.history
    ] or ["  no state seen yet"]
    lines += ["", "raw JSON last seen"]
    raw = raw_json(job)
    lines += ["  " + line for line in (raw or "null (not seen yet)").splitlines()]
    # API text (an error, a diff's paths, a machine name) shows its control characters as
    # escapes: raw, they would drive the terminal, and a tab or CR would break the columns.
    return safe_text("\n".join(lines), keep_newlines=True)


class DetailsScreen(Screen[None]):
    """Full-screen details of one job; ``escape`` goes back to the table."""

    DEFAULT_CSS = """
    DetailsScreen VerticalScroll { padding: 1 2; }
    """

    BINDINGS = bindings_for("details")

    def __init__(
        self,
        job: TrackedJob,
        clock: Callable[[], float],
        audit: AuditLog | None = None,
        *,
        jobs: Mapping[JobKey, TrackedJob] | None = None,
        jump: Callable[[TrackedJob], None] | None = None,
    ) -> None:
        super().__init__()
        self.job = job
        self.clock = clock
        self.audit = audit
        #: Every tracked job, to find the rows linked to this one; ``jump`` opens one.
        self.jobs = jobs if jobs is not None else {}
        self.jump = jump
        self._audit_entries: list[AuditEntry] | None = None
        self._audit_for: tuple[object, ...] | None = None

    def _audit_lines(self) -> list[AuditEntry] | None:
        """The job's audit entries, read again only when its queue action moved on (the
        screen redraws every second; the file is not read every second)."""
        if self.audit is None:
            return None
        action = self.job.queue_action
        mark = (id(action), action.outcome, action.settled) if action is not None else ()
        if mark != self._audit_for:
            self._audit_for = mark
            self._audit_entries = self.audit.for_job(self.job.key)
        return self._audit_entries

    def links(self) -> list[TrackedJob]:
        return linked_jobs(self.job, self.jobs)

    def compose(self) -> ComposeResult:
        self._shown = describe_job(self.job, self.clock(), self._audit_lines(), self.links())
        with VerticalScroll():
            yield Static(Text(self._shown), id="details")
        yield Footer()

    def refresh_details(self) -> None:
        """Redraw with the job as it is now (a no-op for the screen if nothing changed)."""
        text = describe_job(self.job, self.clock(), self._audit_lines(), self.links())
        if text != self._shown:
            self._shown = text
            self.query_one("#details", Static).update(Text(text))

    def action_back(self) -> None:
        self.dismiss(None)

    def action_linked(self) -> None:
        """``g``: the details of the (first) row linked to this one by an image lock."""
        links = self.links()
        if not links or self.jump is None:
            self.notify("No linked job: nothing tracked shares an image lock with it.", timeout=3)
            return
        self.dismiss(None)
        self.jump(links[0])

    def action_copy_id(self) -> None:
        self.app.copy_to_clipboard(str(self.job.jobid))
        self.notify(f"Copied job id {self.job.jobid}.", timeout=2)

    def action_copy_json(self) -> None:
        raw = raw_json(self.job)
        if raw is None:
            self.notify("Nothing to copy: the job was not seen in a status list.", timeout=3)
            return
        self.app.copy_to_clipboard(raw)
        self.notify(f"Copied the JSON of {self.job.name}.", timeout=2)


def _percent(progress: int | None) -> str:
    """`` 45%``; nothing for a Finished step (the service doesn't say how it ended)."""
    return "" if progress is None else f"{progress:3d}%"
