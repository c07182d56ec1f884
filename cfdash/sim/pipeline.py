"""Records of the rest of the simulated pipeline: update, diff and version jobs and their JSON.

Plain data with the field names the API sends, and the fates their runs are drawn from;
:mod:`cfdash.sim.pipeline_model` moves them. Each stage has its own id space, so update 91 and
diff 91 are two jobs. They use states 1–6 (no Squashed) and, unlike installs, start by
themselves: the pipelines that create them are not cfdash's business, only watching them is.

A diff carries the paths it found; the service is PHP-backed, so an empty map is sent as ``[]``
(which clients must read as an empty map, and do).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from cfdash.sim.fate import Fate, noisy_curve
from cfdash.sim.records import STATE_NAMES, JobState
from cfdash.stages import PipelineStage

__all__ = [
    "ID_FIELDS",
    "LOCKED",
    "Changes",
    "SimPipelineJob",
    "draw_diff_files",
    "draw_pipeline_fate",
    "pipeline_rng",
]

ID_FIELDS: dict[PipelineStage, str] = {
    "update": "updateid",
    "diff": "diffid",
    "version": "imageversionid",
}
#: The envelope message of calls refused while a diff locks the image.
LOCKED = "image locked by diffid: {diffid}"

#: added / modified / removed → path → file object.
Changes = dict[str, dict[str, dict[str, Any]]]

# Service seconds: a build pull is slow, a diff quicker, a version (its bookkeeping) quick.
_DURATIONS: dict[PipelineStage, tuple[float, float]] = {
    "update": (240.0, 720.0),
    "diff": (120.0, 420.0),
    "version": (60.0, 240.0),
}
_ERRORS: dict[PipelineStage, tuple[str, ...]] = {
    "update": (
        "build download failed: connection reset by peer",
        "not enough disk space on build machine {machine}",
        "image locked by diffid: {diffid}",
    ),
    "diff": (
        "diff timed out comparing build machine {machine} after 600s",
        "build machine {machine} unreachable",
    ),
    "version": (
        "version checksum mismatch on {machine}",
        "rollout aborted: too many machines unreachable",
    ),
}
_FILES = (
    "bin/server.x86_64",
    "bin/libsteam_api.so",
    "game/config/server.cfg",
    "game/maps/harbour.pak",
    "game/maps/canyon.pak",
    "game/maps/tundra.pak",
    "game/localization/en.pak",
    "game/localization/de.pak",
    "game/shaders/cache.bin",
    "game/scripts/rules.lua",
    "README.txt",
)


def pipeline_rng(seed: int, stage: str, jobid: int, attempt: int) -> random.Random:
    """A generator private to one run of one pipeline job (apart from installs' draws)."""
    return random.Random(f"cfdash-sim:{seed}:{stage}:{jobid}:{attempt}")


def draw_pipeline_fate(rng: random.Random, stage: PipelineStage, attempt: int = 0) -> Fate:
    """Draw one run of an update, diff or version: it completes or fails (retries fail less)."""
    low, high = _DURATIONS[stage]
    duration = rng.uniform(low, high)
    queue_delay = rng.uniform(5.0, 30.0)
    curve = noisy_curve(rng)
    estimate = duration * rng.uniform(0.8, 1.25)
    error = rng.choice(_ERRORS[stage]).format(
        diffid=rng.randrange(200_000, 300_000), machine=f"build-{rng.randrange(1, 40):02d}"
    )
    fail_at = rng.uniform(5.0, 95.0) if rng.random() < 0.2 / (attempt + 1) else None
    return Fate(
        duration=duration,
        queue_delay=queue_delay,
        fail_at=fail_at,
        error=error,
        curve=curve,
        estimate=estimate,
    )


def draw_diff_files(rng: random.Random) -> Changes:
    """The paths one diff run finds: a few added, modified and removed (any may be none)."""
    paths = list(_FILES)
    rng.shuffle(paths)
    counts = [rng.randrange(0, 4), rng.randrange(1, 5), rng.randrange(0, 3)]
    changes: Changes = {}
    start = 0
    for change, count in zip(("added", "modified", "removed"), counts, strict=True):
        chosen = paths[start : start + count]
        start += count
        changes[change] = {
            path: {
                "size": rng.randrange(1_000, 900_000_000),
                "md5": f"{rng.getrandbits(128):032x}",
            }
            for path in sorted(chosen)
        }
    return changes


@dataclass
class SimPipelineJob:
    """One update, diff or version job with the pre-drawn fate of its current run.

    ``held_by`` is the diff whose lock keeps this job from starting (updates and diffs only);
    a diff is outstanding until ``accepted`` (a version was created from it) or ``rejected``.
    """

    stage: PipelineStage
    jobid: int
    asid: int
    imageid: int
    fate: Fate
    state: JobState = JobState.CREATED
    progress: int = 0
    eta: int | None = None
    jobstart: str | None = None
    failed: int = 0
    error: str | None = None
    created: int = 0
    updated: int = 0
    attempt: int = 0
    queued_at: float | None = None
    run_start: float | None = None
    held_by: int | None = None
    #: A version: the diff it accepted.
    diffid: int | None = None
    accepted: bool = False
    rejected: bool = False
    #: A diff: what its current run finds, shown once it completes.
    changes: Changes = field(default_factory=dict)

    @property
    def outstanding(self) -> bool:
        """A diff neither accepted nor rejected: it locks its image."""
        return self.stage == "diff" and not (self.accepted or self.rejected)

    def job_fields(self) -> dict[str, Any]:
        """The documented job fields, as in every answer about this job."""
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

    def body(self, *, diff_info: bool = False) -> dict[str, Any]:
        """The status answer: id, job fields, ``success`` and the stage's own fields."""
        body: dict[str, Any] = {
            ID_FIELDS[self.stage]: self.jobid,
            **self.job_fields(),
            "imageid": self.imageid,
            "success": True,
        }
        if self.stage == "version":
            body["diffid"] = self.diffid
        if self.stage == "diff":
            shown = self.changes if self.state == JobState.COMPLETE else {}
            for change in ("added", "modified", "removed"):
                body[change] = shown.get(change) or []  # PHP sends an empty map as []
            if diff_info:
                body["game"] = {"gameid": 3001, "name": "My Game"}
                body["machine"] = {"machineid": 4411, "name": "build-01"}
                body["image"] = {"imageid": self.imageid, "name": f"image {self.imageid}"}
        return body

    def retry_body(self) -> dict[str, Any]:
        """The answer to a retry that was accepted: the job as it now stands."""
        return {
            ID_FIELDS[self.stage]: self.jobid,
            **self.job_fields(),
            "imageid": self.imageid,
            "success": True,
        }
