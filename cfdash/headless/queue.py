"""``cfdash queue``: queue jobs of one account, once each, and print what became of each.

A queue call changes things on the service and the operator's docs say it must never be
repeated automatically, so nothing here retries: a request that may have reached the service
without an answer is reported as "outcome unknown" and left for a status read to settle.
What each answer means is the engine's one rule (:mod:`cfdash.engine.outcomes`), the same the
dashboard uses, so a lost answer is never called "failed" here.

The account's status list is read first, and each job is sorted by it before anything is
sent: Queued or Running jobs are skipped with a note unless ``--force`` (queueing them again
may install twice), finished ones are left out, and ids not in the list are "not found".

Exit status: the worst of the jobs' — 0 all queued; 1 any refused, by the service or by cfdash
(not found, skipped, finished); 3 any transport or auth trouble, or an unknown outcome.
Read-only and argument mistakes exit 2 before anything is sent. Ctrl+C while a request is in
flight first names the jobs whose outcome is unknown.

``cfdash retry`` (:mod:`cfdash.headless.retry`) sends through the same loop,
:func:`send_each`, so the two print and exit alike.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Literal, TextIO

import httpx

from cfdash.api.errors import AuthError
from cfdash.api.models import StateKind
from cfdash.config import State
from cfdash.config.schema import Settings
from cfdash.engine import Engine, JobKey, QueueDone, QueueRefused, TrackedJob
from cfdash.engine.audit import AuditLog
from cfdash.engine.outcomes import SendAction
from cfdash.engine.session import build_engine
from cfdash.headless.common import (
    EXIT_API,
    EXIT_FAILED,
    EXIT_OK,
    HeadlessError,
    describe,
    only_account,
)
from cfdash.safetext import safe_text

__all__ = ["Mirroring", "queue_line", "run_queue", "send_each"]

Mirroring = Literal["true", "false", "auto"]

_UNKNOWN_HINTS: dict[SendAction, str] = {
    "queue": "not retried — `cfdash status` will show whether it was queued",
    "retry": "not sent again — `cfdash status` will show whether it was retried",
}


def _name(key: JobKey) -> str:
    return key.name


def queue_line(done: QueueDone) -> tuple[str, int]:
    """The line to print for one queue call, and the exit status it implies.

    The line quotes the API (its summary, its refusal), so it is escaped: safe to print.
    """
    line, code = _queue_line(done)
    return safe_text(line), code


def _queue_line(done: QueueDone) -> tuple[str, int]:
    job, outcome = _name(done.key), done.outcome
    hint = _UNKNOWN_HINTS[outcome.action]
    if outcome.status == "queued":
        return f"{job}: {outcome.text}", EXIT_OK
    if outcome.status == "refused":
        return f"{job}: {outcome.text}", EXIT_FAILED
    if outcome.status == "unknown":
        return f"{job}: {outcome.text}; {hint}", EXIT_API
    if not outcome.sent:
        return f"{job}: not sent ({outcome.reason})", EXIT_API
    return f"{job}: {outcome.text}", EXIT_API


def _unique(jobids: Sequence[int]) -> list[int]:
    return list(dict.fromkeys(jobids))


async def _read_list(engine: Engine, account: str, why: str) -> None:
    event = await engine.poll(account)
    if event is not None and event.error is not None:
        raise HeadlessError(
            f"could not read {account}'s status list {why}: {describe(event.error)}; "
            "nothing was queued",
            EXIT_API,
        )


def _track(engine: Engine, account: str, jobids: list[int]) -> list[JobKey]:
    keys = []
    for jobid in jobids:
        key = JobKey(account, "install", jobid)
        if engine.tracker.get(key) is None:  # tracked for this run only
            engine.tracker.add(
                TrackedJob(account, jobid, source="state"), engine.clock(), fresh=True
            )
        keys.append(key)
    return keys


def _left_out(engine: Engine, key: JobKey, force: bool) -> str | None:
    """The line for a job that will not be sent, or None to send it."""
    check = engine.queue_check(key)
    if check.sendable or (force and check.readiness == "active"):
        return None
    if check.readiness == "active":
        return f"{_name(key)}: skipped: {check.reason} (pass --force to queue it anyway)"
    if check.readiness == "not_found":
        return f"{_name(key)}: {check.reason}; not sent"
    return f"{_name(key)}: not queued: {check.reason}"


async def send_each(
    keys: list[JobKey],
    *,
    action: SendAction,
    left_out: Callable[[JobKey], str | None],
    send: Callable[[JobKey], Awaitable[QueueDone]],
    out: TextIO,
) -> int:
    """Send for each of ``keys`` in turn, once, printing a line each; the worst exit status.

    ``left_out`` says why a job is not sent (or None to send it); ``send`` sends one request.
    Rejected credentials stop the rest; Ctrl+C names the job in flight as "outcome unknown"
    and the rest as not sent, then lets the cancellation through (the command exits 130).
    """
    code = EXIT_OK
    undone = "not queued" if action == "queue" else "not retried"
    for i, key in enumerate(keys):
        note = left_out(key)
        if note is not None:
            print(safe_text(note), file=out, flush=True)
            code = max(code, EXIT_FAILED)
            continue
        try:
            done = await send(key)
        except QueueRefused as refusal:
            print(safe_text(f"{_name(key)}: {undone}: {refusal.reason}"), file=out, flush=True)
            code = max(code, EXIT_FAILED)
            continue
        except asyncio.CancelledError:
            # Ctrl+C with the request out: say so before the command exits 130.
            print(
                f"{_name(key)}: outcome unknown (interrupted while the request was in flight); "
                f"{_UNKNOWN_HINTS[action]}",
                file=out,
                flush=True,
            )
            for rest in keys[i + 1 :]:
                print(f"{_name(rest)}: not sent (interrupted)", file=out, flush=True)
            raise
        line, job_code = queue_line(done)
        print(line, file=out, flush=True)
        code = max(code, job_code)
        if isinstance(done.error, AuthError):
            # Rejected keys will be rejected for every job: stop rather than hammer.
            for skipped in keys[i + 1 :]:
                print(f"{_name(skipped)}: not sent (credentials rejected)", file=out)
            break
    return code


async def run_queue(
    settings: Settings,
    account: str,
    jobids: Sequence[int] = (),
    *,
    mirroring: Mirroring = "auto",
    failed: bool = False,
    force: bool = False,
    state: State | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    clock: Callable[[], float] = time.time,
    out: TextIO | None = None,
    audit: AuditLog | None = None,
) -> int:
    """Queue ``jobids`` (or every Failed job with ``failed``) of ``account``; returns the exit
    status (see the module docstring). Raises :class:`HeadlessError` before sending anything.

    ``audit`` records each request sent (``cfdash queue`` passes the user's ``audit.jsonl``).
    """
    out = out or sys.stdout
    if failed and jobids:
        raise HeadlessError("give job ids or --failed, not both")
    if not failed and not jobids:
        raise HeadlessError("say which jobs to queue: job ids, or --failed")
    if failed and mirroring != "auto":
        raise HeadlessError("--failed takes each job's mirroring flag from the status list")
    settings = only_account(settings, account)
    if settings.read_only or settings.accounts[account].read_only:
        raise HeadlessError(
            "read-only: queueing is disabled (--read-only or read_only in the config); "
            "nothing was sent"
        )
    engine = build_engine(settings, state, transport=transport, clock=clock, audit=audit)
    try:
        await _read_list(engine, account, "before queueing")
        if failed:
            listed = engine.tracker.latest.get(account, {}).values()
            jobids = [item.jobid for item in listed if item.state.kind is StateKind.FAILED]
            if not jobids:
                print(f"{account}: no failed jobs to queue", file=out)
                return EXIT_OK
        flag = None if mirroring == "auto" else mirroring == "true"
        keys = _track(engine, account, _unique(jobids))
        return await send_each(
            keys,
            action="queue",
            left_out=lambda key: _left_out(engine, key, force),
            send=lambda key: engine.queue(key, allow_active=force, mirroring=flag),
            out=out,
        )
    finally:
        await engine.aclose()
