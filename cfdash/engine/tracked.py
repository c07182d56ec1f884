"""One tracked job: its key, what the config or the user said of it, and what the API last said.

A row of the dashboard is a :class:`TrackedJob`, keyed by :class:`JobKey` — (account, stage,
job id) — so install 91 and update 91 of one account are two rows. Installs learn their state
from the account's status list (:class:`~cfdash.engine.tracking.Tracker` merges it); update,
diff and version jobs from a read of their own (:mod:`cfdash.engine.pipeline`). Both end up in
``item`` as the same job fields, so the phase, the state word, progress and error below are one
piece of logic for every stage; a pipeline job's whole answer (a diff's paths) is kept in
``pipeline``.

Kept apart from the tracker (which merges lists into these rows) so each file says one thing.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from cfdash.api.models import ParsedState, QueueResult, StateKind, StatusItem
from cfdash.api.pipeline import parse_pipeline_state
from cfdash.engine.jobkey import NOT_FOUND_CAUSES, STAGE_SHORT, JobKey, Phase, Source, job_name
from cfdash.engine.lastseen import seen_failed, seen_note
from cfdash.engine.queue_action import QueueAction
from cfdash.stages import Stage

if TYPE_CHECKING:
    from cfdash.api.pipeline import PipelineJob, RetryResult
    from cfdash.config.lastseen import LastSeen

__all__ = [
    "NOT_FOUND_CAUSES",
    "STAGE_SHORT",
    "HistoryEntry",
    "JobKey",
    "Phase",
    "QueueAction",
    "TrackedJob",
    "job_name",
]


_HISTORY = 50

#: A listed job's phase by its state kind, and by a known state id: ``phase`` is read for
#: every changed row by every panel, so a lookup rather than ``kind.name.lower()`` each time.
_PHASE_OF_KIND: dict[StateKind, Phase] = {
    kind: kind.name.lower()  # type: ignore[misc]
    for kind in StateKind
}
_PHASE_OF_ID = {kind.value: _PHASE_OF_KIND[kind] for kind in StateKind if kind.value}
#: The state word of a known state id (what ``ParsedState.word`` says for it).
_WORD_OF_ID = {kind.value: str(kind.word) for kind in StateKind if kind.value}
_FAILED_WORD = str(StateKind.FAILED.word)

#: A row's phase, state word and shown progress, worked out together (see ``TrackedJob._see``).
_View = tuple[Phase, str, int | None]

#: The caches each field's value goes into: ``_view`` (phase, word, progress) is worked out
#: from these fields alone, ``_key`` from its three parts. Setting one forgets them.
_FORGETS: dict[str, tuple[str, ...]] = {
    "item": ("_view",),
    "listed": ("_view",),
    "not_found": ("_view",),
    "gone_unseen": ("_view",),
    "seen_before": ("_view",),
    "stage": ("_view", "_key"),
    "account": ("_key",),
    "jobid": ("_key",),
}

#: Sets an attribute past :meth:`TrackedJob.__setattr__` (a field's value, or a cache's).
#: Never through ``__dict__``: reading it makes Python keep the instance's attributes in a
#: real dict from then on, and every attribute read gets several times slower.
_set = object.__setattr__


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One change of a job's shown state, for the details screen (no progress once Finished)."""

    at: float
    word: str
    progress: int | None


@dataclass(eq=False)
class TrackedJob:
    """A job on the dashboard: what the config or the user said, and what the API last said."""

    account: str
    jobid: int
    source: Source = "config"
    #: ``install`` jobs come from the account's status list; the others are read by id.
    stage: Stage = "install"
    label: str | None = None
    #: The flag from the config or the add dialog; None means "take it from the status list".
    mirroring_setting: bool | None = None
    #: The job fields last read: from the status list for an install, from the job's own
    #: status read for the other stages (see ``pipeline``).
    item: StatusItem | None = None
    #: An update, diff or version job's whole last answer (a diff's paths are here).
    pipeline: PipelineJob | None = None
    #: Why the last read of this pipeline job failed (its row's trouble alone), else None.
    read_error: str | None = None
    #: When the API last confirmed this row (it was in a status list), wall-clock seconds.
    confirmed_at: float | None = None
    listed: bool = False
    left_at: float | None = None
    last_queue: QueueResult | RetryResult | None = None
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
    #: The phase, word and progress as last worked out; None once a field they follow is set
    #: (see :meth:`__setattr__`).
    _view: _View | None = field(default=None, init=False, repr=False)
    #: The key as last made; None once the account, stage or job id is set.
    _key: JobKey | None = field(default=None, init=False, repr=False)

    @property
    def key(self) -> JobKey:
        key = self._key
        if key is None:
            key = self._key = JobKey(self.account, self.stage, self.jobid)
        return key

    @property
    def name(self) -> str:
        """``production/5551001``, ``production/update 91``: see :func:`job_name`."""
        return job_name(self.account, self.stage, self.jobid)

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
        item = self.item
        if item is None:
            return None
        if self.stage == "install":
            return item.state
        # Updates, diffs and versions know states 1-6: a 7 is "state 7", not Squashed.
        return parse_pipeline_state(item.jobstateid, item.jobstatename)

    @property
    def unconfirmed(self) -> bool:
        """Its account cannot be read right now: what the row shows may no longer be true."""
        return self.unconfirmed_since is not None

    def as_of(self, now: float) -> float:
        """The time the row's knowledge is from: countdowns stop while it is unconfirmed."""
        since = self.unconfirmed_since
        return now if since is None else min(since, now)

    @property
    def view(self) -> tuple[Phase, str, int | None]:
        """``(phase, word, progress)`` in one read, for loops over thousands of changed rows."""
        view = self._view
        if view is None:
            view = self._seen()
        return view

    @property
    def phase(self) -> Phase:
        view = self._view
        if view is None:
            view = self._seen()
        return view[0]

    @property
    def word(self) -> str:
        """The state word for people: the API's word, or Finished / not listed / not found."""
        view = self._view
        if view is None:
            view = self._seen()
        return view[1]

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
        view = self._view
        if view is None:
            view = self._seen()
        return view[2]

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
        """The job's error; first, if the service sent fields that could not be read, that.

        A pipeline job whose own read failed says so before anything else: it is why the rest
        of the row may be old.
        """
        parts = [self.read_error] if self.read_error else []
        if self.item is not None:
            parts += [text for text in (self.item.bad, self.item.joberror) if text]
        return "; ".join(parts) if parts else None

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

    def _seen(self) -> _View:
        """:meth:`_see`, kept in ``_view`` (past :meth:`__setattr__`: nothing follows it)."""
        view = self._see()
        _set(self, "_view", view)
        return view

    def _see(self) -> _View:
        """The phase, word and progress, worked out together once per change of the fields
        they follow (see :meth:`__setattr__`): every panel reads them for every changed row."""
        item = self.item
        if item is None:
            if self.gone_unseen and self.seen_before is not None:
                if seen_failed(self.seen_before):  # gone while cfdash was closed, last Failed
                    return ("failed", _FAILED_WORD, None)
                return ("finished", "Finished", None)
            if self.not_found:
                return ("notfound", "not found", None)
            # A job read by id is in no list: until its first good read it is "not read".
            return ("notlisted", "not listed" if self.stage == "install" else "not read", None)
        if not self.listed:
            # Gone from the incomplete list. A failed job that vanished stays failed (some
            # deployments drop failed jobs); anything else that left after running finished.
            if item.state.kind is not StateKind.FAILED:
                return ("finished", "Finished", None)
            state = self.state
            assert state is not None
            phase: Phase = "failed"
            word = state.word
        else:
            # A known state id wins (as in parse_state): the usual case needs no parsing.
            known = _PHASE_OF_ID.get(item.jobstateid)  # type: ignore[arg-type]
            if known is not None and (known != "squashed" or self.stage == "install"):
                phase, word = known, _WORD_OF_ID[item.jobstateid]  # type: ignore[index]
            else:
                state = self.state
                assert state is not None
                phase, word = _PHASE_OF_KIND[state.kind], state.word
        if "jobprogress" in item.bad_fields:
            return (phase, word, None)
        # ``item.progress`` (clamped to 0–100, absent as 0), without max() and min() calls.
        progress = item.jobprogress or 0
        return (phase, word, 0 if progress < 0 else 100 if progress > 100 else progress)

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
        action = self.queue_action.action if self.queue_action is not None else "queue"
        self.queue_note = f"{action} {settled}"
        if self.queue_action is not None:
            self.queue_action.settled, self.queue_action.settled_at = settled, now
        return True

    def __setattr__(self, name: str, value: object) -> None:
        """Set a field; if the phase, word and progress (or the key) follow it, forget them,
        so they are worked out again at the next read and can never be stale."""
        _set(self, name, value)
        caches = _FORGETS.get(name)
        if caches is not None:
            for cache in caches:
                _set(self, cache, None)

    def _listed_as(self, item: StatusItem) -> None:
        """In the list as ``item`` (what a merge does to each job that moved): the fields set
        directly, as :meth:`__setattr__` would, without its look-up for each.

        A listed job whose state (id and name) stays, as every running job of a rollout each
        second, keeps its phase and word: only the progress is worked out again (as
        :meth:`_see` would, for an item with no unreadable field).
        """
        old, view = self.item, self._view
        if (
            view is not None
            and self.listed
            and type(old) is StatusItem
            and type(item) is StatusItem
            and old.jobstateid == item.jobstateid
            and old.jobstatename == item.jobstatename
        ):
            progress = item.jobprogress or 0
            view = (view[0], view[1], 0 if progress < 0 else 100 if progress > 100 else progress)
        else:
            view = None
        _set(self, "item", item)
        _set(self, "listed", True)
        _set(self, "left_at", None)
        _set(self, "_view", view)
        if self.not_found or self.gone_unseen:
            _set(self, "not_found", False)
            _set(self, "gone_unseen", False)

    def _absent(self) -> None:
        """A list was read without it, and this run never saw it: not found (never
        "finished") — unless an earlier run saw it, and then it went while cfdash was closed."""
        if self.seen_before is not None:
            self.gone_unseen = True
        else:
            self.not_found = True

    def _note_transition(self, at: float) -> _View:
        """Add a history entry if the shown state word changed; the row's view, for callers
        that compare it with the one before."""
        view = self._view
        if view is None:
            view = self._see()
            _set(self, "_view", view)
        phase, word, progress = view
        history = self.history
        if not history or history[-1].word != word:
            if progress is None and phase != "finished":
                progress = 0
            history.append(HistoryEntry(at, word, progress))
        return view
