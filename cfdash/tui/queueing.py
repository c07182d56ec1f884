"""Queueing from the dashboard: one confirm, then the requests in a worker.

The main screen owns one :class:`QueueFlow` and hands it the selected job (``q``) or the
marked ones (``q`` with marks).  Each confirm lists what will be sent — every job with its
mirroring flag — and, for marks, what will not be and why; then one request per job goes out
(a bulk send with bounded concurrency).  Never retried automatically.  While a confirm is open
another ``q`` does nothing, so a held key cannot stack dialogs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from textual.widget import Widget

from cfdash.engine.engine import Engine, QueueRefused
from cfdash.engine.tracking import JobKey, TrackedJob
from cfdash.tui.bulk import confirm_body, summary
from cfdash.tui.screens.confirm import ConfirmScreen
from cfdash.tui.widgets.job_grid import JobGrid

__all__ = ["BULK_CONCURRENCY", "QueueFlow"]

#: Queue requests in flight at once during a bulk queue.
BULK_CONCURRENCY = 4


class QueueFlow:
    """Confirm and send queue requests for ``host`` (the screen that shows the toasts)."""

    def __init__(self, host: Widget, engine: Engine, grid: JobGrid) -> None:
        self.host = host
        self.engine = engine
        self.grid = grid
        #: A confirm is open.
        self.asking = False

    def ask(self, marked: Iterable[JobKey], selected: Callable[[], TrackedJob | None]) -> None:
        """``q``: the marked jobs if there are any, else the ``selected`` one."""
        if self.asking:
            return  # a held or repeated key must not stack dialogs
        marked = sorted(marked)
        if marked:
            self.ask_many(marked)
        elif (job := selected()) is not None:
            self.ask_one(job)

    def _refused(self, refused: QueueRefused) -> None:
        self.host.notify(str(refused), title="Not queued", severity="warning")

    # -- one job ----------------------------------------------------------------------------

    def ask_one(self, job: TrackedJob) -> None:
        """The single-job confirm (``enter`` or ``y`` queues), then :meth:`send_one`."""
        try:
            self.engine.check_queue(job.key)
        except QueueRefused as refused:
            self._refused(refused)
            return
        self.asking = True
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
            self.asking = False
            if confirmed:
                self.send_one(job)

        self.host.app.push_screen(
            ConfirmScreen("Queue this install job?", body, confirm_label="Queue"), answered
        )

    def send_one(self, job: TrackedJob) -> None:
        """Send one queue request now (checked again: the job may have moved on)."""
        try:
            self.engine.check_queue(job.key)
        except QueueRefused as refused:
            self._refused(refused)
            return
        self.host.run_worker(self._queue(job.key), group="queue", exit_on_error=False)
        self.grid.apply((), (job.key,), ())

    async def _queue(self, key: JobKey) -> None:
        try:
            await self.engine.queue(key)  # the engine's listener posts Queued
        except QueueRefused as refused:
            self._refused(refused)

    # -- the marked jobs --------------------------------------------------------------------

    def ask_many(self, keys: Iterable[JobKey]) -> None:
        """One confirm listing every job of ``keys``, then a bounded bulk send."""
        sendable: list[TrackedJob] = []
        refused: list[tuple[TrackedJob, str]] = []
        for key in keys:
            job = self.engine.tracker.get(key)
            if job is None:
                continue
            try:
                sendable.append(self.engine.check_queue(key))
            except QueueRefused as why:
                refused.append((job, why.reason))
        if not sendable:
            reason = refused[0][1] if refused else "no marked job is tracked"
            self.host.notify(f"Nothing to queue: {reason}", title="Not queued", severity="warning")
            return
        self.asking = True
        body = confirm_body(sendable, refused, BULK_CONCURRENCY)

        def answered(confirmed: bool | None) -> None:
            self.asking = False
            if confirmed:
                sent = [job.key for job in sendable]
                self.grid.clear_marks()
                self.host.run_worker(self._queue_many(sent), group="queue", exit_on_error=False)
                self.grid.apply((), sent, ())

        title = f"Queue {len(sendable)} install job{'s' if len(sendable) != 1 else ''}?"
        self.host.app.push_screen(ConfirmScreen(title, body, confirm_label="Queue all"), answered)

    async def _queue_many(self, keys: list[JobKey]) -> None:
        results = await self.engine.queue_many(keys, concurrency=BULK_CONCURRENCY)
        text, severity = summary(results)
        self.host.notify(text, title="Bulk queue", severity=severity, timeout=15)
