"""Queueing from the dashboard: one confirm, then the requests in a worker.

The main screen owns one :class:`QueueFlow` and hands it the selected job (``q``) or the
marked ones (``q`` with marks).  Before any dialog the engine's one readiness rule sorts the
jobs: Queued and Running jobs, jobs that finished or left the list, jobs never found and jobs
whose account is unread are left out and named apart, so nothing is re-queued by reflex.  The
single-job confirm takes ``enter``/``y``; a confirm for several jobs takes only ``y`` (Enter
cancels it).  Then one request per job goes out (a bulk send with bounded concurrency), never
retried automatically.  While a confirm is open another ``q`` does nothing, so a held key
cannot stack dialogs.

``q`` on a failed update or diff offers **retry** instead (the same confirm, then one retry
request); on a version it says there is no retry endpoint and sends nothing.  Marks that mix
installs with failed updates or diffs get one confirm listing the two groups apart.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable

from textual.widget import Widget

from cfdash.engine.engine import Engine, QueueDone, QueueRefused
from cfdash.engine.outcomes import SendAction
from cfdash.engine.tracking import JobKey, TrackedJob
from cfdash.stages import NO_RETRY_REASON
from cfdash.tui.bulk import LEFT_OUT, Severity, confirm_body, plan, summary
from cfdash.tui.screens.confirm import BulkConfirmScreen, ConfirmScreen
from cfdash.tui.widgets.job_grid import JobGrid

__all__ = ["BULK_CONCURRENCY", "QueueFlow"]

#: Queue requests in flight at once during a bulk queue.
BULK_CONCURRENCY = 4

#: What the toast adds when a job was left out for being Queued or Running.
_FORCE_HINT = "; it was not sent again (cfdash queue --force sends anyway)"


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
        if len(marked) > 1:
            self.ask_many(marked)
        elif marked:
            job = self.engine.tracker.get(marked[0])
            if job is None:
                self._not_queued("the marked job is no longer tracked")
            else:
                self.ask_one(job, marked=True)
        elif (job := selected()) is not None:
            self.ask_one(job)

    def _not_queued(self, text: str, title: str = "Not queued") -> None:
        self.host.notify(text, title=title, severity="warning")

    def _refused(self, refused: QueueRefused, action: SendAction = "queue") -> None:
        title = "Not queued" if action == "queue" else "Not retried"
        if refused.reason.startswith("read-only"):  # a reply to a key: a short status toast
            self.host.notify(str(refused), title=title, timeout=2)
            return
        if action == "retry":
            self._not_queued(str(refused), title)
            return
        check = self.engine.queue_check(refused.job) if refused.job is not None else None
        hint = _FORCE_HINT if check is not None and check.readiness == "active" else ""
        self._not_queued(f"{refused}{hint}")

    # -- one job ----------------------------------------------------------------------------

    def ask_one(self, job: TrackedJob, *, marked: bool = False) -> None:
        """The single-job confirm (``enter`` or ``y`` queues), then :meth:`send_one`.

        A job the readiness rule leaves out gets a toast saying why instead of a dialog. An
        update or diff is offered a retry; a version has nothing to send.
        """
        if job.stage == "version":
            self.host.notify(
                f"{job.name}: versions have no retry endpoint ({NO_RETRY_REASON}).",
                title="Not retried",
                timeout=4,
            )
            return
        if job.stage != "install":
            self.ask_retry(job, marked=marked)
            return
        try:
            self.engine.check_queue(job.key, allow_active=False)
        except QueueRefused as refused:
            self._refused(refused)
            return
        flag = str(job.mirroring).lower()
        body = "\n".join(
            [
                f"Job        {job.jobid}",
                f"Account    {job.account}",
                f"State      {job.word}",
                f"Label      {job.label or '-'}",
                f"Mirroring  {flag} ({job.kind})",
                "",
                f"Sends one queue request for {job.account}/{job.jobid} with mirroring={flag}.",
                "It is never retried automatically.",
            ]
        )
        self._confirm_one(job, "Queue this install job?", body, "Queue", marked=marked)

    def ask_retry(self, job: TrackedJob, *, marked: bool = False) -> None:
        """The single-job confirm for a failed update or diff (``enter`` or ``y`` retries)."""
        try:
            self.engine.check_retry(job.key)
        except QueueRefused as refused:
            self._refused(refused, "retry")
            return
        body = "\n".join(
            [
                f"Job        {job.jobid}",
                f"Account    {job.account}",
                f"Stage      {job.stage}",
                f"State      {job.word}",
                f"Error      {job.error or '-'}",
                "",
                f"Sends one retry request for {job.name}.",
                "It is never retried automatically.",
            ]
        )
        self._confirm_one(job, f"Retry this failed {job.stage}?", body, "Retry", marked=marked)

    def _confirm_one(self, job: TrackedJob, title: str, body: str, label: str, *,
                     marked: bool) -> None:  # fmt: skip
        """Ask about one job; on yes, clear the marks it was chosen through and send it."""
        self.asking = True

        def answered(confirmed: bool | None) -> None:
            self.asking = False
            if confirmed:
                if marked:
                    self.grid.clear_marks()
                self.send_one(job)

        self.host.app.push_screen(ConfirmScreen(title, body, confirm_label=label), answered)

    def send_one(self, job: TrackedJob) -> None:
        """Send one queue (or retry) request now (checked again: the job may have moved on)."""
        action = _action(job.key)
        try:
            if action == "queue":
                self.engine.check_queue(job.key, allow_active=False)
            else:
                self.engine.check_retry(job.key)
        except QueueRefused as refused:
            self._refused(refused, action)
            return
        self.host.run_worker(self._queue(job.key), group="queue", exit_on_error=False)

    async def _queue(self, key: JobKey) -> None:
        action = _action(key)
        result = await self._send(key)  # the engine's listener posts Queued
        if isinstance(result, QueueRefused):
            self._refused(result, action)
            return
        severity: Severity = (
            "information"
            if result.result is not None
            else ("warning" if result.unknown else "error")
        )
        title = "Queue" if action == "queue" else "Retry"
        self.host.notify(result.message, title=title, severity=severity, timeout=8)

    async def _send(self, key: JobKey) -> QueueDone | QueueRefused:
        """One request; its row says "queueing…" (and its old error "was: …") while it is out.

        The engine marks the job in flight before its first ``await``, so one turn of the
        loop after starting it the row can be redrawn — a hung request must not leave the
        row showing the job's last error as if it were current. Installs are queued; updates
        and diffs retried.
        """
        send = (
            self.engine.queue(key, allow_active=False)
            if _action(key) == "queue"
            else self.engine.retry(key)
        )
        request = asyncio.ensure_future(send)
        await asyncio.sleep(0)
        self.grid.apply((), (key,), ())
        try:
            return await request
        except QueueRefused as refused:
            return refused

    # -- the marked jobs --------------------------------------------------------------------

    def ask_many(self, keys: Iterable[JobKey]) -> None:
        """One confirm listing what is sent and what is left out, then a bounded bulk send.

        Only ``y`` or a click confirms it; Enter cancels.
        """
        queue_plan = plan(self.engine, keys)
        if not queue_plan.sent:
            groups = ", ".join(
                f"{len(checks)} {LEFT_OUT[group][0].lower()}"
                for group, checks in queue_plan.left_out.items()
            )
            self._not_queued(f"Nothing to queue: {groups or 'no marked job'}.")
            return
        self.asking = True
        body = confirm_body(queue_plan, BULK_CONCURRENCY)
        sent = [job.key for job in queue_plan.sent]

        def answered(confirmed: bool | None) -> None:
            self.asking = False
            if confirmed:
                self.grid.clear_marks()
                self.host.run_worker(self._queue_many(sent), group="queue", exit_on_error=False)

        self.host.app.push_screen(
            BulkConfirmScreen(queue_plan.title, body, confirm_label=queue_plan.confirm_label),
            answered,
        )

    async def _queue_many(self, keys: list[JobKey]) -> None:
        """At most :data:`BULK_CONCURRENCY` requests out at once, one per job, each row
        redrawn as its request goes out; one refusal does not stop the others."""
        gate = asyncio.Semaphore(BULK_CONCURRENCY)

        async def one(key: JobKey) -> QueueDone | QueueRefused:
            async with gate:
                return await self._send(key)

        results = await asyncio.gather(*(one(key) for key in dict.fromkeys(keys)))
        text, severity = summary(results)
        self.host.notify(text, title="Bulk queue", severity=severity, timeout=15)


def _action(key: JobKey) -> SendAction:
    """Installs are queued; updates and diffs retried."""
    return "queue" if key.stage == "install" else "retry"
