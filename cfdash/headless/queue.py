"""``cfdash queue``: queue jobs of one account, once each, and print what the API said.

A queue call changes things on the service and the operator's docs say it must never be
repeated automatically, so nothing here retries: a request that may have reached the service
without an answer is reported as "outcome unknown" and left for a status read to settle.
Everything that can be checked before sending is checked first (read-only, the account, each
job's mirroring flag), so a mistake in the arguments sends nothing at all.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from typing import Literal, TextIO

import httpx

from cfdash.api.errors import ApiError, AuthError, TransportError
from cfdash.api.models import StateKind
from cfdash.config import State
from cfdash.config.schema import Settings
from cfdash.engine import Engine, JobKey, QueueDone, QueueRefused, TrackedJob
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

__all__ = ["Mirroring", "queue_line", "run_queue"]

Mirroring = Literal["true", "false", "auto"]


def queue_line(done: QueueDone) -> tuple[str, int]:
    """The line to print for one queue call, and the exit status it implies.

    The line quotes the API (its summary, its refusal), so it is escaped: safe to print.
    """
    line, code = _queue_line(done)
    return safe_text(line), code


def _queue_line(done: QueueDone) -> tuple[str, int]:
    job = f"{done.key[0]}/{done.key[1]}"
    if done.result is not None:
        return f"{job}: {done.result.summary()}", EXIT_OK
    error = done.error
    if error is None:
        return f"{job}: outcome unknown (no answer); not retried", EXIT_API
    if isinstance(error, ApiError):
        return f"{job}: refused: {error.message}", EXIT_FAILED
    if isinstance(error, TransportError) and not error.request_sent:
        return f"{job}: not sent ({describe(error)})", EXIT_API
    if isinstance(error, AuthError):
        return f"{job}: not queued: {describe(error)}", EXIT_API
    if isinstance(error, TransportError) or error.status == 200:
        # The service got the request (or answered 200 with a body we could not read):
        # whether the job was queued is unknown, and sending it again could queue it twice.
        return (
            f"{job}: outcome unknown ({describe(error)}); not retried — "
            "`cfdash status` will show whether it was queued",
            EXIT_API,
        )
    return f"{job}: failed: {describe(error)}", EXIT_API


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


def _prepare(engine: Engine, account: str, jobids: list[int], flag: bool | None) -> list[JobKey]:
    """Track each job with the flag its queue call will send; refuse if one has none."""
    keys: list[JobKey] = []
    unknown: list[str] = []
    for jobid in jobids:
        key = (account, jobid)
        if flag is not None:
            engine.remove(key)  # an explicit flag beats the config's for this one call
            engine.add(TrackedJob(account, jobid, source="state", mirroring_setting=flag))
        elif engine.tracker.get(key) is None:
            engine.add(TrackedJob(account, jobid, source="state"))
        job = engine.tracker.get(key)
        if job is None or job.mirroring is None:
            unknown.append(str(jobid))
        keys.append(key)
    if unknown:
        jobs = ", ".join(unknown)
        raise HeadlessError(
            f"{'job' if len(unknown) == 1 else 'jobs'} {jobs} "
            f"{'is' if len(unknown) == 1 else 'are'} not in {account}'s status list, so the "
            "mirroring flag is unknown; pass --mirroring true or false (nothing was queued)"
        )
    return keys


async def _send(engine: Engine, keys: list[JobKey], out: TextIO) -> int:
    code = EXIT_OK
    for i, key in enumerate(keys):
        try:
            done = await engine.queue(key)
        except QueueRefused as refusal:
            print(safe_text(f"{key[0]}/{key[1]}: not queued: {refusal}"), file=out, flush=True)
            code = max(code, EXIT_FAILED)
            continue
        line, job_code = queue_line(done)
        print(line, file=out, flush=True)
        code = max(code, job_code)
        if isinstance(done.error, AuthError):
            # Rejected keys will be rejected for every job: stop rather than hammer.
            for skipped in keys[i + 1 :]:
                print(f"{skipped[0]}/{skipped[1]}: not sent (credentials rejected)", file=out)
            break
    return code


async def run_queue(
    settings: Settings,
    account: str,
    jobids: Sequence[int] = (),
    *,
    mirroring: Mirroring = "auto",
    failed: bool = False,
    state: State | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    clock: Callable[[], float] = time.time,
    out: TextIO | None = None,
) -> int:
    """Queue ``jobids`` (or every Failed job with ``failed``) of ``account``; see the exit codes
    in :mod:`cfdash.headless.common`. Raises :class:`HeadlessError` before sending anything.
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
    engine = build_engine(settings, state, transport=transport, clock=clock)
    try:
        if failed:
            await _read_list(engine, account, "to find its failed jobs")
            listed = engine.tracker.latest.get(account, {}).values()
            jobids = [item.jobid for item in listed if item.state.kind is StateKind.FAILED]
            if not jobids:
                print(f"{account}: no failed jobs to queue", file=out)
                return EXIT_OK
        elif mirroring == "auto":
            await _read_list(engine, account, "for the mirroring flags")
        flag = None if mirroring == "auto" else mirroring == "true"
        keys = _prepare(engine, account, _unique(jobids), flag)
        return await _send(engine, keys, out)
    finally:
        await engine.aclose()
