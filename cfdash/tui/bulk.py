"""Words for bulk actions: which marked jobs a queue confirm sends and which it leaves out
(and why), what the confirm says, and what its toast sums up.

Marks may mix installs with update and diff jobs: installs are queued, failed updates and
diffs retried, and one confirm lists the two groups apart (decisions.md, "Mixed marks").
Versions have no retry endpoint and are left out, saying so.

Pure text and one read of the engine's readiness rule, so the dialog and the summary are
tested without a screen.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from textual.notifications import SeverityLevel

from cfdash.engine.engine import Engine, QueueDone, QueueRefused
from cfdash.engine.outcomes import QueueCheck
from cfdash.engine.tracking import NOT_FOUND_CAUSES, JobKey, TrackedJob
from cfdash.stages import NO_RETRY_REASON

__all__ = ["LEFT_OUT", "MAX_LISTED", "QueuePlan", "Severity", "confirm_body", "plan", "summary"]

#: A toast's severity, as Textual's ``notify`` takes it.
Severity = SeverityLevel

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
    "not_failed": ("Updates or diffs not failed", "only a failed update or diff is retried"),
    "no_retry": ("Versions", NO_RETRY_REASON),
    "refused": ("Cannot be sent now", ""),
}


@dataclass
class QueuePlan:
    """The marked jobs sorted for a confirm: what is queued (``send``), what is retried
    (``retry``), and what is left out by group."""

    send: list[TrackedJob] = field(default_factory=list)
    retry: list[TrackedJob] = field(default_factory=list)
    #: Group id (a key of :data:`LEFT_OUT`) -> the jobs' checks, with their reasons.
    left_out: dict[str, list[QueueCheck]] = field(default_factory=dict)

    @property
    def left_out_count(self) -> int:
        return sum(len(checks) for checks in self.left_out.values())

    @property
    def sent(self) -> list[TrackedJob]:
        """Every job a request goes out for: the queued ones, then the retried ones."""
        return [*self.send, *self.retry]

    @property
    def title(self) -> str:
        """``Queue 3 install jobs?``, ``Retry 1 failed job?`` or ``Queue 2 and retry 1 jobs?``."""
        queue, retry = len(self.send), len(self.retry)
        if queue and retry:
            return f"Queue {queue} and retry {retry} jobs?"
        if retry:
            return f"Retry {retry} failed job{'s' if retry != 1 else ''}?"
        return f"Queue {queue} install job{'s' if queue != 1 else ''}?"

    @property
    def confirm_label(self) -> str:
        if self.send and self.retry:
            return "Send all"
        return "Retry all" if self.retry else "Queue all"


def plan(engine: Engine, keys: Iterable[JobKey]) -> QueuePlan:
    """Sort ``keys`` by the engine's one readiness rule (:meth:`Engine.queue_check`).

    Queued and Running jobs are left out (the dashboard has no ``--force``), and so are jobs
    that finished or left the list, jobs never found, and jobs whose account is unread.
    """
    result = QueuePlan()
    for key in keys:
        if key.stage != "install":
            _plan_retry(engine, key, result)
            continue
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


def _plan_retry(engine: Engine, key: JobKey, result: QueuePlan) -> None:
    """An update, diff or version among the marks: retried if it failed, else left out."""
    check = engine.retry_check(key)
    if key.stage == "version":
        result.left_out.setdefault("no_retry", []).append(check)
        return
    if not check.sendable:
        group = check.readiness if check.readiness in ("not_found", "unread") else "not_failed"
        result.left_out.setdefault(group, []).append(check)
        return
    try:
        result.retry.append(engine.check_retry(key))
    except QueueRefused as refused:
        result.left_out.setdefault("refused", []).append(
            QueueCheck(key, check.readiness, refused.reason, check.job)
        )


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
    """The bulk confirm: each job that will be queued with its mirroring flag, each failed
    update or diff that will be retried (a group of its own), what is left out and why, and
    which key sends (Enter does not: it cancels a bulk confirm)."""
    send, retry = queue_plan.send, queue_plan.retry
    lines: list[str] = []
    if send:
        heading = "Will be queued" if retry else "Will be sent"
        lines += [f"{heading} ({len(send)}):", f"  {'Job':<22} {'State':<12} Mirroring"]
        for job in send[:MAX_LISTED]:
            flag = f"{str(job.mirroring).lower()} ({job.kind})"
            lines.append(f"  {_name(job.key):<22} {job.word:<12} {flag}")
        if len(send) > MAX_LISTED:
            lines.append(f"  … and {len(send) - MAX_LISTED} more")
    if retry:
        lines += [""] if lines else []
        lines += [f"Will be retried ({len(retry)}):", f"  {'Job':<22} {'State':<12} Error"]
        for job in retry[:MAX_LISTED]:
            lines.append(f"  {_name(job.key):<22} {job.word:<12} {(job.error or '-')[:36]}")
        if len(retry) > MAX_LISTED:
            lines.append(f"  … and {len(retry) - MAX_LISTED} more")
    if queue_plan.left_out:
        lines += ["", f"Left out, not sent ({queue_plan.left_out_count}):"]
        lines += left_out_lines(queue_plan.left_out)
    kinds = [
        _requests(len(send), "queue"),
        _requests(len(retry), "retry"),
    ]
    requests = " and ".join(kind for kind in kinds if kind)
    lines += [
        "",
        f"Sends {requests}, {concurrency} at a time. Never retried automatically.",
        f"Press y (or click {queue_plan.confirm_label}) to send; Enter cancels.",
    ]
    return "\n".join(lines)


def _requests(count: int, what: str) -> str:
    if not count:
        return ""
    return f"one {what} request" if count == 1 else f"{count} {what} requests"


def summary(results: Sequence[QueueDone | QueueRefused]) -> tuple[str, Severity]:
    """The toast after a bulk queue (and retry): (text, severity)."""
    done = [r for r in results if isinstance(r, QueueDone) and r.result is not None]
    retried = sum(1 for r in done if r.outcome.action == "retry")
    queued = len(done)
    unknown = sum(1 for r in results if isinstance(r, QueueDone) and r.unknown)
    reasons: Counter[str] = Counter()
    for result in results:
        if isinstance(result, QueueRefused):
            reasons[result.reason] += 1
        elif result.result is None and not result.unknown and result.error is not None:
            reasons[result.error.message] += 1
    if retried and queued > retried:
        parts = [f"Queued {queued - retried} and retried {retried} of {len(results)}"]
    elif retried:
        parts = [f"Retried {retried} of {len(results)}"]
    else:
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
