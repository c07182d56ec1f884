"""Words for bulk actions: what a multi-job queue confirm lists, and what its toast sums up.

Pure text, so the confirm dialog and the summary are tested without a screen.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Literal

from cfdash.engine.engine import QueueDone, QueueRefused
from cfdash.engine.tracking import TrackedJob

__all__ = ["MAX_LISTED", "confirm_body", "summary"]

#: A toast's severity, as Textual's ``notify`` takes it.
Severity = Literal["information", "warning", "error"]

#: Jobs listed one per line in the confirm dialog; the rest are counted.
MAX_LISTED = 15


def confirm_body(
    sendable: Sequence[TrackedJob], refused: Sequence[tuple[TrackedJob, str]], concurrency: int
) -> str:
    """The bulk confirm: each job with its mirroring flag, and what will not be sent, and why."""
    lines = [f"{'Job':<22} {'State':<12} Mirroring"]
    for job in sendable[:MAX_LISTED]:
        name = f"{job.account}/{job.jobid}"
        lines.append(f"{name:<22} {job.word:<12} {str(job.mirroring).lower()} ({job.kind})")
    if len(sendable) > MAX_LISTED:
        lines.append(f"… and {len(sendable) - MAX_LISTED} more")
    if refused:
        lines += ["", f"Not sent ({len(refused)}):"]
        lines += [f"  {job.account}/{job.jobid}: {why}" for job, why in refused[:5]]
        if len(refused) > 5:
            lines.append(f"  … and {len(refused) - 5} more")
    lines += [
        "",
        f"One queue request per job, {concurrency} at a time. Never retried automatically.",
    ]
    return "\n".join(lines)


def summary(results: Sequence[QueueDone | QueueRefused]) -> tuple[str, Severity]:
    """The toast after a bulk queue: (text, severity)."""
    queued = sum(1 for r in results if isinstance(r, QueueDone) and r.result is not None)
    unknown = sum(1 for r in results if isinstance(r, QueueDone) and r.unknown)
    reasons: Counter[str] = Counter()
    for result in results:
        if isinstance(result, QueueRefused):
            reasons[result.reason] += 1
        elif result.result is None and not result.unknown and result.error is not None:
            reasons[result.error.message] += 1
    parts = [f"Queued {queued} of {len(results)}"]
    if unknown:
        parts.append(f"{unknown} outcome unknown (the next poll will tell)")
    if reasons:
        why = "; ".join(f"{count} × {reason}" for reason, count in reasons.most_common(3))
        parts.append(f"{sum(reasons.values())} refused: {why}")
    severity: Severity = (
        "information" if queued == len(results) else ("warning" if queued else "error")
    )
    return ", ".join(parts) + ".", severity
