"""The main screen: header, the job table, the mode line, a live filter, panels, the footer.

Actions live here; their keys come from :mod:`cfdash.keys`. Network work goes to workers
and comes back as ``Polled``/``Queued`` messages, whose handlers are the only code that
touches the table. The panels follow one "tracker changed" signal (:mod:`cfdash.tui.feed`)
themselves. Helpers the screen owns do the rest: queueing (:class:`QueueFlow`), the view's
modes and ``esc`` (:class:`~cfdash.tui.view_modes.ViewControl`), panels (:class:`Panels`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer, Input

from cfdash.engine.engine import Engine
from cfdash.engine.monitor import Monitor
from cfdash.engine.tracking import Changes, JobKey, TrackedJob
from cfdash.export import export_csv
from cfdash.textfmt import path_lines
from cfdash.tui.alerts import Alerts
from cfdash.tui.bindings import bindings_for
from cfdash.tui.feed import TrackerFeed
from cfdash.tui.grid_rows import DEFAULT_VIEW, View
from cfdash.tui.messages import Polled, Queued
from cfdash.tui.panels import Panels
from cfdash.tui.queueing import QueueFlow
from cfdash.tui.reporting import Reporter
from cfdash.tui.safety import contained
from cfdash.tui.screens.accounts import AccountsScreen
from cfdash.tui.screens.details import DetailsScreen
from cfdash.tui.screens.events import EventFeedView
from cfdash.tui.screens.fleets import FleetsScreen
from cfdash.tui.settings import AppSettings
from cfdash.tui.toasts import text_width
from cfdash.tui.tracking_edits import TrackingEdits
from cfdash.tui.view_modes import ViewControl, shown_keys
from cfdash.tui.widgets.image_lines import ImageLines
from cfdash.tui.widgets.job_grid import JobGrid
from cfdash.tui.widgets.mode_line import ModeLine
from cfdash.tui.widgets.status_header import StatusHeader

if TYPE_CHECKING:
    from cfdash.tui.widgets.release_panel import ReleasePanel

__all__ = ["WRITES", "MainScreen"]

#: A row unconfirmed for this many refresh intervals of its account is marked stale.
STALE_REFRESHES = 3

#: Actions that change the service or the tracked jobs: hidden in read-only mode.
WRITES = frozenset({"queue", "add", "remove", "mark", "mark_all", "mark_failed"})


class MainScreen(Screen[None]):
    """The dashboard itself."""

    BINDINGS = bindings_for("main")

    def __init__(
        self,
        engine: Engine,
        settings: AppSettings,
        *,
        monitor: Monitor | None = None,
        alerts: Alerts | None = None,
        persist: Callable[[], None] | None = None,
        view: View = DEFAULT_VIEW,
    ) -> None:
        super().__init__()
        self.engine = engine
        self.clock = settings.clock
        #: With the tick running, a poll's rows are drawn at the next tick (see on_polled).
        self.defer_polls = settings.tick
        self.export_path = settings.export_path
        self.export_raw = settings.export_raw
        self.monitor = monitor
        self.alerts = alerts
        #: Each job's line in the event feed, and the once-a-second summary toast.
        self.report = Reporter(engine.tracker, alerts, self.clock, lambda: engine.audit)
        #: Save what the user chose (tracked jobs, theme, view); the app's, never fatal.
        self.persist = persist or (lambda: None)
        self.feed = TrackerFeed(self, engine, self._stalled)
        self.header = StatusHeader(
            engine, self.clock, self.feed, demo=settings.demo, shown=lambda: self.table.row_count
        )
        stale_after = {
            name: STALE_REFRESHES * engine.link(name).interval for name in engine.accounts
        }
        self.table = JobGrid(
            engine.tracker, self.clock, stale_after=stale_after, view=view, id="jobs"
        )
        self.queueing = QueueFlow(self, engine, self.table)
        self.edits = TrackingEdits(self)
        self.modes = ViewControl(
            self.table,
            lambda: len(engine.tracker),
            persist=self.persist,
            notify=lambda text: self.notify(text, timeout=2),
            changed=self._view_changed,
            keys=lambda: shown_keys(self.app),
        )
        self.mode_line = ModeLine(lambda: self.modes.describe(self.panels.open), id="modes")
        self.event_feed = EventFeedView(self, self.report, self.feed, self.table)
        self.panels = Panels(self, self.header, self.table, self.feed, self.clock, self.event_feed)
        self._log_problem_shown = False

    def compose(self) -> ComposeResult:
        yield self.header
        yield ImageLines(self.engine, self.feed, self.clock)  # fleet readiness; none: no room
        with Horizontal(id="body"):  # the table, and the event feed beside it when open
            yield self.table
        yield self.mode_line
        text = self.table.filter_text
        yield Input(
            text,
            placeholder="filter: account, job, label, state, error",
            id="filter",
            classes="visible" if text else "",
        )
        yield Footer()

    def on_mount(self) -> None:
        self.table.focus()
        if unseen := self.table.view.unseen():  # kept from the last run, and not in sight
            self.notify(f"Showing {unseen}, as when cfdash last ran.", timeout=4)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # False hides the binding (footer, help, palette) and refuses the action; Textual
        # reserves None for "shown but disabled".
        if action == "fleets":  # fleet readiness: only when some image is watched
            return bool(self.engine.images is not None and len(self.engine.images))
        return not (action in WRITES and self.engine.read_only)

    # -- engine events ----------------------------------------------------------------------

    def _stalled(self) -> frozenset[JobKey]:
        return self.monitor.stalls.stalled if self.monitor is not None else frozenset()

    def _tell_panels(self) -> None:
        """One "tracker changed" for everything noted since the last; else the clock only."""
        if not self.feed.flush():  # the header recounts and repaints on a flush
            self.header.refresh_text()
        self.mode_line.refresh_text()

    def _observe(self, keys: Changes | Iterable[JobKey], *, defer: bool = False) -> None:
        """Transitions and stalls since the last look: log them, alert once, flag rows."""
        if self.monitor is None:
            return
        observed = self.monitor.observe(self.engine.tracker, keys, self.clock())
        if observed.stall_changed:
            self.table.set_stalled(self.monitor.stalls.stalled, observed.stall_changed)
            if not defer:
                self.table.flush()
            self.feed.note(observed.stall_changed)
        self.report.observed(observed, self.monitor.stalls.stalled, self.clock())
        if not defer:  # else at the tick, with the rows it is about
            self.report.flush()
        if observed.log_problem and not self._log_problem_shown:
            self._log_problem_shown = True
            self.notify(observed.log_problem, title="Event log", severity="warning", timeout=15)

    @contained
    def on_polled(self, message: Polled) -> None:
        # With the tick running, a poll's rows are drawn at the next tick: every account's
        # poll and the countdown then land in one frame a second, whatever the job count.
        # New rows are drawn at once into an empty table, so the first frame after start-up
        # already has them; later ones (a track_all rollout adds some every second) wait too.
        changes = message.event.changes
        defer = self.defer_polls and not (changes.added and not self.table.row_count)
        if changes:
            self.table.apply(changes.added, changes.changed, changes.removed, defer=defer)
            self._observe(changes, defer=defer)
            self.report.settled(changes.settled)
            self.feed.note(
                changes.added | changes.changed | changes.removed,
                placed=changes.turned_keys() | changes.removed,  # the others only moved
            )
        if not defer:
            self._tell_panels()
        if changes.added:
            self.persist()

    @contained
    def on_queued(self, message: Queued) -> None:
        event = message.event
        self.table.apply((), (event.key,), ())
        self._observe([event.key])
        self.report.queued(event.key)  # its line; the toast is the queue flow's (one per ask)
        self.feed.note([event.key])
        self._tell_panels()

    @contained
    def tick(self) -> None:
        """Once a second: deferred rows, countdowns, ages, stalls and the header."""
        self._observe((), defer=True)  # an ETA can pass between polls
        self.table.tick()
        self._tell_panels()
        self.report.flush()  # at most one summary toast a second, with the rows it is about

    # -- jobs -------------------------------------------------------------------------------

    def _selected(self) -> TrackedJob | None:
        key = self.table.selected_key
        job = self.engine.tracker.get(key) if key is not None else None
        if job is None:
            self.notify("No job selected.", severity="warning")
        return job

    def action_queue(self) -> None:
        self.queueing.ask(self.table.marked, self._selected)

    def action_add(self) -> None:
        self.edits.add()

    def action_remove(self) -> None:
        job = self._selected()
        if job is not None:
            self.edits.remove(job)

    def tracked_changed(self, added: Iterable[JobKey], removed: Iterable[JobKey]) -> None:
        """Jobs were tracked or untracked here: the table, the stall check, the feed, the
        panels and the state file follow."""
        added, removed = list(added), list(removed)
        self.table.apply(added, (), removed)
        self._observe([*added, *removed])  # the stall check follows changed rows
        self.feed.note([*added, *removed])
        self._tell_panels()
        self.persist()

    def action_refresh(self) -> None:
        self.engine.refresh()
        self.notify("Refreshing…", timeout=2)

    def action_retry_auth(self) -> None:
        self.engine.retry_auth()
        self.notify("Retrying accounts whose credentials were rejected.", timeout=3)

    def action_accounts(self) -> None:
        self.app.push_screen(AccountsScreen(self.engine, self.clock))

    def action_pause(self) -> None:
        if self.engine.paused:
            self.engine.resume()
        else:
            self.engine.pause()
        self.header.refresh_text()

    def action_details(self) -> None:
        job = self._selected()
        if job is not None:
            self._open_details(job)

    def _open_details(self, job: TrackedJob) -> None:
        """The details of ``job``; ``g`` there jumps to a linked row (selected here too)."""

        def jump(other: TrackedJob) -> None:
            self.table.select(other.key)
            self._open_details(other)

        jobs = self.engine.tracker.jobs
        self.app.push_screen(
            DetailsScreen(job, self.clock, self.engine.audit, jobs=jobs, jump=jump)
        )

    @on(JobGrid.RowSelected)
    def _row_chosen(self, event: JobGrid.RowSelected) -> None:
        event.stop()
        self.action_details()

    # -- the view: sort, filters and marks (ViewControl saves, names and undoes them) -------

    def action_sort(self) -> None:
        self.modes.sorted(self.table.cycle_sort())

    def action_reverse_sort(self) -> None:
        self.modes.sorted(self.table.reverse_sort())

    @on(JobGrid.SortChanged)
    def _sorted_by_click(self, event: JobGrid.SortChanged) -> None:
        event.stop()
        self.modes.sorted(event.label)

    def action_failed_only(self) -> None:
        self.modes.toggle_failed_only()

    def action_hide_finished(self) -> None:
        self.modes.toggle_hide_finished()

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.add_class("visible")
        box.focus()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.modes.set_text(event.value)  # saved when kept or cleared, not at every key

    @on(Input.Submitted, "#filter")
    def _filter_kept(self, event: Input.Submitted) -> None:
        if not event.value.strip():
            event.input.remove_class("visible")
        self.table.focus()
        self.persist()

    def action_mark(self) -> None:
        self.modes.mark()

    def action_mark_all(self) -> None:
        self.modes.mark_all()

    def action_mark_failed(self) -> None:
        self.modes.mark_failed()

    def action_back_out(self) -> None:
        """``esc``: undo one mode, innermost first; in the filter box, clear and close it."""
        box = self.query_one("#filter", Input)
        if box.has_focus:
            if box.value:
                self._clear_box(box)
                self.modes.set_text("", save=True)
            box.remove_class("visible")
            self.table.focus()
            return
        if self.modes.back_out(self.panels.close) == "text":
            self._clear_box(box)
            box.remove_class("visible")

    @staticmethod
    def _clear_box(box: Input) -> None:
        with box.prevent(Input.Changed):  # the filter is cleared by the caller, once
            box.value = ""

    def _view_changed(self) -> None:
        """The rows in view or a view setting changed: the header and mode line say so."""
        self.header.refresh_text()
        self.mode_line.refresh_text()

    # -- panels (cfdash/tui/panels.py): mounted when first asked for ------------------------

    @property
    def releases(self) -> ReleasePanel:
        return self.panels.releases

    def action_wall(self) -> None:
        """``w``: the ops wall, a screen of its own (``w`` or ``escape`` comes back)."""
        from cfdash.tui.screens.wall import WallScreen

        self.app.push_screen(WallScreen(self.feed, self.engine, self.clock))

    async def action_releases(self) -> None:
        """``v``: show the releases and go to them; from the panel, hide it again."""
        await self.panels.toggle_releases()
        self.mode_line.refresh_text()

    def action_fleets(self) -> None:
        FleetsScreen.open(self, self.engine, self.clock)

    async def action_events(self) -> None:
        """``l``: the event feed, beside the table or on its own (:class:`EventFeedView`)."""
        await self.event_feed.toggle()
        self.mode_line.refresh_text()

    def on_release_panel_chosen(self, event: ReleasePanel.Chosen) -> None:
        event.stop()
        if event.no_release:
            self.notify("Jobs without an image version cannot be filtered apart.", timeout=4)
            return
        self.modes.set_release(event.imageversionid)
        self.table.focus()

    def on_release_panel_closed(self, event: ReleasePanel.Closed) -> None:
        event.stop()
        self.panels.close()
        self.mode_line.refresh_text()

    def action_export(self) -> None:
        """Write the rows in view, as filtered and sorted, to a CSV file and say where."""
        now = self.clock()
        jobs = [self.engine.tracker.jobs[key] for key in self.table.row_keys]
        try:
            path = export_csv(jobs, self.export_path(now), now, raw=self.export_raw)
        except OSError as error:
            self.notify(f"Could not export: {error.strerror or error}", severity="error")
            return
        # The path on lines of its own, never broken inside the file name, and copied.
        self.app.copy_to_clipboard(str(path))
        shown = "\n".join(path_lines(str(path), text_width(self.size.width)))
        message = f"Exported {len(jobs)} jobs to\n{shown}\n(the path is on the clipboard)"
        self.notify(message, title="Export", timeout=15, markup=False)
