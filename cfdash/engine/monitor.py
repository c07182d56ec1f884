"""What happened since the last look: transitions, new stalls, the event log — in one call.

The dashboard calls ``observe`` after each poll (and each queue answer); it gets back the
transitions worth telling a person about, each exactly once, already written to the log.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

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

    def prime(self, tracker: Tracker) -> None:
        self.watcher.prime(tracker)

    def observe(
        self, tracker: Tracker, keys: Changes | Iterable[JobKey] | None, now: float
    ) -> Observed:
        """Look at ``keys`` (None: every job) after a poll or a queue answer."""
        transitions = self.watcher.look(tracker, keys, now)
        before = self.stalls.stalled
        self.stalls.check(tracker, now)
        stall_events = self.stalls.stall_events(tracker, now)
        everything = transitions + stall_events
        problem = self.log.append(everything) if self.log is not None and everything else None
        return Observed(
            notable=[t for t in everything if notable(t) is not None],
            transitions=everything,
            stall_changed=set(before ^ self.stalls.stalled),
            log_problem=problem,
        )
