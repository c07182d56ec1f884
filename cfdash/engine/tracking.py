"""The tracked jobs, keyed by (account, stage, job id), and how what is read is merged into them.

A status list says everything the service knows about the account's *incomplete* installs; the
tracker turns consecutive lists into what changed — new rows, changed fields, jobs that left
the list — so the dashboard patches only those rows and the headless commands can tell a
finished job from one that was never found. Update, diff and version jobs are read one by one
(:mod:`cfdash.engine.pipeline`); :meth:`Tracker.apply_pipeline` and
:meth:`Tracker.pipeline_failed` take those answers, one row at a time.

What the tracker knows has an age. A job seen and then gone is *finished*; a job absent from a
list that was read, and never seen, is *not found* (a wrong id, another account's job, or one
that finished before cfdash looked) — never "finished", unless the state file says an earlier
run saw it: then it finished while cfdash was closed (:mod:`cfdash.engine.lastseen`). While an
account cannot be read its jobs are *unconfirmed since* the first failed read: their last
values stay, but nothing may be concluded from them (no stall, no overdue ETA) until a read
succeeds again. A pipeline job whose own read fails is unconfirmed alone.

The row itself (:class:`TrackedJob`, :class:`JobKey`) lives in :mod:`cfdash.engine.tracked`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from cfdash.api.errors import ClanforgeError, NotFoundError
from cfdash.api.models import JobFields, QueueResult, StatusItem
from cfdash.engine.changes import Changes
from cfdash.engine.tracked import (
    NOT_FOUND_CAUSES,
    HistoryEntry,
    JobKey,
    Phase,
    QueueAction,
    TrackedJob,
    job_name,
)

if TYPE_CHECKING:
    from cfdash.api.pipeline import PipelineJob, RetryResult
    from cfdash.config.lastseen import LastSeen

__all__ = [
    "NOT_FOUND_CAUSES",
    "Changes",
    "HistoryEntry",
    "JobKey",
    "Phase",
    "QueueAction",
    "TrackedJob",
    "Tracker",
    "as_item",
    "job_name",
]

_JOB_FIELDS = tuple(JobFields.model_fields)


def as_item(answer: JobFields, jobid: int) -> StatusItem:
    """A pipeline job's answer as the job fields a row holds (the same ones an install has),
    so phase, word, progress and error are worked out in one place for every stage."""
    return StatusItem.model_construct(
        jobid=jobid, **{name: getattr(answer, name) for name in _JOB_FIELDS}
    )


def _moved(old: StatusItem | None, new: StatusItem) -> bool:
    """``old != new``, cheaply for the common cases: the same object (an unchanged job the
    client handed back), or a job whose fields moved (every running job in a rollout).

    The models keep only their fields in ``__dict__`` (extras and private attributes live
    apart), so different field values or types are unequal for pydantic too; only when the
    fields match is its ``==`` (extras, the bad fields) asked.
    """
    if old is new:
        return False
    if old is None or type(old) is not type(new) or old.__dict__ != new.__dict__:
        return True
    return old != new


class Tracker:
    """All tracked jobs, plus the latest status list of each account (for the add dialog)."""

    def __init__(self, track_all: Iterable[str] = ()) -> None:
        self.jobs: dict[JobKey, TrackedJob] = {}
        self.track_all = set(track_all)
        self.latest: dict[str, dict[int, StatusItem]] = {}
        #: Jobs the user stopped tracking: track_all must not bring them back.
        self.dismissed: set[JobKey] = set()
        #: Accounts whose reads fail, and since when (the first failed read after a good one).
        self.unconfirmed_since: dict[str, float] = {}
        #: Jobs an earlier run saw, from the state file: each is given to the job as it is
        #: tracked (``seen_before``), never to a ``track_all`` row.
        self.remembered: dict[JobKey, LastSeen] = {}
        #: The rows again, per account: installs by job id (what a merge walks), the other
        #: stages by key (what a poll reads one by one). Kept by add, remove, forget and merge,
        #: the only ways ``jobs`` changes; ``_indexed`` counts them to catch any other way.
        self._installs: dict[str, dict[int, TrackedJob]] = {}
        self._pipeline: dict[str, dict[JobKey, TrackedJob]] = {}
        self._indexed = 0

    def __len__(self) -> int:
        return len(self.jobs)

    def get(self, key: JobKey) -> TrackedJob | None:
        return self.jobs.get(key)

    def add(self, job: TrackedJob, now: float | None = None, *, fresh: bool = False) -> bool:
        """Track ``job``; False if that key is tracked already. Uses the last list if it has it.

        ``fresh`` says the account's last list was read just now, so a job absent from it is
        not found at once (``cfdash queue`` reads first); otherwise the next read decides.
        """
        if job.key in self.jobs:
            return False
        self.dismissed.discard(job.key)
        if job.source != "track_all" and job.seen_before is None:
            job.seen_before = self.remembered.get(job.key)
        listed = self.latest.get(job.account) if job.stage == "install" else None
        item = listed.get(job.jobid) if listed is not None else None
        if item is not None:
            job.item, job.listed, job.confirmed_at = item, True, now
            job._note_transition(now or 0.0)
        elif fresh and listed is not None:
            job._absent()
        self.jobs[job.key] = job
        self._index(job.key, job)
        return True

    def remove(self, key: JobKey) -> TrackedJob | None:
        self.dismissed.add(key)
        return self.forget(key)

    def forget(self, key: JobKey) -> TrackedJob | None:
        """Drop a row without dismissing it: a ``track_all`` job listed again comes back
        (what :mod:`cfdash.engine.retention` does with finished rows whose time is up)."""
        job = self.jobs.pop(key, None)
        if job is not None:
            self._unindex(key)
        return job

    def _index(self, key: JobKey, job: TrackedJob) -> None:
        account, stage, jobid = key  # a plain tuple may stand for a key
        if stage == "install":
            self._installs.setdefault(account, {})[jobid] = job
        else:
            self._pipeline.setdefault(account, {})[JobKey(account, stage, jobid)] = job
        self._indexed += 1

    def _unindex(self, key: JobKey) -> None:
        account, stage, jobid = key
        if stage == "install":
            gone = self._installs.get(account, {}).pop(jobid, None)
        else:
            gone = self._pipeline.get(account, {}).pop(JobKey(account, stage, jobid), None)
        if gone is not None:
            self._indexed -= 1

    def _checked_index(self) -> None:
        """Rebuild the per-account index if ``jobs`` changed behind the tracker's back."""
        if self._indexed == len(self.jobs):
            return
        self._installs, self._pipeline, self._indexed = {}, {}, 0
        for key, job in self.jobs.items():
            self._index(key, job)

    def unconfirmed_count(self, account: str | None = None) -> int:
        """How many jobs (of ``account``, or of all) are unconfirmed: for the header's counts."""
        return sum(
            1
            for job in self.jobs.values()
            if job.unconfirmed_since is not None and (account is None or job.account == account)
        )

    def unconfirm(self, account: str, now: float, *, every_stage: bool = False) -> Changes:
        """A read of ``account``'s list failed: its live install rows are unconfirmed from now
        (or earlier); with ``every_stage`` (the credentials were rejected, or the account is
        told to back off) its update, diff and version rows too, as they go unread as well.

        Jobs that already left the list (here, or while cfdash was closed) keep their ending:
        a failed read cannot change that.
        """
        since = self.unconfirmed_since.setdefault(account, now)
        changes = Changes()
        self._checked_index()
        jobs = list(self._installs.get(account, {}).values())
        if every_stage:
            jobs += self._pipeline.get(account, {}).values()
        for job in jobs:
            if job.unconfirmed_since is not None:
                continue
            if job.listed or (job.item is None and not job.gone_unseen):
                job.unconfirmed_since = since
                changes.changed.add(job.key)
        changes.turned = changes.changed.copy()  # each is unconfirmed now: its standing turned
        return changes

    def untracked(self, account: str) -> list[StatusItem]:
        """Jobs of the account's last status list that are not on the dashboard."""
        listed = self.latest.get(account, {})
        self._checked_index()
        installs = self._installs.get(account, {})
        return [item for jobid, item in listed.items() if jobid not in installs]

    def merge(self, account: str, items: list[StatusItem], now: float) -> Changes:
        """Apply one status list of ``account`` and say which rows changed.

        Walks the list and, apart, the account's install rows missing from it: O(items), not
        O(every row of every account).
        """
        turned: set[JobKey] = set()
        changes = Changes(turned=turned)
        added, changed, settled = changes.added, changes.changed, changes.settled
        listed = {item.jobid: item for item in items}
        self.latest[account] = listed
        self.unconfirmed_since.pop(account, None)
        self._checked_index()
        installs = self._installs.setdefault(account, {})
        if account in self.track_all:
            new = listed.keys() - installs.keys()
            for jobid in [jobid for jobid in listed if jobid in new] if new else ():
                key = JobKey(account, "install", jobid)
                if key not in self.jobs and key not in self.dismissed:
                    row = self.jobs[key] = TrackedJob(account, jobid, source="track_all")
                    self._index(key, row)
                    added.add(key)
        # ``job.confirmed_at = now`` for every listed row, past TrackedJob.__setattr__ (no
        # cache follows it): one C call instead of a Python one, ten thousand times a poll.
        confirm = object.__setattr__
        for jobid, item in listed.items():
            job = installs.get(jobid)
            if job is None:
                continue
            if job.unconfirmed_since is not None:
                job.unconfirmed_since = None
                changed.add(job.key)
                turned.add(job.key)
            old = job.item
            # ``_moved(old, item)``, inline: this runs for every listed row at every poll.
            if (
                old is not item
                and (
                    old is None
                    or old.__dict__ != item.__dict__
                    or type(old) is not type(item)
                    or old != item
                )
            ) or not job.listed:
                before = job._view or job.view
                job._listed_as(item)
                after = job._note_transition(now)
                key = job._key or job.key
                if not added or key not in added:
                    changed.add(key)
                if (
                    after[1] != before[1]
                    or after[0] != before[0]
                    or old is None
                    or old.target_imageversionid != item.target_imageversionid
                ):
                    turned.add(key)
            if job.queue_unknown and job.settle_queue(now):
                changed.add(job.key)
                settled.add(job.key)
            confirm(job, "confirmed_at", now)
        for jobid in installs.keys() - listed.keys():
            job = installs[jobid]
            if job.unconfirmed_since is not None:
                job.unconfirmed_since = None
                changed.add(job.key)
                turned.add(job.key)
            if job.listed:
                job.listed, job.left_at = False, now
                if job.settle_queue(now):
                    settled.add(job.key)
                job._note_transition(now)
                changed.add(job.key)
                turned.add(job.key)
            elif job.item is None and not (job.not_found or job.gone_unseen):
                job._absent()
                if job.settle_queue(now):
                    settled.add(job.key)
                job._note_transition(now)
                changed.add(job.key)
                turned.add(job.key)
        return changes

    def record_queue(self, key: JobKey, result: QueueResult | RetryResult, now: float) -> None:
        """Keep a queue (or retry) answer: it carries the job's fields, so the row moves at
        once."""
        job = self.jobs.get(key)
        if job is None:
            return
        job.last_queue = result
        job.queue_note = result.summary()
        if job.item is not None:
            fields = {
                name: getattr(result, name)
                for name in type(result).model_fields
                if name.startswith("job") and getattr(result, name) is not None
            }
            job.item = job.item.model_copy(update=fields)
            job.listed = True
            job._note_transition(now)

    def pipeline_jobs(self, account: str) -> list[TrackedJob]:
        """The account's update, diff and version rows: each is read on its own."""
        self._checked_index()
        return list(self._pipeline.get(account, {}).values())

    def apply_pipeline(self, key: JobKey, answer: PipelineJob, now: float) -> Changes:
        """One update, diff or version read: the row takes its fields and is confirmed."""
        turned: set[JobKey] = set()
        changes = Changes(turned=turned)
        job = self.jobs.get(key)
        if job is None:
            return changes
        item = as_item(answer, key.jobid)
        moved = job.item != item or not job.listed or job.not_found
        trouble = job.read_error is not None or job.unconfirmed_since is not None
        other = job.pipeline != answer  # a diff's paths can change under the same fields
        job.pipeline, job.item, job.listed, job.confirmed_at = answer, item, True, now
        job.read_error = job.unconfirmed_since = None
        job.not_found = job.gone_unseen = False
        if moved:
            job._note_transition(now)
        if moved or trouble or other:  # a few rows: all counted as turned
            changes.changed.add(key)
            turned.add(key)
        if job.settle_queue(now):
            changes.changed.add(key)
            changes.settled.add(key)
        return changes

    def pipeline_failed(self, key: JobKey, error: ClanforgeError, now: float) -> Changes:
        """A read of one pipeline job failed: its row alone says why and is unconfirmed.

        An unknown id ("No rows in result set") never seen before is *not found*, as an
        install absent from a list; anything else leaves the row's last values, unconfirmed.
        """
        turned: set[JobKey] = set()
        changes = Changes(turned=turned)
        job = self.jobs.get(key)
        if job is None:
            return changes
        before = (job.read_error, job.unconfirmed_since, job.not_found)
        job.read_error = f"cannot read it: {error.reason}"
        if isinstance(error, NotFoundError) and job.item is None:
            job.not_found = True
        elif job.unconfirmed_since is None:
            job.unconfirmed_since = now
        if before != (job.read_error, job.unconfirmed_since, job.not_found):
            job._note_transition(now)
            changes.changed.add(key)
            turned.add(key)  # not found, or unconfirmed
        return changes
