"""Words for bulk actions: which marked jobs a queue confirm sends and which it leaves out
(and why), what the confirm says, and what its toast sums up.

Pure text and one read of the engine's readiness rule, so the dialog and the summary are
tested without a screen.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from cfdash.engine.engine import Engine, QueueDone, QueueRefused
from cfdash.engine.outcomes import QueueCheck
from cfdash.engine.tracking import NOT_FOUND_CAUSES, JobKey, TrackedJob

__all__ = ["LEFT_OUT", "MAX_LISTED", "QueuePlan", "Severity", "confirm_body", "plan", "summary"]

#: A toast's severity, as Textual's ``notify`` takes it.
Severity = Literal["information", "warning", "error"]

#: Jobs listed one per line in the confirm dialog; the rest are counted.
MAX_LISTED = 15
#: Names listed per left-out group; the rest are counted.
MAX_NAMED = 6

#: The groups a confirm leaves out, in the order it lists them: (title, why, in brackets).
#: ``refused`` holds jobs the readiness rule would send but the engine will not now (read-only,
#: a request already in flight, an unknown mirroring flag); each names its own reason.
LEFT_OUT: dict[str, tuple[str, str]] = {
    "active": ("Running or queued", "already in progress; cfdash queue --force sends anyway"),
    "finished": ("Finished or gone from the list", "nothing left to install"),
    "not_found": ("Not found", f"likely {NOT_FOUND_CAUSES}"),
    "unread": ("Not read yet", "their account's status list has not been read"),
    "refused": ("Cannot be sent now", ""),
}


@dataclass
class QueuePlan:
    """The marked jobs sorted for a confirm: what is sent, and what is left out by group."""

    send: list[TrackedJob] = field(default_factory=list)
    #: Group id (a key of :data:`LEFT_OUT`) -> the jobs' checks, with their reasons.
    left_out: dict[str, list[QueueCheck]] = field(default_factory=dict)

    @property
    def left_out_count(self) -> int:
        return sum(len(checks) for checks in self.left_out.values())


def plan(engine: Engine, keys: Iterable[JobKey]) -> QueuePlan:
    """Sort ``keys`` by the engine's one readiness rule (:meth:`Engine.queue_check`).

    Queued and Running jobs are left out (the dashboard has no ``--force``), and so are jobs
    that finished or left the list, jobs never found, and jobs whose account is unread.
    """
    result = QueuePlan()
    for key in keys:
        check = engine.queue_check(key)
        if not check.sendable:
            result.left_out.setdefault(check.readiness, []).append(check)
            continue
        try:
            result.send.append(engine.check_queue(key, allow_active=False))
        except QueueRefused as refused:
            result.left_out.setdefault("refused", []).append(
                QueueCheck(key, check.readiness, refused.reason, check.job)
            )
    return result


def _name(key: JobKey) -> str:
    return key.name


def left_out_lines(left_out: dict[str, list[QueueCheck]]) -> list[str]:
    """The "Left out" part of a confirm: one group per line, its names, then why."""
    lines: list[str] = []
    for group, (title, why) in LEFT_OUT.items():
        checks = left_out.get(group)
        if not checks:
            continue
        if group == "refused":
            lines.append(f"  {title}:")
            lines += [f"    {_name(c.key)}: {c.reason}" for c in checks[:MAX_NAMED]]
            if len(checks) > MAX_NAMED:
                lines.append(f"    … and {len(checks) - MAX_NAMED} more")
            continue
        names = ", ".join(_name(check.key) for check in checks[:MAX_NAMED])
        more = f" and {len(checks) - MAX_NAMED} more" if len(checks) > MAX_NAMED else ""
        lines.append(f"  {title} ({len(checks)}): {names}{more}")
        lines.append(f"    ({why})")
    return lines


def confirm_body(queue_plan: QueuePlan, concurrency: int) -> str:
    """The bulk confirm: each job that will be sent with its mirroring flag, what is left out
    and why, and which key sends (Enter does not: it cancels a bulk confirm)."""
    send = queue_plan.send
    lines = [f"Will be sent ({len(send)}):", f"  {'Job':<22} {'State':<12} Mirroring"]
    for job in send[:MAX_LISTED]:
        flag = f"{str(job.mirroring).lower()} ({job.kind})"
        lines.append(f"  {_name(job.key):<22} {job.word:<12} {flag}")
    if len(send) > MAX_LISTED:
        lines.append(f"  … and {len(send) - MAX_LISTED} more")
    if queue_plan.left_out:
        lines += ["", f"Left out, not sent ({queue_plan.left_out_count}):"]
        lines += left_out_lines(queue_plan.left_out)
    requests = "one queue request" if len(send) == 1 else f"{len(send)} queue requests"
    lines += [
        "",
        f"Sends {requests}, {concurrency} at a time. Never retried automatically.",
        "Press y (or click Queue all) to send; Enter cancels.",
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
