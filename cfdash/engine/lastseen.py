"""Last-seen state: from the tracker to the state file, and back into the next run's tracker.

A job that completed while cfdash was closed is simply absent from its account's list, as a
wrong id is. The state file's last-seen table (:mod:`cfdash.config.lastseen`) tells them apart:
a job absent after a good read that an earlier run saw is *finished while cfdash was closed*
(the same Finished as a job seen leaving the list), one never seen is still *not found*.

* :func:`remembered` turns the loaded table into what a :class:`~cfdash.engine.tracking.Tracker`
  attaches to the jobs it tracks (``TrackedJob.seen_before``); the tracker's ``merge`` decides.
* :func:`snapshot` is what this run knows, for the next save: every job tracked by id (config
  or added, never ``track_all``) that a read has shown, plus the rows this run has not
  replaced (jobs it has not read yet, other accounts).
* :class:`SeenThrottle` says when a snapshot is due: at most once a minute, never per poll.
* :func:`seen_note` is the row's text for a job concluded from the table.

A job last seen **Failed** and now gone stays **Failed**, exactly as a failed job that leaves
the list while cfdash watches (some deployments drop failed jobs): nothing says it ran again
and completed, and ``watch --exit-status`` must not call a failed rollout a success.
"""

from __future__ import annotations

from collections.abc import Container, Mapping
from datetime import datetime
from typing import TYPE_CHECKING

from cfdash.api.models import StateKind, parse_state
from cfdash.config.lastseen import LastSeen, SeenKey
from cfdash.timefmt import INVALID_TIME, is_valid_time

if TYPE_CHECKING:
    from cfdash.engine.tracking import JobKey, TrackedJob, Tracker

__all__ = [
    "SEEN_EVERY",
    "SeenThrottle",
    "local_time",
    "remembered",
    "seen_failed",
    "seen_note",
    "snapshot",
]

#: Seconds between two writes of the last-seen table at most.
SEEN_EVERY = 60.0


def remembered(table: Mapping[SeenKey, LastSeen]) -> dict[JobKey, LastSeen]:
    """The rows by the tracker's own key (the same triple: account, stage, job id)."""
    from cfdash.engine.tracked import JobKey  # the row's module imports this one

    return {JobKey(*key): seen for key, seen in table.items()}


def snapshot(
    tracker: Tracker,
    previous: Mapping[SeenKey, LastSeen],
    accounts: Container[str],
) -> dict[SeenKey, LastSeen]:
    """The table to save: what this run saw of every job tracked by id, over ``previous``.

    A job this run tracks but has not seen (not read yet, or concluded from that very row)
    keeps its row. A row of ``previous`` about a job this run does not track stays too
    (an account the config lost, another instance's job) — unless the user stopped tracking
    it here (``tracker.dismissed``), or it is a ``track_all`` row now.
    """
    table: dict[SeenKey, LastSeen] = {
        key: seen
        for key, seen in previous.items()
        if key[0] not in accounts or (key not in tracker.jobs and key not in tracker.dismissed)
    }
    for job in tracker.jobs.values():
        if job.source == "track_all":
            continue
        seen = _seen_now(job)
        if seen is None:
            seen = job.seen_before
        if seen is not None:
            table[job.key] = seen
    return table


def _seen_now(job: TrackedJob) -> LastSeen | None:
    """What this run saw of ``job``, or None if no list has shown it yet."""
    item = job.item
    if item is None or job.confirmed_at is None:
        return None
    return LastSeen.of(
        at=job.confirmed_at,
        word=(job.state or item.state).word,  # a pipeline job's own reading of 7
        state=item.jobstateid,
        progress=item.progress if item.jobprogress is not None else None,
        error=item.joberror,
        gone_at=None if job.listed else job.left_at,
    )


def seen_failed(seen: LastSeen) -> bool:
    """Whether the row says the job was Failed when last seen."""
    return parse_state(seen.state, seen.word).kind is StateKind.FAILED


def local_time(at: float) -> str:
    """``01 Jan 12:00 CET``: the reader's own clock and zone, short enough that the whole
    note fits the table's Error column (80 characters)."""
    if not is_valid_time(at):
        return INVALID_TIME
    try:
        return datetime.fromtimestamp(at).astimezone().strftime("%d %b %H:%M %Z")
    except (OverflowError, OSError, ValueError):
        return INVALID_TIME


def seen_note(seen: LastSeen) -> str:
    """The row's note for a job gone from the list, judged from its last-seen row.

    ``finished while cfdash was closed (last seen Running 97 % at 01 Jan 12:00 CET)``.
    """
    last = seen.word if seen.progress is None else f"{seen.word} {seen.progress} %"
    last = f"last seen {last} at {local_time(seen.at)}"
    if seen_failed(seen):
        error = f": {seen.error}" if seen.error else ""
        return f"gone from the list while cfdash was closed ({last}{error})"
    if seen.gone_at is not None:  # an earlier run saw it leave
        return f"finished by {local_time(seen.gone_at)} ({last})"
    return f"finished while cfdash was closed ({last})"


class SeenThrottle:
    """When the last-seen table may be written next: ``every`` seconds after the last write.

    The first poll starts the clock (nothing is worth writing before it); the exit write
    does not ask.
    """

    def __init__(self, every: float = SEEN_EVERY) -> None:
        self.every = every
        self.last: float | None = None

    def due(self, now: float) -> bool:
        """Whether a write may happen now; if so, it counts as done from ``now``."""
        if self.last is None:
            self.last = now
            return False
        if now - self.last < self.every:
            return False
        self.last = now
        return True
