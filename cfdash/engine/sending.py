"""Sending the requests that change state: ``queue`` for installs, ``retry`` for updates and diffs.

Both are GETs that the operator's docs say must never be repeated automatically, so each is
sent once, its outcome decided by the one rule in :mod:`cfdash.engine.outcomes`, kept on the
row (``TrackedJob.queue_action``) and written to the audit trail (action ``queue`` or
``retry``). A lost answer is "outcome unknown" until the next read settles it.

Apart from :mod:`cfdash.engine.engine` (which polls) so each file says one thing; the engine
holds one :class:`Sender` and its ``queue``/``retry`` methods are this class's.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cfdash.api.errors import ClanforgeError, InternalError
from cfdash.api.models import QueueResult
from cfdash.api.pipeline import RetryResult, retry_job
from cfdash.engine.outcomes import (
    QueueCheck,
    QueueOutcome,
    QueueRefused,
    SendAction,
    queue_outcome,
    readiness,
    retry_readiness,
)
from cfdash.engine.scrub import scrub_error, scrub_model
from cfdash.engine.tracking import JobKey, QueueAction, TrackedJob
from cfdash.stages import can_retry

if TYPE_CHECKING:
    from cfdash.engine.engine import Engine

__all__ = ["QueueDone", "Sender"]

log = logging.getLogger("cfdash.engine")


@dataclass(frozen=True)
class QueueDone:
    """A queue or retry call ended; ``outcome`` says how, by the one rule in :mod:`.outcomes`."""

    key: JobKey
    outcome: QueueOutcome

    @property
    def result(self) -> QueueResult | RetryResult | None:
        return self.outcome.result

    @property
    def error(self) -> ClanforgeError | None:
        return self.outcome.error

    @property
    def unknown(self) -> bool:
        """The request may or may not have taken effect: the next read will tell."""
        return self.outcome.status == "unknown"

    @property
    def message(self) -> str:
        job = self.key.name
        if self.unknown:
            return f"{job}: {self.outcome.note}; the next poll will tell"
        return f"{job}: {self.outcome.note}"


class Sender:
    """Checks and sends queue and retry requests for the jobs of ``engine``."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # -- checks -----------------------------------------------------------------------------

    def queue_check(self, key: JobKey) -> QueueCheck:
        """Where ``key`` stands before a queue (see :func:`.outcomes.readiness`)."""
        job = self.engine.tracker.get(key)
        if job is None:
            return QueueCheck(key, "not_found", "it is not tracked")
        return readiness(job)

    def retry_check(self, key: JobKey) -> QueueCheck:
        """Where ``key`` stands before a retry (see :func:`.outcomes.retry_readiness`)."""
        job = self.engine.tracker.get(key)
        if job is None:
            return QueueCheck(key, "not_found", "it is not tracked")
        return retry_readiness(job)

    def _sendable(self, key: JobKey, action: SendAction, allow_active: bool) -> TrackedJob:
        job = self.engine.tracker.get(key)
        if job is None:
            raise QueueRefused("it is not tracked", key)
        if self.engine.read_only or self.engine.link(job.account).read_only:
            what = "queueing" if action == "queue" else "retrying"
            raise QueueRefused(f"read-only: {what} is disabled", key)
        if job.queue_in_flight:
            raise QueueRefused(f"a {action} request is already in flight", key)
        check = readiness(job) if action == "queue" else retry_readiness(job)
        if not check.sendable and not (allow_active and check.readiness == "active"):
            raise check.refusal()
        return job

    def check_queue(
        self, key: JobKey, *, allow_active: bool = True, mirroring: bool | None = None
    ) -> TrackedJob:
        """The job, if a queue request may be sent for it now; else ``QueueRefused`` says why.

        Nothing is sent for a job that finished, was not found, or whose account has not been
        read. A Queued or Running job is sent for only with ``allow_active``: a front end
        warns first (``cfdash queue`` skips them unless ``--force``; the confirm dialog lists
        them apart). ``mirroring`` is an explicit flag for this request, over the status
        list's and the config's.
        """
        job = self._sendable(key, "queue", allow_active)
        if job.stage != "install":
            raise QueueRefused(f"a {job.stage} job is retried, not queued", key)
        if mirroring is None and job.mirroring is None:
            raise QueueRefused(
                "its mirroring flag is unknown (not in the status list); set mirroring for it "
                "in the config or the add dialog",
                key,
            )
        return job

    def check_retry(self, key: JobKey, *, allow_active: bool = False) -> TrackedJob:
        """The job, if a retry may be sent for it now (a Failed update or diff); else
        ``QueueRefused`` says why — for a version, that it has no retry endpoint."""
        return self._sendable(key, "retry", allow_active)

    # -- sending ----------------------------------------------------------------------------

    async def queue(
        self, key: JobKey, *, allow_active: bool = True, mirroring: bool | None = None
    ) -> QueueDone:
        """Send one queue request for ``key``. Never retried; raises ``QueueRefused`` first."""
        job = self.check_queue(key, allow_active=allow_active, mirroring=mirroring)
        flag = bool(job.mirroring) if mirroring is None else mirroring
        client = self.engine.link(job.account).client
        action = QueueAction(self.engine.clock(), flag)
        return await self._send(job, action, lambda: client.queue(job.jobid, mirroring=flag))

    async def retry(self, key: JobKey, *, allow_active: bool = False) -> QueueDone:
        """Send one retry request for a failed update or diff. Never retried; raises
        ``QueueRefused`` first (a version's says it has no retry endpoint)."""
        job = self.check_retry(key, allow_active=allow_active)
        stage = job.stage
        if not can_retry(stage):  # retry_readiness said so already; this is for the types
            raise QueueRefused(f"a {stage} job cannot be retried", key)
        client = self.engine.link(job.account).client
        action = QueueAction(self.engine.clock(), None, action="retry")
        return await self._send(job, action, lambda: retry_job(client, stage, job.jobid))

    async def _send(
        self,
        job: TrackedJob,
        action: QueueAction,
        call: Callable[[], Awaitable[QueueResult | RetryResult]],
    ) -> QueueDone:
        """Send ``call`` once; the row, the audit trail and the listeners learn the outcome.

        Cancelled while the request is out (Ctrl+C), the row says "outcome unknown", the trail
        records it, and the cancellation goes on.
        """
        engine, key, verb = self.engine, job.key, action.action
        job.queue_action = action
        job.queue_in_flight = True
        job.queue_note = "queueing…" if verb == "queue" else "retrying…"
        result: QueueResult | RetryResult | None = None
        error: BaseException | None = None
        try:
            result = scrub_model(await call())
        except ClanforgeError as failure:
            error = scrub_error(failure)  # an error body may echo the credentials
        except asyncio.CancelledError as cancelled:
            self._settle(job, action, queue_outcome(error=cancelled, action=verb))
            raise
        except Exception as bug:  # our bug: the request may have gone out, so say unknown
            log.exception("%s of %s failed unexpectedly", verb, key.name)
            error = InternalError(bug, account=key.account, endpoint=f"{verb} {key.jobid}")
        outcome = queue_outcome(result, error, action=verb)
        if result is not None and outcome.status == "queued":
            engine.tracker.record_queue(key, result, engine.clock())
        self._settle(job, action, outcome)
        event = QueueDone(key, outcome)
        engine.emit(event)
        # A read (never the call again) confirms what happened.
        engine.refresh(job.account)
        return event

    def _settle(self, job: TrackedJob, action: QueueAction, outcome: QueueOutcome) -> None:
        """The row and the audit trail learn how a call ended."""
        job.queue_in_flight = False
        action.outcome = outcome
        job.queue_unknown = outcome.status == "unknown"
        job.queue_note = outcome.note
        audit = self.engine.audit
        if audit is not None:
            audit.queued(job.key, action.mirroring, outcome, action.at, action.action)
