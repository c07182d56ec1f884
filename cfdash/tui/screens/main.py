"""The main screen: header, the job table, a live filter and the footer.

Actions live here (queue, add, remove, refresh, pause, filter, sort, failed-only, details);
network work goes to workers and comes back as ``Polled``/``Queued`` messages, whose handlers
are the only code that touches the table.
"""

from __future__ import annotations

from collections.abc import Callable

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Input

from cfdash.engine.engine import Engine, QueueRefused
from cfdash.engine.tracking import TrackedJob
from cfdash.tui.messages import Polled, Queued
from cfdash.tui.safety import contained
from cfdash.tui.screens.add_job import AddJobRequest, AddJobScreen
from cfdash.tui.screens.confirm import ConfirmScreen
from cfdash.tui.screens.details import DetailsScreen
from cfdash.tui.widgets.job_grid import JobGrid
from cfdash.tui.widgets.status_header import StatusHeader

__all__ = ["MainScreen"]

#: A row unconfirmed for this many refresh intervals of its account is marked stale.
STALE_REFRESHES = 3

#: Actions that change the service or the tracked jobs: hidden in read-only mode.
_WRITES = {"queue", "add", "remove"}


class MainScreen(Screen[None]):
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
        # The app owns themes (and saves the pick in the state file); the key lives here with
        # the dashboard's others, so help, footer and palette list it with them.
        Binding(
            "t",
            "app.cycle_theme",
            "Next theme",
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
    ) -> None:
        super().__init__()
        self.defer_polls = defer_polls
        self.engine = engine
        self.clock = clock
        self.demo = demo
        self.persist = persist or (lambda: None)
        self._confirming = False

    def compose(self) -> ComposeResult:
        yield StatusHeader(self.engine, self.clock, demo=self.demo)
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
        if action in _WRITES and self.engine.read_only:
            return None
        return True

    # -- engine events ----------------------------------------------------------------------

    @contained
    def on_polled(self, message: Polled) -> None:
        # With the tick running, a poll's rows are drawn at the next tick: every account's
        # poll and the countdown then land in one frame a second, whatever the job count.
        # New rows are drawn at once, so the first frame after start-up already has them.
        changes = message.event.changes
        defer = self.defer_polls and not changes.added
        if changes:
            self.table.apply(changes.added, changes.changed, changes.removed, defer=defer)
        if not defer:
            self.header.refresh_text()
        if changes.added:
            self.persist_if_needed()

    @contained
    def on_queued(self, message: Queued) -> None:
        event = message.event
        self.table.apply((), (event.key,), ())
        self.header.refresh_text()
        severity = (
            "information" if event.result is not None else ("warning" if event.unknown else "error")
        )
        self.notify(event.message, title="Queue", severity=severity, timeout=8)

    @contained
    def tick(self) -> None:
        """Once a second: countdowns, ages and the header's "refreshed … ago"."""
        self.table.tick()
        self.header.refresh_text()

    def persist_if_needed(self) -> None:
        self.persist()

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
        def added(request: AddJobRequest | None) -> None:
            if request is None:
                return
            job = TrackedJob(
                request.account,
                request.jobid,
                source="state",
                label=request.label,
                mirroring_setting=request.mirroring,
            )
            if self.engine.add(job):
                self.table.apply((job.key,), (), ())
                self.table.select(job.key)
                self.header.refresh_text()
                self.persist()
                self.notify(f"Tracking {job.account}/{job.jobid}.")
                self.engine.refresh(job.account)

        tracked = set(self.engine.tracker.jobs)
        self.app.push_screen(AddJobScreen(self.engine.accounts, tracked), added)

    def action_remove(self) -> None:
        job = self._selected()
        if job is None:
            return

        def answered(confirmed: bool | None) -> None:
            if confirmed and self.engine.remove(job.key) is not None:
                self.table.apply((), (), (job.key,))
                self.header.refresh_text()
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

    def on_key(self, event) -> None:
        box = self.query_one("#filter", Input)
        if event.key == "escape" and box.has_focus:
            event.stop()
            box.value = ""
            box.remove_class("visible")
            self.table.set_filter(text="")
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
