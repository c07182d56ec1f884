"""Reading the update, diff and version jobs an account tracks: one request per job per poll.

Installs cost one request per account (the status list holds them all); the pipeline's jobs
have no list, so each is read by id (:func:`cfdash.api.pipeline.pipeline_status`). There are
few of them. Who is to blame when a read fails follows decisions.md:

* 401/403 — the credentials are the account's, so it is the account's auth trouble;
* 429 — the same API told the account to slow down, so the whole account backs off;
* anything else (an unknown id, a 5xx, a body that cannot be read) — that row's trouble alone:
  the row says why and is unconfirmed, and the account stays healthy.

On the first account-wide trouble the remaining jobs are not read: they would meet the same
answer. :meth:`cfdash.engine.Engine.poll` runs this after the account's status list, under
the same lock, so a poll's rows — installs and pipeline jobs — leave as one ``PollDone``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from cfdash.api.client import ClanforgeClient
from cfdash.api.errors import AuthError, ClanforgeError, InternalError, RateLimitedError
from cfdash.api.pipeline import pipeline_endpoint, pipeline_status
from cfdash.engine.scrub import scrub_error, scrub_model
from cfdash.engine.tracking import Changes, Tracker
from cfdash.stages import is_pipeline_stage

__all__ = ["PipelineRead", "account_trouble", "read_pipeline_jobs"]

log = logging.getLogger("cfdash.engine")


def account_trouble(error: ClanforgeError | None) -> bool:
    """Whether ``error`` is the whole account's (rejected credentials, or told to back off)."""
    return isinstance(error, AuthError | RateLimitedError)


@dataclass
class PipelineRead:
    """What reading an account's pipeline jobs did: rows changed, requests sent, and the
    account-wide trouble that stopped it (if any)."""

    changes: Changes = field(default_factory=Changes)
    requests: int = 0
    trouble: ClanforgeError | None = None


async def read_pipeline_jobs(
    tracker: Tracker, account: str, client: ClanforgeClient, clock: Callable[[], float]
) -> PipelineRead:
    """Read each update, diff and version job of ``account`` once, in tracking order."""
    read = PipelineRead()
    for job in tracker.pipeline_jobs(account):
        key = job.key
        stage = key.stage
        if not is_pipeline_stage(stage):
            continue
        if job.phase == "complete" and job.read_error is None and not job.unconfirmed:
            # Complete is final for a job read by id (no retry undoes it), and a diff's answer
            # can run to megabytes of paths: read once, not at every refresh.
            continue
        read.requests += 1
        try:
            answer = scrub_model(await pipeline_status(client, stage, key.jobid))
        except ClanforgeError as failure:
            error = scrub_error(failure)  # an error body may echo the credentials
            if account_trouble(error):
                read.trouble = error
                break
            read.changes.update(tracker.pipeline_failed(key, error, clock()))
        except Exception as bug:  # a bug costs this row's read, not the account's polling
            log.exception("read of %s failed unexpectedly", key.name)
            error = InternalError(
                bug, account=account, endpoint=pipeline_endpoint(stage, key.jobid)
            )
            read.changes.update(tracker.pipeline_failed(key, error, clock()))
        else:
            read.changes.update(tracker.apply_pipeline(key, answer, clock()))
    return read
