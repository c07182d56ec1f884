"""``cfdash retry``: retry failed update and diff jobs of one account, once each.

A retry changes things on the service, like a queue, and must never be repeated
automatically: each is sent once (:meth:`cfdash.engine.Engine.retry`), a lost answer is
"outcome unknown", and every request sent goes to the audit trail with action ``retry``.
It prints and exits as ``cfdash queue`` does (the same loop, :func:`~.queue.send_each`, and
the same outcome rule): 0 all retried; 1 any refused, by the service or by cfdash (not
failed, not found, a version); 3 the account could not be read, credentials rejected, or an
unknown outcome. Read-only and argument mistakes exit 2 before anything is sent; Ctrl+C first
names the job whose outcome is unknown, then the command exits 130.

Which stage an id is: ``--stage``, or else the one it is tracked as (config or state file)
among update and diff — tracked as both, or as neither, the command asks for ``--stage``.
Versions have no retry endpoint: nothing is sent for one, and the line says so.

The jobs are read first (one status request each, as the dashboard does), so only a job the
service calls Failed right now is sent for.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from typing import TextIO

import httpx

from cfdash.config import State
from cfdash.config.schema import Settings
from cfdash.engine import Engine, JobKey, TrackedJob
from cfdash.engine.audit import AuditLog
from cfdash.engine.pipeline import account_trouble
from cfdash.engine.session import build_engine
from cfdash.headless.common import (
    EXIT_API,
    EXIT_FAILED,
    HeadlessError,
    describe,
    only_account,
)
from cfdash.headless.queue import send_each
from cfdash.safetext import safe_text
from cfdash.stages import NO_RETRY_REASON, RETRY_STAGES, Stage

__all__ = ["resolve_retry_keys", "run_retry"]


def resolve_retry_keys(
    engine: Engine, account: str, jobids: Sequence[int], stage: Stage | None
) -> list[JobKey]:
    """The keys to retry: ``stage`` when given, else the one stage (update or diff) each id is
    tracked as in ``account``. Raises :class:`HeadlessError` (exit 2) when that is not one."""
    keys = []
    for jobid in dict.fromkeys(jobids):
        if stage is not None:
            keys.append(JobKey(account, stage, jobid))
            continue
        tracked_as = [
            key for key in engine.tracker.jobs if key.account == account and key.jobid == jobid
        ]
        found = [key for key in tracked_as if key.stage in RETRY_STAGES]
        others = {key.stage for key in tracked_as} - set(RETRY_STAGES)
        if not found and others == {"version"}:  # said as "no retry endpoint", nothing sent
            keys.append(JobKey(account, "version", jobid))
            continue
        if not found and others == {"install"}:
            raise HeadlessError(
                f"{account}/{jobid} is tracked as an install: installs are queued, not retried "
                "(use cfdash queue), or say --stage update or --stage diff"
            )
        if len(found) != 1:
            how = "as both an update and a diff" if found else "as an update or a diff"
            tracked = "is tracked" if found else "is not tracked"
            raise HeadlessError(
                f"{account}/{jobid} {tracked} {how}: say which with --stage update or --stage diff"
            )
        keys.append(found[0])
    return keys


def _track(engine: Engine, keys: list[JobKey]) -> None:
    for key in keys:
        if engine.tracker.get(key) is None:  # tracked for this run only
            job = TrackedJob(key.account, key.jobid, source="state", stage=key.stage)
            engine.tracker.add(job, engine.clock())


def _left_out(engine: Engine, key: JobKey) -> str | None:
    """The line for a job that will not be sent, or None to send it."""
    if key.stage == "version":
        return f"{key.name}: not retried: {NO_RETRY_REASON}"
    job = engine.tracker.get(key)
    if job is not None and job.unconfirmed:
        return f"{key.name}: not retried: {job.read_error or 'it could not be read'}"
    check = engine.retry_check(key)
    if check.sendable:
        return None
    if check.readiness == "not_found":
        return f"{key.name}: {check.reason}; not sent"
    return f"{key.name}: not retried: {check.reason}"


async def run_retry(
    settings: Settings,
    account: str,
    jobids: Sequence[int],
    *,
    stage: Stage | None = None,
    state: State | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    clock: Callable[[], float] = time.time,
    out: TextIO | None = None,
    audit: AuditLog | None = None,
) -> int:
    """Retry ``jobids`` (failed updates or diffs) of ``account``; returns the exit status (see
    the module docstring). Raises :class:`HeadlessError` before sending anything.

    ``audit`` records each request sent (``cfdash retry`` passes the user's ``audit.jsonl``).
    """
    out = out or sys.stdout
    if not jobids:
        raise HeadlessError("say which jobs to retry: one or more update or diff ids")
    if stage == "install":
        raise HeadlessError("installs are queued, not retried: use cfdash queue")
    settings = only_account(settings, account)
    if settings.read_only or settings.accounts[account].read_only:
        raise HeadlessError(
            "read-only: retrying is disabled (--read-only or read_only in the config); "
            "nothing was sent"
        )
    if stage == "version":  # nothing to read or send: say so for each
        for jobid in dict.fromkeys(jobids):
            line = f"{account}/version {jobid}: not retried: {NO_RETRY_REASON}"
            print(safe_text(line), file=out)
        return EXIT_FAILED
    engine = build_engine(settings, state, transport=transport, clock=clock, audit=audit)
    try:
        keys = resolve_retry_keys(engine, account, jobids, stage)
        _track(engine, keys)
        event = await engine.poll(account)  # reads each job: only a Failed one is sent for
        if event is not None and account_trouble(event.error):
            assert event.error is not None
            raise HeadlessError(
                f"could not read {account} before retrying: {describe(event.error)}; "
                "nothing was retried",
                EXIT_API,
            )
        code = await send_each(
            keys,
            action="retry",
            left_out=lambda key: _left_out(engine, key),
            send=engine.retry,
            out=out,
        )
        unread = [key for key in keys if (job := engine.tracker.get(key)) and job.unconfirmed]
        return max(code, EXIT_API) if unread else code
    finally:
        await engine.aclose()
