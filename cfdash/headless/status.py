"""``cfdash status``: one refresh of every tracked job, printed as a table or as JSON.

One status request per account (``Engine.poll_all``) — the same engine and tracking as the
dashboard, so a job's state word, progress and ETA mean the same here. An account that cannot
be read is named on stderr and makes the exit status 3; the others are still printed, since
a partial picture beats none when one set of keys has expired.

Watched images (fleet readiness) follow the jobs: one line each, or ``images`` in the JSON
(:mod:`cfdash.headless.images`). An image that cannot be read is named on stderr and makes the
exit status 3 as well.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from typing import Any, TextIO

import httpx

from cfdash.api.errors import ClanforgeError
from cfdash.api.pipeline import DiffStatus
from cfdash.config import State
from cfdash.config.schema import Settings
from cfdash.engine import Engine, TrackedJob
from cfdash.engine.session import build_engine
from cfdash.headless.common import EXIT_API, EXIT_OK, describe, health_word, only_account
from cfdash.headless.images import images_json, images_table, unread_images
from cfdash.headless.text import error_cell, progress_text, table
from cfdash.safetext import safe_text
from cfdash.textfmt import eta_text

__all__ = ["NOT_READ", "job_json", "ordered_jobs", "run_status", "status_json", "status_table"]

#: The state word of a job whose account could not be read: "not listed" would be a guess.
NOT_READ = "not read"

_HEADER = (
    "ACCOUNT",
    "JOB",
    "STAGE",
    "KIND",
    "LABEL",
    "STATE",
    "PROGRESS",
    "ETA",
    "FAILURES",
    "ERROR",
)


def ordered_jobs(engine: Engine) -> list[TrackedJob]:
    """Tracked jobs grouped by account in config order, each account's in tracking order."""
    rank = {name: i for i, name in enumerate(engine.accounts)}
    jobs = list(engine.tracker.jobs.values())
    return sorted(jobs, key=lambda job: rank.get(job.account, len(rank)))


def _word(job: TrackedJob, errors: dict[str, ClanforgeError]) -> str:
    return NOT_READ if job.account in errors and job.item is None else job.word


def job_json(job: TrackedJob, errors: dict[str, ClanforgeError]) -> dict[str, Any]:
    """One job for ``--json``: the dashboard's columns, then every field the API sent (and, for
    a diff, the paths it found, as the details screen lists them)."""
    row = {
        "account": job.account,
        "stage": job.stage,
        "jobid": job.jobid,
        "kind": job.kind or None,
        "label": job.label,
        "target": job.target or None,
        "state": _word(job, errors),
        "phase": job.phase,
        "progress": job.progress,
        "eta": job.eta,
        "failures": job.failures,
        "error": job.error,
        "note": job.seen_note,
        "release": job.release,
        "mirroring": job.mirroring,
        "listed": job.listed,
        "fields": job.item.model_dump(mode="json") if job.item is not None else {},
    }
    if isinstance(job.pipeline, DiffStatus):
        diff = job.pipeline
        row["paths"] = {
            "added": sorted(diff.added),
            "modified": sorted(diff.modified),
            "removed": sorted(diff.removed),
        }
    return row


def status_json(engine: Engine, errors: dict[str, ClanforgeError]) -> dict[str, Any]:
    accounts = {
        name: {
            "health": health_word(errors.get(name)),
            "reason": errors[name].reason if name in errors else "",
            "error": describe(errors[name]) if name in errors else None,
        }
        for name in engine.accounts
    }
    return {
        "accounts": accounts,
        "jobs": [job_json(j, errors) for j in ordered_jobs(engine)],
        "images": images_json(engine.images),
    }


def status_table(engine: Engine, errors: dict[str, ClanforgeError], now: float) -> str:
    rows = [
        (
            job.account,
            str(job.jobid),
            job.stage,
            job.kind,
            job.label or job.target,  # as on the dashboard: the mirror or machine if unlabelled
            _word(job, errors),
            progress_text(job),
            eta_text(job.eta, now),
            str(job.failures) if job.item is not None else "",
            error_cell(job.error or job.seen_note),  # the note: gone while cfdash was closed
        )
        for job in ordered_jobs(engine)
    ]
    if not rows:
        return "No tracked jobs (list some under jobs = [...] or set track_all = true)."
    return table(_HEADER, rows, right=(1, 6, 8))


async def run_status(
    settings: Settings,
    *,
    state: State | None = None,
    account: str | None = None,
    as_json: bool = False,
    transport: httpx.AsyncBaseTransport | None = None,
    clock: Callable[[], float] = time.time,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Poll every account once, print what is known, and return the exit status (0 or 3)."""
    out, err = out or sys.stdout, err or sys.stderr
    settings = only_account(settings, account)
    engine = build_engine(settings, state, transport=transport, clock=clock, images=True)
    try:
        events = await engine.poll_all()
    finally:
        await engine.aclose()
    errors = {event.account: event.error for event in events if event.error is not None}
    for name, error in errors.items():
        print(safe_text(f"cfdash: account {name} could not be read: {describe(error)}"), file=err)
    unread = unread_images(engine.images)
    for sentence in unread:
        print(safe_text(sentence), file=err)
    if as_json:
        # ensure_ascii (the default, said out loud): every control, C1 and U+2028 character
        # is written as a JSON \u escape, so the output is exact and still inert on a terminal.
        print(json.dumps(status_json(engine, errors), indent=2, ensure_ascii=True), file=out)
    else:
        print(status_table(engine, errors, clock()), file=out)
        if (images := images_table(engine.images)) is not None:
            print(f"\n{images}", file=out)
    return EXIT_API if errors or unread else EXIT_OK
