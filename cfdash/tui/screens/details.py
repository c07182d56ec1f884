"""The ``enter`` screen: everything known about one job.

Every field of the last status-list entry, the last queue answer, the history of state changes
with times, and the JSON as last seen — the things a release engineer needs when a row says
"Failed" and the error column is cut short.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from cfdash.engine.tracking import TrackedJob
from cfdash.textfmt import age, eta_text, state_label
from cfdash.tui.bindings import bindings_for

__all__ = ["DetailsScreen", "describe_job"]


def _clock_time(when: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(when))


def describe_job(job: TrackedJob, now: float) -> str:
    """The details as plain text (also what a test reads)."""
    lines = [
        f"{job.account}/{job.jobid}   {state_label(job.phase, job.word)}",
        "",
        f"label            {job.label or '-'}",
        f"kind             {job.kind or 'unknown'} (mirroring={job.mirroring})",
        f"tracked because  {job.source}",
        f"last confirmed   {age(job.confirmed_at, now)}",
    ]
    if job.left_at is not None:
        lines.append(f"left the list    {_clock_time(job.left_at)}")
    if job.eta is not None:
        lines.append(f"eta              {eta_text(job.eta, now)}")
    if job.error:
        lines += ["", "error", f"  {job.error}"]
    lines += ["", "fields (last status list)"]
    if job.item is None:
        lines.append("  not seen in the status list yet")
    else:
        for name, value in job.item.model_dump().items():
            lines.append(f"  {name:<24} {value!r}")
    lines += ["", "last queue"]
    if job.last_queue is None:
        lines.append(f"  {job.queue_note or 'not queued from here'}")
    else:
        lines.append(f"  {job.last_queue.summary()}")
        for name in ("versionmirrorid", "machinejobid", "installs_squashed", "success"):
            value = getattr(job.last_queue, name)
            if value is not None:
                lines.append(f"  {name:<24} {value!r}")
    lines += ["", "history"]
    lines += [
        f"  {_clock_time(step.at)}  {step.word:<12} {step.progress:3d}%" for step in job.history
    ] or ["  no state seen yet"]
    lines += ["", "raw JSON last seen"]
    raw = job.item.model_dump(mode="json") if job.item is not None else None
    lines += ["  " + line for line in json.dumps(raw, indent=2, sort_keys=True).splitlines()]
    return "\n".join(lines)


class DetailsScreen(Screen[None]):
    """Full-screen details of one job; ``escape`` goes back to the table."""

    DEFAULT_CSS = """
    DetailsScreen VerticalScroll { padding: 1 2; }
    """

    BINDINGS = bindings_for("details")

    def __init__(self, job: TrackedJob, clock: Callable[[], float]) -> None:
        super().__init__()
        self.job = job
        self.clock = clock

    def compose(self) -> ComposeResult:
        self._shown = describe_job(self.job, self.clock())
        with VerticalScroll():
            yield Static(Text(self._shown), id="details")
        yield Footer()

    def refresh_details(self) -> None:
        """Redraw with the job as it is now (a no-op for the screen if nothing changed)."""
        text = describe_job(self.job, self.clock())
        if text != self._shown:
            self._shown = text
            self.query_one("#details", Static).update(Text(text))

    def action_back(self) -> None:
        self.dismiss(None)
