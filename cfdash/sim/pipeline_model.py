"""The simulated pipeline as a state machine: updates, diffs, versions, images and locks.

Lives beside the install model (``sim.pipeline`` on a :class:`~cfdash.sim.model.Simulator`) and
works the same way: nothing moves on a timer, every read first advances to the clock, and the
same seed with the same clock readings gives the same answers.

Where the docs are silent, the simulator adopts:

- update, diff and version jobs start by themselves (Created → Running after a short delay), then
  complete or fail; retry re-runs a failed update, or a complete or failed diff.
- a diff is outstanding from its creation until a version accepts it (:meth:`add_version` with
  its ``diffid``) or it is rejected (:meth:`reject_diff`); a failed diff stays outstanding.
- an outstanding diff locks its image: a retry of another update or diff of that image, and the
  status of one created while the lock held (it waits, not started), answer the envelope
  "image locked by diffid: N". Versions are never locked out.
- a version that completes starts a new rollout of its image (every machine pending again).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from typing import Any

from cfdash.sim.fate import Fate
from cfdash.sim.images import DEFAULT_LAYOUT, Layout, SimImage
from cfdash.sim.pipeline import (
    LOCKED,
    SimPipelineJob,
    draw_diff_files,
    draw_pipeline_fate,
    pipeline_rng,
)
from cfdash.sim.records import NO_ROWS, JobState, SimAccount, envelope
from cfdash.sim.runs import WAITING, advance_run
from cfdash.stages import PipelineStage

__all__ = ["PipelineModel"]

_FIRST_IDS: dict[PipelineStage, int] = {"update": 71_001, "diff": 218_601, "version": 4_301}


class PipelineModel:
    """Update, diff and version jobs keyed by (stage, id), and images keyed by id."""

    def __init__(
        self,
        *,
        clock: Callable[[], float],
        seed: int,
        speed: float,
        accounts: Mapping[int, SimAccount],
    ) -> None:
        self.clock = clock
        self.seed = seed
        self.speed = speed
        self._accounts = accounts
        self.jobs: dict[tuple[PipelineStage, int], SimPipelineJob] = {}
        self.images: dict[int, SimImage] = {}
        self._ids = {stage: itertools.count(first) for stage, first in _FIRST_IDS.items()}
        self._imageids = itertools.count(1001)

    # -- setup ---------------------------------------------------------------------------

    def add_image(
        self,
        asid: int,
        imageid: int | None = None,
        *,
        layout: Layout | None = None,
        duration: float = 600.0,
        elapsed: float = 0.0,
        fail_rate: float = 0.06,
        imageversionid: int | None = None,
    ) -> SimImage:
        """Add an image whose rollout began ``elapsed`` service seconds ago."""
        self._check_account(asid)
        if imageid is None:
            imageid = next(i for i in self._imageids if i not in self.images)
        elif imageid in self.images:
            raise ValueError(f"image {imageid} already exists")
        image = SimImage.build(
            imageid, asid, layout or DEFAULT_LAYOUT, duration=duration, fail_rate=fail_rate
        )
        image.start_rollout(self.clock() - elapsed / self.speed, self.seed, imageversionid)
        self.images[imageid] = image
        return image

    def add_update(self, asid: int, imageid: int, **options: Any) -> SimPipelineJob:
        """Add an image update; see :meth:`_add` for the options."""
        return self._add("update", asid, imageid, **options)

    def add_diff(self, asid: int, imageid: int, **options: Any) -> SimPipelineJob:
        """Add an image diff: outstanding, so it locks its image unless one already does."""
        job = self._add("diff", asid, imageid, **options)
        self._relock(imageid, self.clock())
        return job

    def add_version(
        self, asid: int, imageid: int, *, diffid: int | None = None, **options: Any
    ) -> SimPipelineJob:
        """Add an image version; naming ``diffid`` accepts that diff, which lifts its lock."""
        job = self._add("version", asid, imageid, **options)
        job.diffid = diffid
        diff = self.jobs.get(("diff", diffid)) if diffid is not None else None
        if diff is not None:
            self.advance()
            diff.accepted = True
            self._relock(diff.imageid, self.clock())
        return job

    def reject_diff(self, diffid: int) -> None:
        """Reject diff ``diffid`` (as a release pipeline would): its lock is lifted."""
        diff = self.jobs[("diff", diffid)]
        self.advance()
        diff.rejected = True
        self._relock(diff.imageid, self.clock())

    def _add(
        self,
        stage: PipelineStage,
        asid: int,
        imageid: int,
        *,
        jobid: int | None = None,
        state: JobState | int = JobState.CREATED,
        fate: Fate | None = None,
        elapsed: float = 0.0,
        progress: int = 0,
        failed: int = 0,
        error: str | None = None,
        created: float | None = None,
    ) -> SimPipelineJob:
        """Add a job in any state 1–6; its run's fate is drawn from the seed unless given.

        Like installs: ``elapsed`` places a Running job part-way; a Failed job gets ``failed``
        (at least 1), ``error`` and the ``progress`` it stopped at. A waiting job (Created,
        Pending, Queued) starts after its fate's queue delay, unless a diff locks its image.
        """
        self._check_account(asid)
        state = JobState(state)
        if state == JobState.SQUASHED:
            raise ValueError("update, diff and version jobs are never squashed")
        if jobid is None:
            jobid = next(i for i in self._ids[stage] if (stage, i) not in self.jobs)
        elif (stage, jobid) in self.jobs:
            raise ValueError(f"{stage} {jobid} already exists")
        now = self.advance()
        fate = fate or draw_pipeline_fate(pipeline_rng(self.seed, stage, jobid, 0), stage)
        job = SimPipelineJob(
            stage, jobid, asid, imageid, fate, state=state, failed=failed, error=error,
            created=int(now if created is None else created), updated=int(now),
        )  # fmt: skip
        if stage == "diff":
            job.changes = draw_diff_files(pipeline_rng(self.seed, "files", jobid, 0))
        holder = self.lock_holder(imageid)
        if state in WAITING:
            if stage != "version" and holder is not None:
                job.held_by = holder
            else:
                job.queued_at = now
        elif state == JobState.RUNNING:
            job.run_start = job.queued_at = now - elapsed / self.speed
            job.jobstart = str(int(job.run_start))
        elif state == JobState.FAILED:
            job.failed = max(failed, 1)
            job.error = error or fate.error
            job.progress = max(0, min(progress, 99))
        elif state == JobState.COMPLETE:
            job.progress = 100
        self.jobs[stage, jobid] = job
        self._advance(job, now)
        return job

    # -- reading ---------------------------------------------------------------------------

    def advance(self) -> float:
        """Bring every pipeline job up to the clock's time and return that time."""
        now = self.clock()
        for job in self.jobs.values():
            self._advance(job, now)
        return now

    def job(self, stage: PipelineStage, jobid: int) -> SimPipelineJob:
        """Job ``jobid`` of ``stage``, advanced to now (``KeyError`` if unknown)."""
        self.advance()
        return self.jobs[stage, jobid]

    def lock_holder(self, imageid: int) -> int | None:
        """The diff that locks ``imageid``: its earliest outstanding diff, if any."""
        diffs = [
            job
            for job in self.jobs.values()
            if job.stage == "diff" and job.imageid == imageid and job.outstanding
        ]
        return min(diffs, key=lambda d: (d.created, d.jobid)).jobid if diffs else None

    # -- the API ---------------------------------------------------------------------------

    def status(
        self,
        asid: int,
        stage: PipelineStage,
        jobid: int,
        *,
        diff_info: bool = False,
        hide_failed: bool = False,
    ) -> dict[str, Any]:
        """The status answer for one job, or an envelope (unknown, or held by a lock).

        ``hide_failed`` serves the quirk fault that models a service forgetting failed jobs.
        """
        self.advance()
        job = self.jobs.get((stage, jobid))
        if job is None or job.asid != asid:
            return envelope(NO_ROWS)
        if job.held_by is not None:
            return envelope(LOCKED.format(diffid=job.held_by))
        if hide_failed and job.state == JobState.FAILED:
            return envelope(NO_ROWS)
        return job.body(diff_info=diff_info)

    def retry(self, asid: int, stage: PipelineStage, jobid: int) -> dict[str, Any]:
        """Retry a failed update, or a complete or failed diff; the answer or an envelope."""
        now = self.advance()
        job = self.jobs.get((stage, jobid))
        if job is None or job.asid != asid or stage == "version":
            return envelope(NO_ROWS)
        if stage == "diff" and not job.outstanding:
            verdict = "accepted" if job.accepted else "rejected"
            return envelope(f"diff {jobid} was already {verdict}")
        holder = self.lock_holder(job.imageid)
        if holder is not None and not (stage == "diff" and jobid == holder):
            return envelope(LOCKED.format(diffid=holder))
        allowed = (JobState.FAILED,) if stage == "update" else (JobState.FAILED, JobState.COMPLETE)
        if job.state not in allowed:
            which = "failed updates" if stage == "update" else "complete or failed diffs"
            return envelope(f"only {which} can be retried")
        job.attempt += 1
        rng = pipeline_rng(self.seed, stage, jobid, job.attempt)
        job.fate = draw_pipeline_fate(rng, stage, job.attempt)
        if stage == "diff":
            job.changes = draw_diff_files(pipeline_rng(self.seed, "files", jobid, job.attempt))
        job.state = JobState.QUEUED
        job.error = None
        job.progress = 0
        job.eta = None
        job.jobstart = None
        job.queued_at = now
        job.run_start = None
        job.updated = int(now)
        return job.retry_body()

    def image_status(self, asid: int, imageid: int, *, detail: bool) -> dict[str, Any]:
        """The v2 image status answer, or the envelope for an image this account lacks."""
        now = self.advance()
        image = self.images.get(imageid)
        if image is None or image.asid != asid:
            return envelope(NO_ROWS)
        return image.body(now, self.speed, detail=detail)

    def to_json(self) -> dict[str, Any]:
        """Pipeline jobs and images for ``GET /_sim/state``."""
        now = self.advance()
        return {
            "pipeline": [
                {
                    "stage": job.stage,
                    "asid": job.asid,
                    "attempt": job.attempt,
                    "held_by": job.held_by,
                    "outstanding": job.outstanding,
                    "fate": {"ending": job.fate.ending, "duration": job.fate.duration},
                    **job.body(),
                }
                for job in self.jobs.values()
            ],
            "images": [image.to_json(now, self.speed) for image in self.images.values()],
        }

    # -- the state machine -----------------------------------------------------------------

    def _check_account(self, asid: int) -> None:
        if asid not in self._accounts:
            raise KeyError(f"no account service {asid}")

    def _relock(self, imageid: int, now: float) -> None:
        """Hold the waiting jobs of ``imageid`` behind its lock, or release them from it."""
        holder = self.lock_holder(imageid)
        for job in self.jobs.values():
            if job.imageid != imageid or job.stage == "version":
                continue
            if (job.stage, job.jobid) == ("diff", holder) or holder is None:
                if job.held_by is not None:  # the lock that held it is gone
                    job.held_by, job.queued_at = None, now
            elif job.state in WAITING and job.run_start is None:
                job.held_by, job.queued_at = holder, None

    def _advance(self, job: SimPipelineJob, now: float) -> None:
        ends = advance_run(job, now, self.speed)
        if ends is None:
            return
        job.updated = int(ends)
        if job.fate.ending == "fail":
            job.state = JobState.FAILED
            job.progress = min(int(job.fate.end_progress), 99)
            job.failed += 1
            job.error = job.fate.error
            job.eta = None
            return
        job.state = JobState.COMPLETE
        job.progress = 100
        job.eta = int(ends)
        image = self.images.get(job.imageid)
        if job.stage == "version" and image is not None and image.asid == job.asid:
            image.start_rollout(ends, self.seed, job.jobid)
