"""Stall detection: running jobs that have stopped moving, or have long outrun their ETA.

A running job is **stalled** when either

* its progress has not changed for ``stall_after`` seconds of cfdash watching it (from when
  cfdash first saw it running, or last saw its progress change), or
* its ETA passed more than ``eta_grace`` seconds ago and its progress has not changed since
  that deadline. A job still inching forward past its ETA is late, not stuck: the ETA column
  already says "overdue"; it is flagged only by the first rule if it then stops.

A job stops being stalled as soon as its progress changes or it leaves Running. The times are
cfdash's own (the time of the poll that showed the change), not the service's ``jobupdated``,
so a skewed service clock cannot make every job look stuck; only the ETA, which the service
sends as a wall-clock time, is compared with the local clock.

Only what cfdash can see counts. While a job's account cannot be read the job is
*unconfirmed*: its clock stops and it is never stalled (an outage would otherwise flag every
running job). After the first good read its clock starts afresh on the local clock, and a
deadline that passed unseen during the gap gets its ``eta_grace`` again from that read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cfdash.engine.events import Transition
from cfdash.engine.tracking import JobKey, TrackedJob, Tracker
from cfdash.timefmt import duration

if TYPE_CHECKING:
    from cfdash.config.schema import Settings

__all__ = ["DEFAULT_ETA_GRACE", "DEFAULT_STALL_AFTER", "StallDetector", "span_text"]

DEFAULT_STALL_AFTER = 600.0
DEFAULT_ETA_GRACE = 120.0


@dataclass(slots=True)
class _Watch:
    progress: int | None
    #: When cfdash first saw it running, or last saw its progress change.
    since: float
    #: When cfdash last saw its progress change; None until it has (first sight is no move).
    moved: float | None
    #: Its account could not be read at the last look: the clock is stopped.
    paused: bool = False
    #: When watching resumed after such a gap; the ETA rule's grace runs from here too.
    resumed: float | None = None


def span_text(seconds: float) -> str:
    """A duration for people, as everywhere in cfdash (``45s``, ``12m``, ``1h05m``)."""
    return duration(seconds)


class StallDetector:
    """Flags stalled running jobs; reports each new stall once through :attr:`newly_stalled`.

    Call :meth:`check` after every merge (it observes the tracker first) and, if the screen
    should flag a stall between polls, on the UI's clock tick too: it is one pass over the jobs.
    ``per_account`` overrides ``stall_after`` for the accounts it names.
    """

    def __init__(
        self,
        stall_after: float = DEFAULT_STALL_AFTER,
        eta_grace: float = DEFAULT_ETA_GRACE,
        *,
        per_account: Mapping[str, float] | None = None,
    ) -> None:
        if stall_after <= 0:
            raise ValueError("stall_after must be positive")
        if eta_grace < 0:
            raise ValueError("eta_grace must not be negative")
        self.stall_after = stall_after
        self.eta_grace = eta_grace
        self.per_account = dict(per_account or {})
        #: Keys that became stalled in the most recent :meth:`check` (read it after each one).
        self.newly_stalled: set[JobKey] = set()
        self._stalled: set[JobKey] = set()
        self._watch: dict[JobKey, _Watch] = {}

    @classmethod
    def from_settings(
        cls, settings: Settings, eta_grace: float = DEFAULT_ETA_GRACE
    ) -> StallDetector:
        """A detector using the config's ``stall_after``, per account where it is set."""
        return cls(
            settings.stall_after,
            eta_grace,
            per_account={name: acc.stall_after for name, acc in settings.accounts.items()},
        )

    @property
    def stalled(self) -> frozenset[JobKey]:
        """The keys stalled as of the last :meth:`check`."""
        return frozenset(self._stalled)

    def is_stalled(self, key: JobKey) -> bool:
        return key in self._stalled

    def threshold(self, account: str) -> float:
        """Seconds without progress before a job of ``account`` counts as stalled."""
        return self.per_account.get(account, self.stall_after)

    def observe(self, tracker: Tracker, now: float) -> None:
        """Note which running jobs moved; forget jobs that are no longer running.

        An unconfirmed job's watch is paused; the first look after its account reads again
        starts the watch afresh.
        """
        running: set[JobKey] = set()
        for key, job in tracker.jobs.items():
            if job.phase != "running":
                continue
            running.add(key)
            progress = job.progress
            watch = self._watch.get(key)
            if job.unconfirmed_since is not None:
                if watch is not None:
                    watch.paused = True
                continue
            if watch is None:
                self._watch[key] = _Watch(progress, now, None)
            elif watch.paused:
                self._watch[key] = _Watch(progress, now, None, resumed=now)
            elif watch.progress != progress:
                watch.progress, watch.since, watch.moved = progress, now, now
        if len(running) != len(self._watch):
            for key in [key for key in self._watch if key not in running]:
                del self._watch[key]

    def check(self, tracker: Tracker, now: float) -> set[JobKey]:
        """Observe, then return the stalled keys; new ones also land in :attr:`newly_stalled`."""
        self.observe(tracker, now)
        current = {
            key
            for key, watch in self._watch.items()
            if not watch.paused and self._why(tracker.jobs[key], watch, now) is not None
        }
        self.newly_stalled = current - self._stalled
        self._stalled = current
        return set(current)

    def reason(self, job: TrackedJob, now: float) -> str | None:
        """Why ``job`` counts as stalled at ``now`` (``no progress for 12m``), else None."""
        watch = self._watch.get(job.key)
        if watch is None or watch.paused or job.unconfirmed or job.phase != "running":
            return None
        return self._why(job, watch, now)

    def stall_events(self, tracker: Tracker, now: float) -> list[Transition]:
        """The :attr:`newly_stalled` jobs as stall transitions, for notifying and the log."""
        events = []
        for key in sorted(self.newly_stalled):
            job = tracker.jobs.get(key)
            watch = self._watch.get(key)
            if job is None or watch is None:
                continue
            events.append(
                Transition(
                    at=now,
                    account=job.account,
                    jobid=job.jobid,
                    from_word=job.word,
                    to_word=job.word,
                    from_phase=job.phase,
                    to_phase=job.phase,
                    progress=job.progress,
                    error=job.error,
                    stall=self._why(job, watch, now),
                )
            )
        return events

    def _why(self, job: TrackedJob, watch: _Watch, now: float) -> str | None:
        still = now - watch.since
        if still >= self.threshold(job.account):
            return f"no progress for {span_text(still)}"
        eta = job.eta
        if eta is not None:
            deadline = eta + self.eta_grace
            if watch.resumed is not None:
                deadline = max(deadline, watch.resumed + self.eta_grace)
            if now > deadline and (watch.moved is None or watch.moved <= deadline):
                return f"ETA passed {span_text(now - eta)} ago"
        return None
