"""The one rule for queueing: whether a job may be sent, and what a queue call's answer means.

The dashboard and ``cfdash queue`` both ask these functions, so a lost answer cannot be
"outcome unknown" on one screen and "failed" on the other. An operator who reads "failed"
queues again and may install twice; "outcome unknown" tells them to wait for the status list.

Before sending, :func:`readiness` sorts a tracked job into one of:

========== ===========================================================================
sendable   Created, Pending or Failed (also a Failed job some deployments dropped)
active     Queued or Running (or a state cfdash does not know): sent only when forced
finished   Complete or Squashed in the list, or it left the list after being seen (by
           this run, or by an earlier one: see :mod:`cfdash.engine.lastseen`)
not_found  its account's list was read and it was never in it
unread     its account's list has not been read since it was tracked
========== ===========================================================================

A retry of an update or diff (:func:`retry_readiness`) has the same categories: only a Failed
job is sendable, a version never is (it has no retry endpoint), and an install is queued, not
retried.

After sending, :func:`queue_outcome` turns the result or the exception into one of (for a
retry too: ``queued`` then means the service took the retry):

============ ==================================================== ===================
queued       the service answered with the job                    exit 0
refused      the service said no (its error envelope)             exit 1
not_queued   it did not happen, for a reason not the job's:       exit 3
             unreachable before sending, credentials rejected,
             rate limited
unknown      the answer was lost or unreadable (5xx from a        exit 3
             gateway, dropped connection, timeout after sending,
             interrupted): only the next status list can tell
============ ==================================================== ===================
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from typing import Literal

from cfdash.api.errors import (
    ApiError,
    BadResponseError,
    ClanforgeError,
    InternalError,
    ServerError,
    TransportError,
)
from cfdash.api.models import QueueResult, StateKind
from cfdash.api.pipeline import RetryResult
from cfdash.engine.tracking import NOT_FOUND_CAUSES, JobKey, TrackedJob, job_name
from cfdash.stages import NO_RETRY_REASON

__all__ = [
    "QueueCheck",
    "QueueOutcome",
    "QueueRefused",
    "QueueStatus",
    "Readiness",
    "SendAction",
    "outcome_unknown",
    "queue_outcome",
    "readiness",
    "retry_readiness",
]

QueueStatus = Literal["queued", "refused", "not_queued", "unknown"]
#: What was sent: ``queue`` (an install) or ``retry`` (a failed update or diff).
SendAction = Literal["queue", "retry"]
Readiness = Literal["sendable", "active", "finished", "not_found", "unread"]


class QueueRefused(Exception):
    """A queue request cfdash will not send; ``reason`` says why, ``job`` names the job.

    ``str()`` is ``account/jobid: reason`` (just the reason when no job is known); read
    ``reason`` rather than taking the text apart.
    """

    def __init__(self, reason: str, job: JobKey | None = None) -> None:
        self.reason = reason
        self.job = job
        super().__init__(f"{job_name(*job)}: {reason}" if job is not None else reason)


@dataclass(frozen=True, slots=True)
class QueueOutcome:
    """What one queue call came to: ``status``, a short ``reason``, and the answer if any."""

    status: QueueStatus
    reason: str
    result: QueueResult | RetryResult | None = None
    error: ClanforgeError | None = None
    #: False only when cfdash knows the request never left (a connection refused).
    sent: bool = True
    action: SendAction = "queue"

    @property
    def text(self) -> str:
        """The words for a line or a toast: never "failed" for an answer that was lost."""
        if self.status == "queued":
            return self.reason
        if self.status == "refused":
            return f"refused: {self.reason}"
        if self.status == "unknown":
            return f"outcome unknown ({self.reason})"
        undone = "not queued" if self.action == "queue" else "not retried"
        return f"{undone if self.sent else 'not sent'}: {self.reason}"

    @property
    def note(self) -> str:
        """The words for the job's row, where "queue" (or "retry") says what they are about."""
        if self.status in ("refused", "unknown") or not self.sent:
            return f"{self.action} {self.text}"
        return self.text

    @property
    def trouble(self) -> bool:
        """Transport, auth or an unknown outcome: what makes ``cfdash queue`` exit 3."""
        return self.status in ("not_queued", "unknown")

    @property
    def audit_answer(self) -> str:
        """What the audit trail records as the answer: the service's words, or "unknown"."""
        return "unknown" if self.status == "unknown" else self.text


def outcome_unknown(error: BaseException) -> bool:
    """Whether a failed queue call may still have taken effect.

    Only an answer from the service itself (an error envelope, 401/403, 429) says it did not;
    a 5xx from a gateway, an unreadable body or a connection lost after sending says nothing,
    and only the next status list can tell. Anything that is not a client error (our own bug,
    an interruption) happened with the request possibly out, so it is unknown too.
    """
    if isinstance(error, TransportError):
        return error.request_sent
    if isinstance(error, ClanforgeError):
        return isinstance(error, ServerError | BadResponseError | InternalError)
    return True


def queue_outcome(
    result: QueueResult | RetryResult | None = None,
    error: BaseException | None = None,
    action: SendAction = "queue",
) -> QueueOutcome:
    """The outcome of a queue (or retry) call from its result or the exception it raised."""
    if result is not None:
        if result.success is False:
            return QueueOutcome(
                "refused", "the service answered success: false", result, action=action
            )
        return QueueOutcome("queued", result.summary(), result, action=action)
    if error is None:
        return QueueOutcome("unknown", "no answer", action=action)
    if isinstance(error, asyncio.CancelledError | KeyboardInterrupt):
        return QueueOutcome("unknown", "interrupted while the request was in flight", action=action)
    if not isinstance(error, ClanforgeError):
        return QueueOutcome("unknown", f"internal error ({type(error).__name__})", action=action)
    if outcome_unknown(error):
        return QueueOutcome("unknown", _why(error), error=error, action=action)
    if isinstance(error, ApiError):
        return QueueOutcome("refused", error.message, error=error, action=action)
    if isinstance(error, TransportError):  # not sent: connection refused, DNS, TLS
        return QueueOutcome("not_queued", _why(error), error=error, sent=False, action=action)
    # Credentials rejected, rate limited: the service turned the request away unread.
    return QueueOutcome("not_queued", _why(error), error=error, action=action)


def _why(error: ClanforgeError) -> str:
    """``server error 503: Service Unavailable``, ``credentials rejected (Forbidden (HTTP 401))``.

    Short and plain, for a row, a toast and a line of ``cfdash queue``: a gateway's error page
    is its title, never its markup (the log keeps the excerpt as it came).
    """
    if isinstance(error, ServerError):
        said = _plain(error.detail).removeprefix(f"{error.status} ")
        return f"{error.reason}: {said}" if said else error.reason
    message = _plain(error.message)
    if error.reason == message:
        return message
    return f"{error.reason} ({message})"


_TITLE = re.compile(r"<title[^>]*>([^<]*)", re.IGNORECASE)
_TAG = re.compile(r"<[A-Za-z!/?][^>]*(?:>|$)")
#: Characters of an answer's own words kept in a reason; a sentence, not a page.
_SAID = 60


def _plain(text: str) -> str:
    """An answer's words without markup, cut short: an HTML page's title, or its text."""
    tag = _TAG.search(text)
    if tag is not None:
        head, markup = text[: tag.start()], text[tag.start() :]
        title = _TITLE.search(markup)
        text = head + (title.group(1) if title else _TAG.sub(" ", markup))
    text = " ".join(text.split())
    if len(text) > _SAID:
        text = text[: _SAID - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"
    return text


@dataclass(frozen=True, slots=True)
class QueueCheck:
    """Where one job stands before a queue: its :data:`Readiness` and, unless sendable, why."""

    key: JobKey
    readiness: Readiness
    reason: str = ""
    job: TrackedJob | None = None

    @property
    def sendable(self) -> bool:
        return self.readiness == "sendable"

    def refusal(self) -> QueueRefused:
        return QueueRefused(self.reason, self.key)


def readiness(job: TrackedJob) -> QueueCheck:
    """Whether a queue request makes sense for ``job`` as last read, and if not, why not."""
    key, phase = job.key, job.phase
    if phase == "notlisted":
        return QueueCheck(key, "unread", f"{job.account}'s status list has not been read yet", job)
    if phase == "notfound":
        return QueueCheck(
            key, "not_found", f"not found in {job.account}'s status list ({NOT_FOUND_CAUSES})", job
        )
    if job.item is None:  # gone while cfdash was closed (see cfdash.engine.lastseen)
        if phase == "failed":
            return QueueCheck(key, "sendable", "", job)  # as a failed job that left the list
        return QueueCheck(key, "finished", f"it {job.seen_note}", job)
    kind = job.item.state.kind
    if not job.listed:
        if kind is StateKind.FAILED:
            return QueueCheck(key, "sendable", "", job)  # some deployments drop failed jobs
        return QueueCheck(key, "finished", f"it left the list ({job.word})", job)
    if kind in (StateKind.COMPLETE, StateKind.SQUASHED):
        return QueueCheck(key, "finished", f"it has already finished ({job.word})", job)
    if kind in (StateKind.QUEUED, StateKind.RUNNING):
        return QueueCheck(key, "active", f"it is {job.word}", job)
    if kind is StateKind.UNKNOWN:
        return QueueCheck(key, "active", f"its state is one cfdash does not know ({job.word})", job)
    return QueueCheck(key, "sendable", "", job)


def retry_readiness(job: TrackedJob) -> QueueCheck:
    """Whether a retry makes sense for ``job`` as last read: a Failed update or diff only.

    A version has no retry endpoint (nothing is sent; :data:`~cfdash.stages.NO_RETRY_REASON`
    says what to do instead) and an install is queued again, not retried. A Complete diff
    could be retried by the service, but cfdash offers retry for failures only.
    """
    key, phase = job.key, job.phase
    if job.stage == "version":
        return QueueCheck(key, "finished", NO_RETRY_REASON, job)
    if job.stage == "install":
        return QueueCheck(key, "finished", "an install is queued again, not retried", job)
    if phase == "notlisted":
        return QueueCheck(key, "unread", f"{job.name} has not been read yet", job)
    if phase == "notfound":
        return QueueCheck(key, "not_found", f"{job.account} has no {job.stage} {job.jobid}", job)
    if phase == "failed":
        return QueueCheck(key, "sendable", "", job)
    if phase == "complete":
        return QueueCheck(key, "finished", f"it has already finished ({job.word})", job)
    return QueueCheck(key, "active", f"it is {job.word}, not failed", job)
