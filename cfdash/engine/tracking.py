"""The tracked jobs, keyed by (account, job id), and how a status list is merged into them.

A status list says everything the service knows about the account's *incomplete* jobs; the
tracker turns consecutive lists into what changed — new rows, changed fields, jobs that left
the list — so the dashboard patches only those rows and the headless commands can tell a
finished job from one that was never listed.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from cfdash.api.models import JobState, QueueResult, StateKind, StatusItem

__all__ = ["Changes", "JobKey", "Phase", "TrackedJob", "Tracker"]

JobKey = tuple[str, int]
Source = Literal["config", "state", "track_all"]

#: Where a tracked job stands, as the dashboard shows it. The API's states, plus the two that
#: only a tracker can know: ``finished`` (it left the incomplete list after being seen) and
#: ``notlisted`` (never seen in the list yet).
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
]

_HISTORY = 50


@dataclass(frozen=True, slots=True)
class Transition:
    """One change of a job's shown state, for the details screen."""

    at: float
    word: str
    progress: int


@dataclass(eq=False)
class TrackedJob:
    """A job on the dashboard: what the config or the user said, and what the API last said."""

    account: str
    jobid: int
    source: Source = "config"
    label: str | None = None
    #: The flag from the config or the add dialog; None means "take it from the status list".
    mirroring_setting: bool | None = None
    item: StatusItem | None = None
    #: When the API last confirmed this row (it was in a status list), wall-clock seconds.
    confirmed_at: float | None = None
    listed: bool = False
    left_at: float | None = None
    last_queue: QueueResult | None = None
    queue_note: str | None = None
    queue_in_flight: bool = False
    #: A queue call may or may not have taken effect; the next status list settles it.
    queue_unknown: bool = False
    history: deque[Transition] = field(default_factory=lambda: deque(maxlen=_HISTORY))

    @property
    def key(self) -> JobKey:
        return (self.account, self.jobid)

    @property
    def mirroring(self) -> bool | None:
        """The flag a queue call must send: the status list's, else the configured one."""
        if self.item is not None and self.item.mirroring is not None:
            return self.item.mirroring
        return self.mirroring_setting

    @property
    def kind(self) -> str:
        flag = self.mirroring
        return "" if flag is None else ("mirror" if flag else "machine")

    @property
    def state(self) -> JobState | None:
        return self.item.state if self.item is not None else None

    @property
    def phase(self) -> Phase:
        if self.item is None:
            return "notlisted"
        if not self.listed:
            # Gone from the incomplete list. A failed job that vanished stays failed (some
            # deployments drop failed jobs); anything else that left after running finished.
            return "failed" if self.item.state.kind is StateKind.FAILED else "finished"
        kind = self.item.state.kind
        return kind.name.lower() if kind is not StateKind.UNKNOWN else "unknown"  # type: ignore[return-value]

    @property
    def word(self) -> str:
        """The state word for people: the API's word, or Finished / not listed."""
        phase = self.phase
        if phase == "finished":
            return "Finished"
        if phase == "notlisted":
            return "not listed"
        assert self.item is not None
        return self.item.state.word

    @property
    def progress(self) -> int | None:
        """None when unknown: not listed yet, or sent unreadable (not a made-up 0 %)."""
        if self.item is None or "jobprogress" in self.item.bad_fields:
            return None
        return self.item.progress

    @property
    def eta(self) -> int | None:
        if self.item is None or not self.listed:
            return None
        return self.item.jobeta

    @property
    def failures(self) -> int:
        return (self.item.jobfailed or 0) if self.item is not None else 0

    @property
    def error(self) -> str | None:
        """The job's error; first, if the service sent fields that could not be read, that."""
        if self.item is None:
            return None
        bad, joberror = self.item.bad, self.item.joberror
        if bad and joberror:
            return f"{bad}; {joberror}"
        return bad or joberror

    @property
    def target(self) -> str:
        """Where the job installs, from the status list: the mirror, or machine and location."""
        item = self.item
        if item is None:
            return ""
        if item.mirror and item.mirroring:
            return item.mirror
        return " ".join(part for part in (item.machine, item.location) if part)

    @property
    def release(self) -> int | None:
        return self.item.target_imageversionid if self.item is not None else None

    def settle_queue(self) -> None:
        """A status list answered what a lost queue answer could not: did it take effect?"""
        if not self.queue_unknown:
            return
        self.queue_unknown = False
        if not self.listed or (self.state is not None and self.state.is_active):
            self.queue_note = f"queue took effect ({self.word})"
        else:
            self.queue_note = f"queue did not take effect (still {self.word})"

    def _note_transition(self, at: float) -> None:
        word = self.word
        if not self.history or self.history[-1].word != word:
            self.history.append(Transition(at, word, self.progress or 0))


@dataclass
class Changes:
    """What one merge changed: row keys to add, patch, and forget."""

    added: set[JobKey] = field(default_factory=set)
    changed: set[JobKey] = field(default_factory=set)
    removed: set[JobKey] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.removed)


class Tracker:
    """All tracked jobs, plus the latest status list of each account (for the add dialog)."""

    def __init__(self, track_all: Iterable[str] = ()) -> None:
        self.jobs: dict[JobKey, TrackedJob] = {}
        self.track_all = set(track_all)
        self.latest: dict[str, dict[int, StatusItem]] = {}
        #: Jobs the user stopped tracking: track_all must not bring them back.
        self.dismissed: set[JobKey] = set()

    def __len__(self) -> int:
        return len(self.jobs)

    def get(self, key: JobKey) -> TrackedJob | None:
        return self.jobs.get(key)

    def add(self, job: TrackedJob, now: float | None = None) -> bool:
        """Track ``job``; False if that key is tracked already. Uses the last list if it has it."""
        if job.key in self.jobs:
            return False
        self.dismissed.discard(job.key)
        item = self.latest.get(job.account, {}).get(job.jobid)
        if item is not None:
            job.item, job.listed, job.confirmed_at = item, True, now
            job._note_transition(now or 0.0)
        self.jobs[job.key] = job
        return True

    def remove(self, key: JobKey) -> TrackedJob | None:
        self.dismissed.add(key)
        return self.jobs.pop(key, None)

    def untracked(self, account: str) -> list[StatusItem]:
        """Jobs of the account's last status list that are not on the dashboard."""
        listed = self.latest.get(account, {})
        return [item for jobid, item in listed.items() if (account, jobid) not in self.jobs]

    def merge(self, account: str, items: list[StatusItem], now: float) -> Changes:
        """Apply one status list of ``account`` and say which rows changed."""
        changes = Changes()
        listed = {item.jobid: item for item in items}
        self.latest[account] = listed
        if account in self.track_all:
            for jobid in listed:
                key = (account, jobid)
                if key not in self.jobs and key not in self.dismissed:
                    self.jobs[key] = TrackedJob(account, jobid, source="track_all")
                    changes.added.add(key)
        for job in self.jobs.values():
            if job.account != account:
                continue
            item = listed.get(job.jobid)
            if item is not None:
                if (job.item is not item and job.item != item) or not job.listed:
                    job.item, job.listed, job.left_at = item, True, None
                    job._note_transition(now)
                    if job.key not in changes.added:
                        changes.changed.add(job.key)
                if job.queue_unknown:
                    job.settle_queue()
                    changes.changed.add(job.key)
                job.confirmed_at = now
            elif job.listed:
                job.listed, job.left_at = False, now
                job.settle_queue()
                job._note_transition(now)
                changes.changed.add(job.key)
        return changes

    def record_queue(self, key: JobKey, result: QueueResult, now: float) -> None:
        """Keep a queue answer: it carries the job's fields, so the row moves at once."""
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
