"""The main screen: header, the job table, a live filter and the footer.

Actions live here (queue, add, remove, refresh, pause, filter, sort, failed-only, details);
network work goes to workers and comes back as ``Polled``/``Queued`` messages, whose handlers
are the only code that touches the table.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Input

from cfdash.engine.engine import Engine, QueueRefused
from cfdash.engine.monitor import Monitor
from cfdash.engine.tracking import TrackedJob
from cfdash.export import default_export_path
from cfdash.tui.alerts import Alerts
from cfdash.tui.messages import Polled, Queued
from cfdash.tui.safety import contained
from cfdash.tui.screens.add_job import AddJobRequest, AddJobScreen
from cfdash.tui.screens.confirm import ConfirmScreen
from cfdash.tui.screens.details import DetailsScreen
from cfdash.tui.screens.main_bulk import BulkActions
from cfdash.tui.screens.main_panels import PanelActions
from cfdash.tui.widgets.job_grid import JobGrid
from cfdash.tui.widgets.status_header import StatusHeader

__all__ = ["MainScreen"]

#: A row unconfirmed for this many refresh intervals of its account is marked stale.
STALE_REFRESHES = 3

#: Actions that change the service or the tracked jobs: hidden in read-only mode.
_WRITES = {"queue", "add", "remove", "mark", "mark_all", "mark_failed"}


class MainScreen(BulkActions, PanelActions, Screen[None]):
    """The dashboard itself."""

    BINDINGS = [
        Binding("q", "queue", "Queue", id="queue"),
        Binding("a", "add", "Add", id="add"),
        Binding("d", "remove", "Untrack", id="remove"),
        Binding("r", "refresh", "Refresh", id="refresh"),
        Binding("R", "retry_auth", "Retry auth", id="retry_auth", show=False),
        Binding("p", "pause", "Pause", id="pause"),
        Binding("slash", "filter", "Filter", id="filter"),
        Binding("s", "sort", "Sort", id="sort"),
        Binding("f", "failed_only", "Failed only", id="failed_only"),
        Binding("enter", "details", "Details", id="details", show=False),
        # Shown in help and the palette; kept out of the footer, which has room for the rest.
        Binding(
            "e",
            "export",
            "Export",
            id="export",
            show=False,
            tooltip="Export the rows in view to CSV",
        ),
        Binding("space", "mark", "Mark", id="mark", show=False),
        Binding("ctrl+a", "mark_all", "Mark all in view", id="mark_all", show=False),
        Binding(
            "x",
            "mark_failed",
            "Mark failed",
            id="mark_failed",
            tooltip="Mark every failed job in view, ready to queue them again",
            show=False,
        ),
        Binding("escape", "clear_marks", "Clear marks", id="clear_marks", show=False),
        Binding(
            "w", "wall", "Wall", id="wall", show=False, tooltip="Show or hide the ops wall summary"
        ),
        Binding(
            "v",
            "releases",
            "Releases",
            id="releases",
            tooltip="Jobs rolled up by image version; choose one to filter the table",
        ),
        # The app owns themes (and saves the pick in the state file); the key lives here with
        # the dashboard's others, so help, footer and palette list it with them.
        Binding(
            "t",
            "app.cycle_theme",
            "Next theme",
            show=False,
            tooltip="Switch to the next theme; it is kept for the next start",
            id="theme",
        ),
    ]

    def __init__(
        self,
        engine: Engine,
        clock: Callable[[], float],
        *,
        demo: bool = False,
        persist: Callable[[], None] | None = None,
        defer_polls: bool = False,
        monitor: Monitor | None = None,
        alerts: Alerts | None = None,
        export_path: Callable[[float], Path] = default_export_path,
        export_raw: bool = False,
    ) -> None:
        super().__init__()
        self.export_path = export_path
        self.export_raw = export_raw
        self.defer_polls = defer_polls
        self.monitor = monitor
        self.alerts = alerts
        self._recount = False
        self._log_problem_shown = False
        self.engine = engine
        self.clock = clock
        self.demo = demo
        self.persist = persist or (lambda: None)
        self._confirming = False

    def compose(self) -> ComposeResult:
        yield StatusHeader(self.engine, self.clock, demo=self.demo, stalled=self._stalled_count)
        stale_after = {
            name: STALE_REFRESHES * self.engine.link(name).interval for name in self.engine.accounts
        }
        yield JobGrid(self.engine.tracker, self.clock, stale_after=stale_after, id="jobs")
        yield Input(placeholder="filter: account, job, label, state, error", id="filter")
        yield Footer()

    @property
    def table(self) -> JobGrid:
        return self.query_one(JobGrid)

    @property
    def header(self) -> StatusHeader:
        return self.query_one(StatusHeader)

    def on_mount(self) -> None:
        self.table.focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # False hides the binding (footer, help, palette) and refuses the action; Textual
        # reserves None for "shown but disabled".
        return not (action in _WRITES and self.engine.read_only)

    # -- engine events ----------------------------------------------------------------------

    def _stalled_count(self) -> int:
        return len(self.monitor.stalls.stalled) if self.monitor is not None else 0

    def _observe(self, keys, *, defer: bool = False) -> None:
        """Transitions and stalls since the last look: log them, alert once, flag rows."""
        if self.monitor is None:
            return
        observed = self.monitor.observe(self.engine.tracker, keys, self.clock())
        if observed.stall_changed:
            self.table.set_stalled(self.monitor.stalls.stalled, observed.stall_changed)
            if not defer:
                self.table.flush()
            self._recount = True
        if self.alerts is not None and observed.notable:
            self.alerts.send(observed.notable)
        if observed.log_problem and not self._log_problem_shown:
            self._log_problem_shown = True
            self.notify(observed.log_problem, title="Event log", severity="warning", timeout=15)

    @contained
    def on_polled(self, message: Polled) -> None:
        # With the tick running, a poll's rows are drawn at the next tick: every account's
        # poll and the countdown then land in one frame a second, whatever the job count.
        # New rows are drawn at once, so the first frame after start-up already has them.
        changes = message.event.changes
        defer = self.defer_polls and not changes.added
        if changes:
            self.table.apply(changes.added, changes.changed, changes.removed, defer=defer)
            self._observe(changes, defer=defer)
            self._recount = True
        if not defer:
            self._refresh_header()
        if changes.added:
            self.persist()

    def _refresh_header(self) -> None:
        if self._recount:
            self._recount = False
            self.header.recount()
            self._update_wall()
            self._update_releases()
        else:
            self.header.refresh_text()

    @contained
    def on_queued(self, message: Queued) -> None:
        event = message.event
        self.table.apply((), (event.key,), ())
        self._observe([event.key])
        self._recount = True
        self._refresh_header()
        severity = (
            "information" if event.result is not None else ("warning" if event.unknown else "error")
        )
        self.notify(event.message, title="Queue", severity=severity, timeout=8)

    @contained
    def tick(self) -> None:
        """Once a second: deferred rows, countdowns, ages, stalls and the header."""
        self._observe((), defer=True)  # an ETA can pass between polls
        self.table.tick()
        self._refresh_header()

    # -- actions ----------------------------------------------------------------------------

    def _selected(self) -> TrackedJob | None:
        key = self.table.selected_key
        job = self.engine.tracker.get(key) if key is not None else None
        if job is None:
            self.notify("No job selected.", severity="warning")
        return job

    def action_queue(self) -> None:
        if self._confirming:
            return  # a held or repeated key must not stack dialogs
        if self.table.marked:
            self._queue_marked()
            return
        job = self._selected()
        if job is None:
            return
        try:
            self.engine.check_queue(job.key)
        except QueueRefused as refused:
            self.notify(str(refused), title="Not queued", severity="warning")
            return
        self._confirming = True
        body = "\n".join(
            [
                f"Job        {job.jobid}",
                f"Account    {job.account}",
                f"State      {job.word}",
                f"Label      {job.label or '-'}",
                f"Mirroring  {str(job.mirroring).lower()} ({job.kind})",
                "",
                "This sends one queue request to Clanforge. It is never retried automatically.",
            ]
        )

        def answered(confirmed: bool | None) -> None:
            self._confirming = False
            if confirmed:
                self.send_queue(job)

        self.app.push_screen(
            ConfirmScreen("Queue this install job?", body, confirm_label="Queue"), answered
        )

    def send_queue(self, job: TrackedJob) -> None:
        try:
            self.engine.check_queue(job.key)
        except QueueRefused as refused:
            self.notify(str(refused), title="Not queued", severity="warning")
            return
        self._queue_worker(job.key)
        self.table.apply((), (job.key,), ())

    @work(group="queue", exit_on_error=False)
    async def _queue_worker(self, key: tuple[str, int]) -> None:
        try:
            await self.engine.queue(key)  # the engine's listener posts Queued
        except QueueRefused as refused:
            self.notify(str(refused), title="Not queued", severity="warning")

    def action_add(self) -> None:
        def added(requests: list[AddJobRequest] | None) -> None:
            if not requests:
                return
            jobs = [
                TrackedJob(
                    request.account,
                    request.jobid,
                    source="state",
                    label=request.label,
                    mirroring_setting=request.mirroring,
                )
                for request in requests
            ]
            jobs = [job for job in jobs if self.engine.add(job)]
            if not jobs:
                return
            self.table.apply([job.key for job in jobs], (), ())
            self.table.select(jobs[0].key)
            self.header.recount()
            self.persist()
            what = f"{jobs[0].account}/{jobs[0].jobid}" if len(jobs) == 1 else f"{len(jobs)} jobs"
            self.notify(f"Tracking {what}.")
            for account in dict.fromkeys(job.account for job in jobs):
                self.engine.refresh(account)

        tracker = self.engine.tracker
        untracked = {name: tracker.untracked(name) for name in self.engine.accounts}
        screen = AddJobScreen(self.engine.accounts, set(tracker.jobs), untracked=untracked)
        self.app.push_screen(screen, added)

    def action_remove(self) -> None:
        job = self._selected()
        if job is None:
            return

        def answered(confirmed: bool | None) -> None:
            if confirmed and self.engine.remove(job.key) is not None:
                self.table.apply((), (), (job.key,))
                self.header.recount()
                self.persist()
                self.notify(f"Stopped tracking {job.account}/{job.jobid}.")

        body = f"{job.account}/{job.jobid} ({job.word}) leaves the table; the job is not touched."
        self.app.push_screen(
            ConfirmScreen("Stop tracking this job?", body, confirm_label="Untrack"), answered
        )

    def action_refresh(self) -> None:
        self.engine.refresh()
        self.notify("Refreshing…", timeout=2)

    def action_retry_auth(self) -> None:
        self.engine.retry_auth()
        self.notify("Retrying accounts whose credentials were rejected.", timeout=3)

    def action_pause(self) -> None:
        if self.engine.paused:
            self.engine.resume()
        else:
            self.engine.pause()
        self.header.refresh_text()

    def action_sort(self) -> None:
        label = self.table.cycle_sort()
        self.notify(f"Sorted by {label}.", timeout=2)

    def action_failed_only(self) -> None:
        self.table.set_filter(failed_only=not self.table.failed_only)
        self.notify("Failed jobs only." if self.table.failed_only else "All jobs.", timeout=2)

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.add_class("visible")
        box.focus()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.table.set_filter(text=event.value)

    @on(Input.Submitted, "#filter")
    def _filter_kept(self, event: Input.Submitted) -> None:
        if not event.value.strip():
            event.input.remove_class("visible")
        self.table.focus()

    def action_details(self) -> None:
        job = self._selected()
        if job is not None:
            self.app.push_screen(DetailsScreen(job, self.clock))

    @on(JobGrid.RowSelected)
    def _row_chosen(self, event: JobGrid.RowSelected) -> None:
        event.stop()
        self.action_details()

    @on(JobGrid.SortChanged)
    def _sorted_by_click(self, event: JobGrid.SortChanged) -> None:
        event.stop()
        self.notify(f"Sorted by {event.label}.", timeout=2)
