"""The event feed's lines without a widget: the last few hundred things that happened to jobs.

Each job's own line — it finished, failed, stalled, moved again, was queued and what the
service answered — lands here as the screen sees it; the toast only sums them up once a second.
A bounded deque: adding is O(1), the oldest line falls off, and the widget reads only the
lines on screen (:meth:`EventLines.newest`), so a rollout of thousands costs no more than a
quiet day. ``version`` moves with every change, so a panel told "the tracker changed" can tell
whether it has anything new to draw.

Queue lines read like the audit trail's (:meth:`~cfdash.engine.audit.AuditEntry.describe`):
requests sent this session are described as they are answered, and those of earlier sessions
come from ``audit.jsonl`` when the feed is first opened (:meth:`EventLines.seed`).

No Textual here.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from cfdash.engine.audit import AuditEntry
from cfdash.engine.events import Transition, notable
from cfdash.engine.tracking import JobKey, TrackedJob

__all__ = ["FEED_SIZE", "EventKind", "EventLine", "EventLines"]

#: Lines kept; older ones fall off (the event log and the audit trail keep everything).
FEED_SIZE = 500

EventKind = Literal["finished", "failed", "stalled", "recovered", "queue", "state"]


@dataclass(frozen=True, slots=True)
class EventLine:
    """One line of the feed: when, what kind (its symbol and colour), and the words."""

    at: float
    kind: EventKind
    text: str
    key: JobKey | None = None


def transition_line(transition: Transition) -> EventLine:
    """A state change (``a/1: Running → Failed (45%): disk full``) or a stall."""
    kind: EventKind = notable(transition) or "state"
    return EventLine(transition.at, kind, transition.describe(), transition.key)


def audit_line(entry: AuditEntry) -> EventLine:
    """A queue request and its answer, or the settling of an unknown outcome."""
    return EventLine(entry.at, "queue", entry.describe(), entry.key)


class EventLines:
    """The newest ``size`` lines, newest first for readers."""

    def __init__(self, size: int = FEED_SIZE) -> None:
        self._lines: deque[EventLine] = deque(maxlen=size)
        #: Moves with every change; a reader compares it with the one it last drew.
        self.version = 0
        #: Whether earlier sessions' queue lines were read in (:meth:`seed`).
        self.seeded = False

    def __len__(self) -> int:
        return len(self._lines)

    def newest(self, index: int) -> EventLine:
        """The ``index``-th newest line (0 is the newest)."""
        return self._lines[-1 - index]

    def lines(self) -> list[EventLine]:
        """Every line, newest first (for tests and small callers; the widget uses newest)."""
        return list(reversed(self._lines))

    def add(self, lines: Iterable[EventLine]) -> int:
        before = self.version
        for line in lines:
            self._lines.append(line)
            self.version += 1
        return self.version - before

    def add_transitions(self, transitions: Iterable[Transition]) -> int:
        return self.add(transition_line(t) for t in transitions)

    def add_recovered(
        self, keys: Iterable[JobKey], jobs: Mapping[JobKey, TrackedJob], now: float
    ) -> int:
        """Jobs whose stall cleared while still running: they are moving again."""
        lines = []
        for key in sorted(keys):
            job = jobs.get(key)
            if job is None or job.phase != "running":
                continue  # it ended: its own transition says how
            at = f" at {job.progress}%" if job.progress is not None else ""
            text = f"{job.name}: moving again{at}"
            lines.append(EventLine(now, "recovered", text, key))
        return self.add(lines)

    def add_audit(self, entries: Iterable[AuditEntry]) -> int:
        return self.add(audit_line(entry) for entry in entries)

    def seed(self, entries: Iterable[AuditEntry], before: float) -> int:
        """Put earlier sessions' queue lines (those before ``before``) under the newer ones.

        Called once, when the feed is first opened: reading the audit trail at start-up would
        delay the first frame for a panel most sessions never open.
        """
        self.seeded = True
        older = [audit_line(entry) for entry in entries if entry.at < before]
        if not older:
            return 0
        room = (self._lines.maxlen or len(older) + len(self._lines)) - len(self._lines)
        for line in reversed(older[-room:] if room > 0 else []):
            self._lines.appendleft(line)
        self.version += 1
        return min(len(older), max(room, 0))
