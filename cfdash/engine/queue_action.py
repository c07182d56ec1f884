"""The last queue (or retry) request sent for a row from here, and what became of it.

Part of a :class:`~cfdash.engine.tracked.TrackedJob` (``queue_action``), apart so the row's
module stays about the row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cfdash.engine.outcomes import QueueOutcome, SendAction

__all__ = ["QueueAction"]


@dataclass(eq=False)
class QueueAction:
    """The last queue request sent for a job from here, and what became of it.

    Kept apart from the job's own ``joberror``: a queue answer is about what cfdash did, the
    error is about the install. ``outcome`` is None while the request is in flight; an
    unknown outcome is ``settled`` by the next status list that shows the job (or its absence).
    """

    at: float
    #: The flag a queue call sent; None for a retry (updates and diffs have none).
    mirroring: bool | None
    outcome: QueueOutcome | None = None
    settled: str | None = None
    settled_at: float | None = None
    #: ``queue`` for an install, ``retry`` for a failed update or diff.
    action: SendAction = "queue"

    @property
    def text(self) -> str:
        """For a queue column: ``queued ✓``, ``refused: …``, ``outcome unknown → took effect``."""
        outcome = self.outcome
        if outcome is None:
            return "retrying…" if self.action == "retry" else "queueing…"
        if outcome.status == "queued":
            return "retried ✓" if self.action == "retry" else "queued ✓"
        if outcome.status == "unknown":
            return f"outcome unknown → {self.settled}" if self.settled else "outcome unknown"
        return outcome.text
