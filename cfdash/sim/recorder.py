"""Counts of the requests the simulator has received.

Client tests need to assert things like "one poll per account per refresh", "one request per
pipeline job per refresh" and "exactly one queue (or retry) request, never repeated"; this
records every API request as it arrives, before faults or authentication decide the answer,
because a request that got a 503 was still sent.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from typing import Any, Literal

__all__ = ["ENDPOINTS", "Endpoint", "QueueCall", "RequestRecorder", "RetryCall"]

#: Every API endpoint, by the name faults and counts use.
Endpoint = Literal[
    "status",  # the install status list
    "queue",
    "update_status",
    "diff_status",
    "version_status",
    "update_retry",
    "diff_retry",
    "image_status",
]
ENDPOINTS: tuple[Endpoint, ...] = (
    "status",
    "queue",
    "update_status",
    "diff_status",
    "version_status",
    "update_retry",
    "diff_retry",
    "image_status",
)


@dataclass(frozen=True)
class QueueCall:
    """One queue request as received. Fields are ``None`` when missing or unparsable."""

    asid: int | None
    jobid: int | None
    mirroring: bool | None


@dataclass(frozen=True)
class RetryCall:
    """One retry request (``stage`` is "update" or "diff") as received."""

    stage: str
    asid: int | None
    jobid: int | None


class RequestRecorder:
    """Per-endpoint, per-account (and per-id) request counts plus a log of state changes."""

    def __init__(self) -> None:
        self.counts: Counter[tuple[Endpoint, int | None]] = Counter()
        self.by_id: Counter[tuple[Endpoint, int | None, int | None]] = Counter()
        self.queue_calls: list[QueueCall] = []
        self.retry_calls: list[RetryCall] = []

    def record(self, endpoint: Endpoint, asid: int | None, jobid: int | None = None) -> None:
        """Count one request to ``endpoint`` for ``asid`` (and the job or image it names)."""
        self.counts[endpoint, asid] += 1
        if jobid is not None:
            self.by_id[endpoint, asid, jobid] += 1

    def record_status(self, asid: int | None) -> None:
        """Count one status request for ``asid``."""
        self.record("status", asid)

    def record_queue(self, asid: int | None, jobid: int | None, mirroring: bool | None) -> None:
        """Count one queue request and log its arguments."""
        self.record("queue", asid, jobid)
        self.queue_calls.append(QueueCall(asid, jobid, mirroring))

    def record_retry(self, stage: str, asid: int | None, jobid: int | None) -> None:
        """Count one retry request and log it, like a queue call."""
        self.record("diff_retry" if stage == "diff" else "update_retry", asid, jobid)
        self.retry_calls.append(RetryCall(stage, asid, jobid))

    def count(
        self, endpoint: Endpoint | None = None, asid: int | None = None, jobid: int | None = None
    ) -> int:
        """Requests to ``endpoint`` (or any) for ``asid`` (or any account), naming ``jobid``."""
        if jobid is not None:
            return sum(
                n
                for (ep, a, j), n in self.by_id.items()
                if j == jobid
                and (endpoint is None or ep == endpoint)
                and (asid is None or a == asid)
            )
        return sum(
            n
            for (ep, a), n in self.counts.items()
            if (endpoint is None or ep == endpoint) and (asid is None or a == asid)
        )

    def reset(self) -> None:
        """Forget everything recorded so far."""
        self.counts.clear()
        self.by_id.clear()
        self.queue_calls.clear()
        self.retry_calls.clear()

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dump for ``GET /_sim/requests``."""
        return {
            "counts": [
                {"endpoint": ep, "asid": asid, "count": n}
                for (ep, asid), n in sorted(self.counts.items(), key=lambda kv: repr(kv[0]))
            ],
            "queue_calls": [asdict(call) for call in self.queue_calls],
            "retry_calls": [asdict(call) for call in self.retry_calls],
        }
