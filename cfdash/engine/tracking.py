"""The tracked jobs, keyed by (account, job id), and how a status list is merged into them.

A status list says everything the service knows about the account's *incomplete* jobs; the
tracker turns consecutive lists into what changed — new rows, changed fields, jobs that left
the list — so the dashboard patches only those rows and the headless commands can tell a
finished job from one that was never found.

What the tracker knows has an age. A job seen and then gone is *finished*; a job absent from a
list that was read, and never seen, is *not found* (a wrong id, another account's job, or one
that finished before cfdash looked) — never "finished", unless the state file says an earlier
run saw it: then it finished while cfdash was closed (:mod:`cfdash.engine.lastseen`). While an
account cannot be read its jobs are *unconfirmed since* the first failed read: their last
values stay, but nothing may be concluded from them (no stall, no overdue ETA) until a read
succeeds again.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from cfdash.api.models import ParsedState, QueueResult, StateKind, StatusItem
from cfdash.engine.lastseen import seen_failed, seen_note

if TYPE_CHECKING:
    from cfdash.config.lastseen import LastSeen
    from cfdash.engine.outcomes import QueueOutcome

__all__ = [
    "NOT_FOUND_CAUSES",
    "Changes",
    "JobKey",
    "Phase",
    "QueueAction",
    "TrackedJob",
    "Tracker",
]

JobKey = tuple[str, int]
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

_HISTORY = 50

#: A listed job's phase by its state kind, and by a known state id: ``phase`` is read for
#: every changed row by every panel, so a lookup rather than ``kind.name.lower()`` each time.
_PHASE_OF_KIND: dict[StateKind, Phase] = {
    kind: kind.name.lower()  # type: ignore[misc]
    for kind in StateKind
}
_PHASE_OF_ID = {kind.value: _PHASE_OF_KIND[kind] for kind in StateKind if kind.value}


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One change of a job's shown state, for the details screen (no progress once Finished)."""

    at: float
    word: str
    progress: int | None


@dataclass(eq=False)
class QueueAction:
    """The last queue request sent for a job from here, and what became of it.

    Kept apart from the job's own ``joberror``: a queue answer is about what cfdash did, the
    error is about the install. ``outcome`` is None while the request is in flight; an
    unknown outcome is ``settled`` by the next status list that shows the job (or its absence).
    """

    at: float
    mirroring: bool
    outcome: QueueOutcome | None = None
    settled: str | None = None
    settled_at: float | None = None

    @property
    def text(self) -> str:
        """For a queue column: ``queued ✓``, ``refused: …``, ``outcome unknown → took effect``."""
        outcome = self.outcome
        if outcome is None:
            return "queueing…"
        if outcome.status == "queued":
            return "queued ✓"
        if outcome.status == "unknown":
            return f"outcome unknown → {self.settled}" if self.settled else "outcome unknown"
        return outcome.text


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
    #: The last queue request sent from here and its outcome (its own column, not the error's).
    queue_action: QueueAction | None = None
    #: When a read of its account first failed since the last good one: the row's values are
    #: that old. None while the account reads fine.
    unconfirmed_since: float | None = None
    #: A read of its account succeeded without it and it had never been seen: not found.
    not_found: bool = False
    #: What the state file said of it at start: its last seen state in an earlier run.
    seen_before: LastSeen | None = None
    #: A read succeeded without it, and ``seen_before`` says an earlier run saw it: it
    #: finished (or, last seen Failed, stays Failed) while cfdash was closed.
    gone_unseen: bool = False
    history: deque[HistoryEntry] = field(default_factory=lambda: deque(maxlen=_HISTORY))

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
    def state(self) -> ParsedState | None:
        return self.item.state if self.item is not None else None

    @property
    def unconfirmed(self) -> bool:
        """Its account cannot be read right now: what the row shows may no longer be true."""
        return self.unconfirmed_since is not None

    def as_of(self, now: float) -> float:
        """The time the row's knowledge is from: countdowns stop while it is unconfirmed."""
        since = self.unconfirmed_since
        return now if since is None else min(since, now)

    @property
    def phase(self) -> Phase:
        item = self.item
        if item is None:
            if self.gone_unseen and self.seen_before is not None:
                return "failed" if seen_failed(self.seen_before) else "finished"
            return "notfound" if self.not_found else "notlisted"
        if not self.listed:
            # Gone from the incomplete list. A failed job that vanished stays failed (some
            # deployments drop failed jobs); anything else that left after running finished.
            return "failed" if item.state.kind is StateKind.FAILED else "finished"
        # A known state id wins (as in parse_state): the usual case needs no parsing.
        phase = _PHASE_OF_ID.get(item.jobstateid)  # type: ignore[arg-type]
        return phase if phase is not None else _PHASE_OF_KIND[item.state.kind]

    @property
    def word(self) -> str:
        """The state word for people: the API's word, or Finished / not listed / not found."""
        phase = self.phase
        if phase == "finished":
            return "Finished"
        if phase == "notlisted":
            return "not listed"
        if phase == "notfound":
            return "not found"
        if self.item is None:  # gone while cfdash was closed, last seen Failed
            return StateKind.FAILED.word
        return self.item.state.word

    @property
    def seen_note(self) -> str | None:
        """How a job gone while cfdash was closed ended, for the row: ``finished while cfdash
        was closed (last seen Running 97 % at …)``. None for every other job."""
        if not self.gone_unseen or self.seen_before is None:
            return None
        return seen_note(self.seen_before)

    @property
    def progress(self) -> int | None:
        """The percentage a person may be shown; None when unknown or once Finished.

        Unknown: not listed yet, or sent unreadable (not a made-up 0 %). Finished: a job that
        left the list may have completed or been squashed — the service doesn't say — so its
        last partial value would be a claim nobody can make. The raw value stays in ``item``
        (the details screen's raw JSON shows it).
        """
        if self.item is None or self.phase == "finished" or "jobprogress" in self.item.bad_fields:
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

    def settle_queue(self, now: float | None = None) -> bool:
        """A status list answered what a lost queue answer could not: did it take effect?

        True if there was something to settle.
        """
        if not self.queue_unknown:
            return False
        self.queue_unknown = False
        gone = self.item is not None and not self.listed
        if gone or (self.state is not None and self.state.is_active):
            settled = f"took effect ({self.word})"
        else:
            settled = f"did not take effect (still {self.word})"
        self.queue_note = f"queue {settled}"
        if self.queue_action is not None:
            self.queue_action.settled, self.queue_action.settled_at = settled, now
        return True

    def _absent(self) -> None:
        """A list was read without it, and this run never saw it: not found (never
        "finished") — unless an earlier run saw it, and then it went while cfdash was closed."""
        if self.seen_before is not None:
            self.gone_unseen = True
        else:
            self.not_found = True

    def _note_transition(self, at: float) -> None:
        word = self.word
        if not self.history or self.history[-1].word != word:
            progress = self.progress
            if progress is None and self.phase != "finished":
                progress = 0
            self.history.append(HistoryEntry(at, word, progress))


@dataclass
class Changes:
    """What one merge changed: row keys to add, patch, and forget.

    ``settled`` names the jobs (also in ``changed``) whose unknown queue outcome this merge
    settled, for the audit trail.
    """

    added: set[JobKey] = field(default_factory=set)
    changed: set[JobKey] = field(default_factory=set)
    removed: set[JobKey] = field(default_factory=set)
    settled: set[JobKey] = field(default_factory=set)

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
        #: Accounts whose reads fail, and since when (the first failed read after a good one).
        self.unconfirmed_since: dict[str, float] = {}
        #: Jobs an earlier run saw, from the state file: each is given to the job as it is
        #: tracked (``seen_before``), never to a ``track_all`` row.
        self.remembered: dict[JobKey, LastSeen] = {}

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
        listed = self.latest.get(job.account)
        item = listed.get(job.jobid) if listed is not None else None
        if item is not None:
            job.item, job.listed, job.confirmed_at = item, True, now
            job._note_transition(now or 0.0)
        elif fresh and listed is not None:
            job._absent()
        self.jobs[job.key] = job
        return True

    def remove(self, key: JobKey) -> TrackedJob | None:
        self.dismissed.add(key)
        return self.jobs.pop(key, None)

    def forget(self, key: JobKey) -> TrackedJob | None:
        """Drop a row without dismissing it: a ``track_all`` job listed again comes back
        (what :mod:`cfdash.engine.retention` does with finished rows whose time is up)."""
        return self.jobs.pop(key, None)

    def unconfirmed_count(self, account: str | None = None) -> int:
        """How many jobs (of ``account``, or of all) are unconfirmed: for the header's counts."""
        return sum(
            1
            for job in self.jobs.values()
            if job.unconfirmed_since is not None and (account is None or job.account == account)
        )

    def unconfirm(self, account: str, now: float) -> Changes:
        """A read of ``account`` failed: its live rows are unconfirmed from now (or earlier).

        Jobs that already left the list (here, or while cfdash was closed) keep their ending:
        a failed read cannot change that.
        """
        since = self.unconfirmed_since.setdefault(account, now)
        changes = Changes()
        for job in self.jobs.values():
            if job.account != account or job.unconfirmed_since is not None:
                continue
            if job.listed or (job.item is None and not job.gone_unseen):
                job.unconfirmed_since = since
                changes.changed.add(job.key)
        return changes

    def untracked(self, account: str) -> list[StatusItem]:
        """Jobs of the account's last status list that are not on the dashboard."""
        listed = self.latest.get(account, {})
        return [item for jobid, item in listed.items() if (account, jobid) not in self.jobs]

    def merge(self, account: str, items: list[StatusItem], now: float) -> Changes:
        """Apply one status list of ``account`` and say which rows changed."""
        changes = Changes()
        listed = {item.jobid: item for item in items}
        self.latest[account] = listed
        self.unconfirmed_since.pop(account, None)
        if account in self.track_all:
            for jobid in listed:
                key = (account, jobid)
                if key not in self.jobs and key not in self.dismissed:
                    self.jobs[key] = TrackedJob(account, jobid, source="track_all")
                    changes.added.add(key)
        for job in self.jobs.values():
            if job.account != account:
                continue
            if job.unconfirmed_since is not None:
                job.unconfirmed_since = None
                changes.changed.add(job.key)
            item = listed.get(job.jobid)
            if item is not None:
                if (job.item is not item and job.item != item) or not job.listed:
                    job.item, job.listed, job.left_at = item, True, None
                    job.not_found = job.gone_unseen = False
                    job._note_transition(now)
                    if job.key not in changes.added:
                        changes.changed.add(job.key)
                if job.settle_queue(now):
                    changes.changed.add(job.key)
                    changes.settled.add(job.key)
                job.confirmed_at = now
            elif job.listed:
                job.listed, job.left_at = False, now
                if job.settle_queue(now):
                    changes.settled.add(job.key)
                job._note_transition(now)
                changes.changed.add(job.key)
            elif job.item is None and not (job.not_found or job.gone_unseen):
                job._absent()
                if job.settle_queue(now):
                    changes.settled.add(job.key)
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
