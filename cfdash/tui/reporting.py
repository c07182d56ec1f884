"""What the main screen tells people about jobs: a line per event in the feed, a summary toast.

The screen hands over what it learned — a look of the monitor after a poll, a queue answer, a
settled unknown outcome — and this keeps the two consequences together: each job's own line
goes to the :class:`~cfdash.tui.event_lines.EventLines` at once, and the notable ones gather
in :class:`~cfdash.tui.alerts.Alerts` until :meth:`Reporter.flush` sends one summary (at most
once a second).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from cfdash.engine.audit import AuditEntry, AuditLog, local_user
from cfdash.engine.monitor import Observed
from cfdash.engine.tracking import JobKey, Tracker
from cfdash.tui.alerts import Alerts, Summary
from cfdash.tui.event_lines import EventLines

__all__ = ["Reporter"]


class Reporter:
    """Event lines and alert summaries for one tracker."""

    def __init__(
        self,
        tracker: Tracker,
        alerts: Alerts | None,
        clock: Callable[[], float],
        audit: Callable[[], AuditLog | None] = lambda: None,
    ) -> None:
        self.tracker = tracker
        self.alerts = alerts
        self.clock = clock
        self.audit = audit
        self.lines = EventLines()
        #: Queue lines before this are earlier sessions' (read from the audit trail).
        self.started = clock()

    def observed(self, observed: Observed, stalled: frozenset[JobKey], now: float) -> None:
        """A look after a poll or a queue answer: its lines now, its alerts for the summary."""
        self.lines.add_transitions(observed.transitions)
        recovered = observed.stall_changed - stalled
        if recovered:
            self.lines.add_recovered(recovered, self.tracker.jobs, now)
        if self.alerts is not None and observed.notable:
            self.alerts.add(observed.notable)

    def flush(self, now: float | None = None) -> Summary | None:
        """Send the gathered summary if one may go out now."""
        if self.alerts is None:
            return None
        return self.alerts.flush(self.clock() if now is None else now)

    # -- queue lines, worded as the audit trail words them ----------------------------------

    def _user(self) -> str | None:
        audit = self.audit()
        return audit.user if audit is not None else local_user()

    def queued(self, key: JobKey) -> None:
        """A queue request from here was answered (or its answer lost): its line."""
        job = self.tracker.get(key)
        action = job.queue_action if job is not None else None
        if action is None or action.outcome is None:
            return
        entry = AuditEntry(
            at=action.at,
            account=key.account,
            job=key.jobid,
            stage=key.stage,
            action=action.action,
            mirroring=action.mirroring,
            user=self._user(),
            outcome=action.outcome.status,
            answer=action.outcome.audit_answer,
        )
        self.lines.add_audit([entry])

    def settled(self, keys: Iterable[JobKey]) -> None:
        """A status list settled these unknown queue outcomes: one line each."""
        entries = []
        for key in sorted(keys):
            job = self.tracker.get(key)
            action = job.queue_action if job is not None else None
            if action is None or action.settled is None:
                continue
            entries.append(
                AuditEntry(
                    at=action.settled_at or self.clock(),
                    account=key.account,
                    job=key.jobid,
                    stage=key.stage,
                    of=action.action,
                    action="settle",
                    mirroring=None,
                    user=None,
                    outcome="",
                    answer=action.settled,
                )
            )
        self.lines.add_audit(entries)

    def seed(self, count: int = 200) -> None:
        """Earlier sessions' queue lines, read once from the audit trail (when first shown)."""
        if self.lines.seeded:
            return
        audit = self.audit()
        self.lines.seed(audit.last(count) if audit is not None else [], before=self.started)
