"""Adding and untracking jobs from the dashboard: the dialogs, the engine call, the notice.

Composed by the main screen (as :class:`~cfdash.tui.queueing.QueueFlow` is for queueing), so
the screen keeps only its key bindings. What the table, the stall check, the feed, the panels
and the state file must hear after a change is the host's :meth:`tracked_changed`; this class
decides only *what* changed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Protocol

from cfdash.engine.tracking import JobKey, TrackedJob
from cfdash.tui.screens.add_job import AddJobRequest, AddJobScreen
from cfdash.tui.screens.confirm import ConfirmScreen

if TYPE_CHECKING:
    from textual.app import App

    from cfdash.engine.engine import Engine
    from cfdash.tui.widgets.job_grid import JobGrid

__all__ = ["TrackingEdits"]


class Host(Protocol):
    """What the edits need of the main screen."""

    @property
    def app(self) -> App[object]: ...

    engine: Engine
    table: JobGrid

    def notify(self, message: str) -> None: ...

    def tracked_changed(self, added: Iterable[JobKey], removed: Iterable[JobKey]) -> None: ...


class TrackingEdits:
    """The ``a`` (add) and ``d`` (untrack) flows of the main screen."""

    def __init__(self, host: Host) -> None:
        self.host = host

    def add(self) -> None:
        """Open the add dialog; track what it returns and read those accounts at once."""
        host, engine = self.host, self.host.engine

        def added(requests: list[AddJobRequest] | None) -> None:
            if not requests:
                return
            jobs = [job for job in (r.job() for r in requests) if engine.add(job)]
            if not jobs:
                return
            host.tracked_changed([job.key for job in jobs], ())
            host.table.select(jobs[0].key)
            what = jobs[0].name if len(jobs) == 1 else f"{len(jobs)} jobs"
            host.notify(f"Tracking {what}.")
            for account in dict.fromkeys(job.account for job in jobs):
                engine.refresh(account)

        tracker = engine.tracker
        untracked = {name: tracker.untracked(name) for name in engine.accounts}
        screen = AddJobScreen(engine.accounts, set(tracker.jobs), untracked=untracked)
        host.app.push_screen(screen, added)

    def remove(self, job: TrackedJob) -> None:
        """Ask, then stop tracking ``job`` (the job itself is not touched)."""
        host = self.host

        def answered(confirmed: bool | None) -> None:
            if confirmed and host.engine.remove(job.key) is not None:
                host.tracked_changed((), [job.key])
                host.notify(f"Stopped tracking {job.name}.")

        body = f"{job.name} ({job.word}) leaves the table; the job is not touched."
        host.app.push_screen(
            ConfirmScreen("Stop tracking this job?", body, confirm_label="Untrack"), answered
        )
