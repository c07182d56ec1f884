"""Counts of the requests the simulator has received.

Client tests need to assert things like "one poll per account per refresh" and "exactly one
queue request, never retried"; this records every API request as it arrives, before faults or
authentication decide the answer, because a request that got a 503 was still sent.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from typing import Any, Literal

__all__ = ["Endpoint", "QueueCall", "RequestRecorder"]

Endpoint = Literal["status", "queue"]


@dataclass(frozen=True)
class QueueCall:
    """One queue request as received. Fields are ``None`` when missing or unparsable."""

    asid: int | None
    jobid: int | None
    mirroring: bool | None


class RequestRecorder:
    """Per-endpoint, per-account request counts plus a log of every queue call."""

    def __init__(self) -> None:
        self.counts: Counter[tuple[Endpoint, int | None]] = Counter()
        self.queue_calls: list[QueueCall] = []

    def record_status(self, asid: int | None) -> None:
        """Count one status request for ``asid``."""
        self.counts["status", asid] += 1

    def record_queue(self, asid: int | None, jobid: int | None, mirroring: bool | None) -> None:
        """Count one queue request and log its arguments."""
        self.counts["queue", asid] += 1
        self.queue_calls.append(QueueCall(asid, jobid, mirroring))

    def count(self, endpoint: Endpoint | None = None, asid: int | None = None) -> int:
        """Requests to ``endpoint`` (or any) for ``asid`` (or any account)."""
        return sum(
            n
            for (ep, a), n in self.counts.items()
            if (endpoint is None or ep == endpoint) and (asid is None or a == asid)
        )

    def reset(self) -> None:
        """Forget everything recorded so far."""
        self.counts.clear()
        self.queue_calls.clear()

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dump for ``GET /_sim/requests``."""
        return {
            "counts": [
                {"endpoint": ep, "asid": asid, "count": n}
                for (ep, asid), n in sorted(self.counts.items(), key=lambda kv: repr(kv[0]))
            ],
            "queue_calls": [asdict(call) for call in self.queue_calls],
        }
