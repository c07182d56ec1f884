"""What happened since the last look: transitions, new stalls, the event log — in one call.

The dashboard calls ``observe`` after each poll (and each queue answer); it gets back the
transitions worth telling a person about, each exactly once, already written to the log.
It looks only at the rows the caller says changed (and at the stall deadlines that passed), so
a poll costs what it changed, not what is tracked: the caller passes every row it changed —
a merge's :class:`~cfdash.engine.tracking.Changes`, a queue answer's key, a job added or
removed by hand — and ``()`` on the clock tick.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import chain

from cfdash.engine.events import EventLog, Transition, TransitionWatcher, notable
from cfdash.engine.stalls import StallDetector
from cfdash.engine.tracking import Changes, JobKey, Tracker

__all__ = ["Monitor", "Observed"]


@dataclass
class Observed:
    """One look's outcome."""

    #: Finished, failed or stalled: what a toast, bell or desktop notice is for.
    notable: list[Transition] = field(default_factory=list)
    #: Every transition and new stall, as logged (each job's line in the event feed).
    transitions: list[Transition] = field(default_factory=list)
    #: Jobs whose stalled flag turned on or off (their rows need redrawing).
    stall_changed: set[JobKey] = field(default_factory=set)
    #: A problem writing the event log, reported once.
    log_problem: str | None = None


class Monitor:
    """Transitions, stalls and the event log over one tracker."""

    def __init__(self, stalls: StallDetector, log: EventLog | None = None) -> None:
        self.stalls = stalls
        self.log = log
        self.watcher = TransitionWatcher()
        #: The next look checks every job for stalls: jobs tracked before it were never
        #: passed as changed keys.
        self._look_at_all = True

    def prime(self, tracker: Tracker) -> None:
        """Remember every job as it stands (no transitions); the next look checks them all."""
        self.watcher.prime(tracker)
        self._look_at_all = True

    def observe(
        self, tracker: Tracker, keys: Changes | Iterable[JobKey] | None, now: float
    ) -> Observed:
        """Look at ``keys`` (None: every job) after a poll, a queue answer or the tick."""
        # Read twice, by the watcher and by the stall check: an iterator must become a list.
        looked = keys if keys is None or isinstance(keys, Changes) else list(keys)
        transitions = self.watcher.look(tracker, looked, now)
        if self._look_at_all:
            stall_keys: Iterable[JobKey] | None = None
            self._look_at_all = False
        elif isinstance(looked, Changes):
            # Walked once by the stall check: no need to build their union (a key given
            # twice is looked at twice, to the same end).
            stall_keys = chain(looked.added, looked.changed, looked.removed)
        else:
            stall_keys = looked
        stall_changed = self.stalls.update(tracker, now, stall_keys)
        stall_events = self.stalls.stall_events(tracker, now) if stall_changed else []
        everything = transitions + stall_events
        problem = self.log.append(everything) if self.log is not None and everything else None
        return Observed(
            notable=[t for t in everything if notable(t) is not None],
            transitions=everything,
            stall_changed=stall_changed,
            log_problem=problem,
        )
