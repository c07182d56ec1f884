"""A row's key and the names of its standing, apart from the row (:mod:`cfdash.engine.tracked`,
which re-exports them): what events, toasts, the audit trail and the command line call a job.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

from cfdash.stages import Stage

__all__ = ["NOT_FOUND_CAUSES", "STAGE_SHORT", "JobKey", "Phase", "Source", "job_name"]


class JobKey(NamedTuple):
    """A row's key: (account, stage, job id). A tuple, so it sorts, hashes and compares with
    ``("production", "install", 91)``; the names make ``key.jobid`` read better than ``key[2]``."""

    account: str
    stage: Stage
    jobid: int

    @property
    def name(self) -> str:
        """``production/5551001`` for an install, ``production/update 91`` for the others."""
        return job_name(self.account, self.stage, self.jobid)


def job_name(account: str, stage: str, jobid: int) -> str:
    """How a job is named in events, toasts, the audit trail and the command line: installs
    as they always were (``production/5551001``), other stages by name (``production/diff 92``)."""
    return f"{account}/{jobid}" if stage == "install" else f"{account}/{stage} {jobid}"


#: One letter per stage, for narrow cells (``u 91``).
STAGE_SHORT: dict[str, str] = {"install": "i", "update": "u", "diff": "d", "version": "v"}

Source = Literal["config", "state", "track_all"]

#: Where a tracked job stands, as the dashboard shows it. The API's states, plus three that
#: only a tracker can know: ``finished`` (it left the incomplete list after being seen),
#: ``notlisted`` (its account's list has not been read since it was tracked) and ``notfound``
#: (a list was read and the job, never seen before, was not in it).
Phase = Literal[
    "created",
    "pending",
    "queued",
    "running",
    "complete",
    "failed",
    "squashed",
    "unknown",
    "finished",
    "notlisted",
    "notfound",
]

#: What a "not found" row suggests, for the row, the details and ``cfdash watch``.
NOT_FOUND_CAUSES = "a wrong id, another account's job, or it finished before cfdash started"
