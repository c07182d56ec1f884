"""Marks and bulk queueing on the main screen: a mixin, to keep the screen's file small.

``space`` marks, ``ctrl+a`` marks the view, ``x`` marks the failed jobs (a retry), ``escape``
clears; ``q`` with marks confirms once, listing each job with its mirroring flag, then sends one
request per job with bounded concurrency. Never retried; read-only hides all of it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work
from textual.widgets import Input

from cfdash.engine.engine import QueueRefused
from cfdash.engine.tracking import TrackedJob
from cfdash.tui.bulk import confirm_body, summary
from cfdash.tui.screens.confirm import ConfirmScreen

if TYPE_CHECKING:
    from cfdash.tui.screens.main import MainScreen

__all__ = ["BULK_CONCURRENCY", "BulkActions"]

#: Queue requests in flight at once during a bulk queue.
BULK_CONCURRENCY = 4


class BulkActions:
    """Marking and bulk queue actions for ``MainScreen``."""

    def _queue_marked(self: MainScreen) -> None:
        """``q`` with marked rows: one confirm listing them all, then a bounded bulk send."""
        sendable: list[TrackedJob] = []
        refused: list[tuple[TrackedJob, str]] = []
        for key in sorted(self.table.marked):
            job = self.engine.tracker.get(key)
            if job is None:
                continue
            try:
                sendable.append(self.engine.check_queue(key))
            except QueueRefused as why:
                refused.append((job, why.reason))
        if not sendable:
            reason = refused[0][1] if refused else "no marked job is tracked"
            self.notify(f"Nothing to queue: {reason}", title="Not queued", severity="warning")
            return
        self._confirming = True
        body = confirm_body(sendable, refused, BULK_CONCURRENCY)

        def answered(confirmed: bool | None) -> None:
            self._confirming = False
            if confirmed:
                keys = [job.key for job in sendable]
                self.table.clear_marks()
                self._bulk_worker(keys)
                self.table.apply((), keys, ())

        title = f"Queue {len(sendable)} install job{'s' if len(sendable) != 1 else ''}?"
        self.app.push_screen(ConfirmScreen(title, body, confirm_label="Queue all"), answered)

    @work(group="queue", exit_on_error=False)
    async def _bulk_worker(self: MainScreen, keys: list[tuple[str, int]]) -> None:
        results = await self.engine.queue_many(keys, concurrency=BULK_CONCURRENCY)
        text, severity = summary(results)
        self.notify(text, title="Bulk queue", severity=severity, timeout=15)

    def action_mark(self: MainScreen) -> None:
        key = self.table.selected_key
        if key is not None:
            self.table.toggle_mark(key)
            self.table.action_cursor(1)  # space, space, space marks a run of rows

    def action_mark_all(self: MainScreen) -> None:
        keys = self.table.row_keys
        self.table.set_marks(keys)
        self.notify(f"Marked {len(keys)} jobs in view.", timeout=3)

    def action_mark_failed(self: MainScreen) -> None:
        jobs = self.engine.tracker.jobs
        keys = [key for key in self.table.row_keys if jobs[key].phase == "failed"]
        self.table.set_marks(keys)
        if keys:
            self.notify(f"Marked {len(keys)} failed jobs: press q to queue them again.", timeout=6)
        else:
            self.notify("No failed jobs in view.", timeout=3)

    def action_clear_marks(self: MainScreen) -> None:
        """``escape``: in the filter box, clear the filter; on the table, clear the marks."""
        box = self.query_one("#filter", Input)
        if box.has_focus:
            box.value = ""
            box.remove_class("visible")
            self.table.set_filter(text="")
            self.table.focus()
            return
        cleared = self.table.clear_marks()
        if cleared:
            self.notify(f"Cleared {cleared} marks.", timeout=2)
