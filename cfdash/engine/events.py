"""What happened to the tracked jobs: state transitions, which ones matter, and a log of them.

The tracker knows where each job stands *now*; this module turns consecutive looks at it into
:class:`Transition` events, exactly one per real change. The dashboard notifies on the
:func:`notable` ones and :class:`EventLog` appends them all to ``events.jsonl`` in the state
directory, so "when did production/5551001 fail last night?" has an answer the morning after.

Only job fields ever reach a transition, so nothing here can carry a credential.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from cfdash.config.paths import state_path
from cfdash.engine.jsonl import JsonlFile
from cfdash.engine.tracking import Changes, JobKey, Phase, TrackedJob, Tracker, job_name
from cfdash.stages import Stage
from cfdash.timefmt import iso_utc

__all__ = [
    "EventLog",
    "Notable",
    "Transition",
    "TransitionWatcher",
    "default_events_path",
    "event_record",
    "notable",
]

Notable = Literal["finished", "failed", "stalled"]

#: Phases a job may leave the list from for its leaving to be news: it was being worked on
#: when last seen.
_WORKED_ON: frozenset[str] = frozenset({"queued", "running"})


@dataclass(frozen=True, slots=True)
class Transition:
    """One change of a job's state (phase or state word), or a stall when ``stall`` is set.

    ``at`` is the wall-clock time it was noticed (the poll that brought it), not when the
    service made the change. ``progress`` and ``error`` are the job's after the change.
    """

    at: float
    account: str
    jobid: int
    from_word: str
    to_word: str
    from_phase: Phase
    to_phase: Phase
    progress: int | None
    error: str | None
    #: Set only for a stall (see :mod:`cfdash.engine.stalls`): why the job counts as stalled.
    stall: str | None = None
    stage: Stage = "install"

    @property
    def key(self) -> JobKey:
        return JobKey(self.account, self.stage, self.jobid)

    def describe(self) -> str:
        """One line for a toast or a log: ``production/5551001: Running → Failed (45%)``, or
        ``production/update 91: …`` for a stage other than install."""
        job = job_name(self.account, self.stage, self.jobid)
        progress = f" ({self.progress}%)" if self.progress is not None else ""
        if self.stall is not None:
            return f"{job}: stalled at {self.progress or 0}%: {self.stall}"
        text = f"{job}: {self.from_word} → {self.to_word}{progress}"
        if self.error and self.to_phase == "failed":
            text += f": {self.error}"
        return text


def notable(transition: Transition) -> Notable | None:
    """Whether a transition deserves a notification, and which kind.

    * ``"stalled"``: a stall event.
    * ``"failed"``: the job became Failed.
    * ``"finished"``: the job became Complete, or it left the incomplete list (Finished)
      while queued or running — one word for both, as everywhere in cfdash: the service
      doesn't say whether a job that left its list completed or was squashed. Complete →
      Finished is the same ending seen twice and Squashed → Finished is no news, so neither
      counts; nor does a job that left the list without ever being seen at work
      (created/pending/unknown → Finished).
    """
    if transition.stall is not None:
        return "stalled"
    to = transition.to_phase
    if to == "failed":
        return "failed"
    if to == "complete":
        return "finished"
    if to == "finished" and transition.from_phase in _WORKED_ON:
        return "finished"
    return None


class TransitionWatcher:
    """Remembers each job's last phase and word; reports the changes since it last looked.

    The first sight of a job is remembered, not reported: a job already Failed when the
    dashboard starts is not news. A job the API has never listed (``notlisted``, ``notfound``)
    is not "seen" yet, so its first listing is a first sight too. Call :meth:`look` after each merge
    with the merge's :class:`~cfdash.engine.tracking.Changes` (or, after a queue answer moved
    a row, with that one key); call it with ``None`` to look at every job.
    """

    def __init__(self) -> None:
        #: Per job: its word and phase as last looked at.
        self._last: dict[JobKey, tuple[str, Phase]] = {}

    def __len__(self) -> int:
        return len(self._last)

    def prime(self, tracker: Tracker) -> None:
        """Remember every job as it stands, reporting nothing (for a fresh start)."""
        for key, job in tracker.jobs.items():
            self._remember(key, job)

    def forget(self, key: JobKey) -> None:
        self._last.pop(key, None)

    def look(
        self,
        tracker: Tracker,
        keys: Changes | Iterable[JobKey] | None = None,
        now: float | None = None,
    ) -> list[Transition]:
        """The transitions among ``keys`` (all jobs if None) since the last look.

        ``now`` stamps them; without it, the job's last confirmation (or leaving) time is used.
        Keys no longer tracked (or in ``Changes.removed``) are forgotten.
        """
        if keys is None:
            wanted: Iterable[JobKey] = list(tracker.jobs)
            for gone in [key for key in self._last if key not in tracker.jobs]:
                del self._last[gone]
        elif isinstance(keys, Changes):
            for key in keys.removed:
                self.forget(key)
            # Only rows whose phase or word may have turned: most changed rows only moved
            # their progress. The few transitions are sorted, below.
            wanted = keys.turned_keys()
        else:
            wanted = keys
        found: list[Transition] = []
        jobs, last = tracker.jobs, self._last
        for key in wanted:
            job = jobs.get(key)
            if job is None:
                self.forget(key)
                continue
            if job.item is None:
                continue  # never seen: its first listing is first sight (see _remember)
            phase, word, _ = job.view  # kept by the row: no need to work them out here
            before = last.get(key)
            if before is not None and before[0] == word and before[1] == phase:
                continue  # most changes: the progress moved
            last[key] = (word, phase)
            if before is None:
                continue
            at = now if now is not None else (job.left_at or job.confirmed_at or 0.0)
            found.append(
                Transition(
                    at=at,
                    account=job.account,
                    jobid=job.jobid,
                    stage=job.stage,
                    from_word=before[0],
                    to_word=word,
                    from_phase=before[1],
                    to_phase=phase,
                    progress=job.progress,
                    error=job.error,
                )
            )
        if isinstance(keys, Changes):
            found.sort(key=lambda transition: transition.key)
        return found

    def _remember(self, key: JobKey, job: TrackedJob) -> None:
        item = job.item
        if item is None:
            return  # never seen (not read yet, or not found): the first listing is first sight
        self._last[key] = (job.word, job.phase)


def default_events_path() -> Path:
    """``events.jsonl`` beside the state file, in ``user_state_dir("cfdash")``."""
    return state_path().parent / "events.jsonl"


def event_record(transition: Transition) -> dict[str, object]:
    """The JSON object one transition becomes in the event log."""
    record: dict[str, object] = {
        "time": iso_utc(transition.at),
        "unix": transition.at,
        "account": transition.account,
        "job": transition.jobid,
    }
    if transition.stage != "install":  # an install's line is as it always was
        record["stage"] = transition.stage
    record |= {
        "from": transition.from_word,
        "to": transition.to_word,
        "from_phase": transition.from_phase,
        "to_phase": transition.to_phase,
        "progress": transition.progress,
        "error": transition.error,
    }
    if transition.stall is not None:
        record["stall"] = transition.stall
    return record


class EventLog(JsonlFile):
    """Appends transitions to ``events.jsonl``, one object per line, rotated by size.

    When the file would grow past ``max_bytes`` it becomes ``events.jsonl.1`` (the older ones
    shifting to ``.2`` … ``.{backups}``, the oldest dropped). Writing never raises (see
    :class:`~cfdash.engine.jsonl.JsonlFile`).
    """

    what = "the event log"

    def __init__(
        self, path: Path | str | None = None, max_bytes: int = 1_000_000, backups: int = 3
    ) -> None:
        super().__init__(path if path is not None else default_events_path(), max_bytes, backups)

    def append(self, transitions: Iterable[Transition]) -> str | None:
        """Write ``transitions``; a message the first time writing fails, else None."""
        return self.write(event_record(t) for t in transitions)
