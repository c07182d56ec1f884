"""The records of the simulated service: job states, accounts, jobs and their JSON shapes.

Plain data with the exact field names and types the API sends; :mod:`cfdash.sim.model` holds
the state machine that moves them. Kept apart so the JSON shapes can be read in one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

from cfdash.sim.fate import Fate, JobKind

__all__ = [
    "ALREADY_FINISHED",
    "FINISHED",
    "IDLE",
    "INCOMPLETE",
    "NO_ROWS",
    "STATE_NAMES",
    "JobState",
    "SimAccount",
    "SimJob",
    "envelope",
]


class JobState(IntEnum):
    """``jobstateid`` values from the docs."""

    CREATED = 1
    PENDING = 2
    QUEUED = 3
    RUNNING = 4
    COMPLETE = 5
    FAILED = 6
    SQUASHED = 7


# The docs' table says "Complete"; real responses seem to say "Completed", so we do.
STATE_NAMES: dict[int, str] = {
    1: "Created",
    2: "Pending",
    3: "Queued",
    4: "Running",
    5: "Completed",
    6: "Failed",
    7: "Squashed",
}

#: States listed by ``status``: failed jobs stay (our choice where the docs are silent).
INCOMPLETE = frozenset(
    {JobState.CREATED, JobState.PENDING, JobState.QUEUED, JobState.RUNNING, JobState.FAILED}
)
#: States a job never leaves.
FINISHED = frozenset({JobState.COMPLETE, JobState.SQUASHED})
#: States in which a queue call starts a run.
IDLE = frozenset({JobState.CREATED, JobState.PENDING, JobState.FAILED})

NO_ROWS = "No rows in result set"
ALREADY_FINISHED = "job already finished"


def envelope(message: str) -> dict[str, Any]:
    """The service's JSON error envelope (sent with HTTP 200 for application errors)."""
    return {
        "messages": [],
        "error_code": 1,
        "error_message": message,
        "_debug": [],
        "success": False,
        "error": True,
    }


@dataclass
class SimAccount:
    """An account service: its ASID, the key pair and/or the bearer token that may use it.

    The newer operator signs in with tokens; during the move an account may hold both.
    """

    name: str
    asid: int
    access_key: str | None = None
    secret_key: str | None = field(default=None, repr=False)
    token: str | None = field(default=None, repr=False)


@dataclass
class SimJob:
    """One image-install job, with the pre-drawn fate of its current run.

    ``queued_at`` and ``run_start`` are float clock times the lazy advance works from; the
    ``created``/``updated``/``eta`` fields are what the API reports.
    """

    jobid: int
    asid: int
    kind: JobKind
    fate: Fate
    state: JobState = JobState.PENDING
    progress: int = 0
    eta: int | None = None
    jobstart: str | None = None
    failed: int = 0
    error: str | None = None
    created: int = 0
    updated: int = 0
    target_imageversionid: int = 4242
    location: str = "London"
    machine: str | None = None
    imagepath: str = "/images/game-server"
    mirror: str | None = None
    install_at: int | None = None
    versionmirrorid: int | None = None
    machinejobid: int | None = None
    attempt: int = 0
    queued_at: float | None = None
    run_start: float | None = None

    @property
    def mirroring(self) -> bool:
        """Whether this is a mirror job (the queue call's ``mirroring`` flag must match)."""
        return self.kind == "mirror"

    def job_fields(self) -> dict[str, Any]:
        """The documented job fields, shared by status items and queue responses."""
        return {
            "jobcreated": self.created,
            "jobstart": self.jobstart,
            "jobupdated": self.updated,
            "jobeta": self.eta,
            "jobprogress": self.progress,
            "jobfailed": self.failed,
            "joberror": self.error,
            "jobstateid": int(self.state),
            "jobstatename": STATE_NAMES[self.state],
        }

    def status_item(self) -> dict[str, Any]:
        """This job as one item of the status list."""
        return {
            "jobid": self.jobid,
            **self.job_fields(),
            "mirroring": self.mirroring,
            "restart": 0,
            "location": self.location,
            "machine": self.machine,
            "imagepath": self.imagepath,
            "install_at": self.install_at,
            "mirror": self.mirror,
            "target_imageversionid": self.target_imageversionid,
        }
