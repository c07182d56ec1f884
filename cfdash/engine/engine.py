"""The engine: per-account polling, queueing, and the tracked jobs — everything but the screen.

The dashboard, the headless commands and the benchmark all drive this one class. Each account
has its own loop that arms the next poll only when the last one has finished, so polls never
overlap and a slow account never delays another. Results leave the engine as small events
through one listener; the dashboard turns them into Textual messages. The clock and the
sleep are parameters, so tests run the loops on a fake clock (see :mod:`.naps`).
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from cfdash.api.client import ClanforgeClient
from cfdash.api.errors import AuthError, ClanforgeError, InternalError
from cfdash.api.models import QueueResult
from cfdash.engine.health import AccountHealth, Backoff
from cfdash.engine.naps import Sleep, nap
from cfdash.engine.outcomes import (
    QueueCheck,
    QueueOutcome,
    QueueRefused,
    outcome_unknown,
    queue_outcome,
    readiness,
)
from cfdash.engine.retention import DEFAULT_FINISHED_RETENTION, Retention
from cfdash.engine.scrub import ItemScrubber, scrub_error, scrub_model
from cfdash.engine.tracking import Changes, JobKey, QueueAction, TrackedJob, Tracker

if TYPE_CHECKING:
    from cfdash.engine.audit import AuditLog
    from cfdash.engine.images import ImagePoller

__all__ = [
    "AccountLink",
    "Engine",
    "PollDone",
    "QueueDone",
    "QueueRefused",
    "outcome_unknown",
]

log = logging.getLogger("cfdash.engine")


@dataclass
class AccountLink:
    """One account as the engine sees it: its client and how often to poll it."""

    name: str
    client: ClanforgeClient
    interval: float = 5.0
    read_only: bool = False
    #: Seconds a finished ``track_all`` row of this account stays (see :mod:`.retention`).
    finished_retention: float = DEFAULT_FINISHED_RETENTION


@dataclass(frozen=True)
class PollDone:
    """One poll of one account finished (well or badly)."""

    account: str
    changes: Changes
    health: AccountHealth
    error: ClanforgeError | None = None


@dataclass(frozen=True)
class QueueDone:
    """A queue call ended; ``outcome`` says how, by the one rule in :mod:`.outcomes`."""

    key: JobKey
    outcome: QueueOutcome

    @property
    def result(self) -> QueueResult | None:
        return self.outcome.result

    @property
    def error(self) -> ClanforgeError | None:
        return self.outcome.error

    @property
    def unknown(self) -> bool:
        """The request may or may not have taken effect: the next status list will tell."""
        return self.outcome.status == "unknown"

    @property
    def message(self) -> str:
        job = self.key.name
        if self.unknown:
            return f"{job}: {self.outcome.note}; the next poll will tell"
        return f"{job}: {self.outcome.note}"


Listener = Callable[[PollDone | QueueDone], None]


@dataclass
class _Runner:
    link: AccountLink
    health: AccountHealth
    backoff: Backoff
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    scrub: ItemScrubber = field(default_factory=ItemScrubber)
    held: asyncio.Event = field(default_factory=asyncio.Event)  # set while pause() holds it


class Engine:
    """Polls accounts, merges their status lists into the tracker, and queues jobs."""

    #: Where every queue request sent is recorded (set by whoever builds the engine).
    audit: AuditLog | None = None
    #: The watched images, read after each poll of their account (see :mod:`.images`).
    images: ImagePoller | None = None

    def __init__(
        self,
        accounts: Mapping[str, AccountLink] | list[AccountLink],
        tracker: Tracker | None = None,
        *,
        clock: Callable[[], float] = time.time,
        sleep: Sleep = asyncio.sleep,
        rng: random.Random | None = None,
        read_only: bool = False,
    ) -> None:
        links = list(accounts.values()) if isinstance(accounts, Mapping) else list(accounts)
        rng = rng or random.Random()
        self.tracker = tracker if tracker is not None else Tracker()
        self.clock = clock
        self.sleep = sleep
        self.read_only = read_only
        self.paused = False
        self._runners = {
            link.name: _Runner(link, AccountHealth(link.name), Backoff(link.interval, rng=rng))
            for link in links
        }
        #: Finished track_all rows, by when they drop out of the tracker.
        self.retention = Retention({link.name: link.finished_retention for link in links})
        self._listeners: list[Listener] = []
        self._resume = asyncio.Event()
        self._resume.set()

    # -- wiring -----------------------------------------------------------------------------

    @property
    def accounts(self) -> list[str]:
        return list(self._runners)

    def health(self, account: str) -> AccountHealth:
        return self._runners[account].health

    def link(self, account: str) -> AccountLink:
        return self._runners[account].link

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def _emit(self, event: PollDone | QueueDone) -> None:
        for listener in self._listeners:
            try:
                listener(event)
            except Exception:  # a broken listener must not stop polling
                log.exception("engine listener failed")

    async def aclose(self) -> None:
        for runner in self._runners.values():
            await runner.link.client.aclose()

    # -- polling ----------------------------------------------------------------------------

    async def poll(self, account: str) -> PollDone | None:
        """Poll ``account`` once now; None if a poll of it is already in flight."""
        runner = self._runners[account]
        if runner.lock.locked():
            return None
        async with runner.lock:
            health = runner.health
            health.last_attempt = self.clock()
            health.requests += 1
            try:
                items = runner.scrub(await runner.link.client.status())  # secrets blanked
                now = self.clock()
                changes = self._retire(self.tracker.merge(account, items, now), now)
            except ClanforgeError as error:
                event = self._failed(account, error)
            except Exception as bug:  # a bug must cost one poll, not the account's polling
                log.exception("poll of %s failed unexpectedly", account)
                event = self._failed(account, InternalError(bug, account=account))
            else:
                health.failures, health.state, health.reason = 0, "ok", ""
                health.last_success = self.clock()
                event = PollDone(account, changes, health)
                self._audit_settled(changes)
        self._emit(event)
        if self.images is not None:  # after the rows are out; its 401/429 are the account's
            client = self._runners[account].link.client
            trouble = await self.images.read(account, event.error, client, event.health)
            if trouble is not None:
                event = PollDone(account, Changes(), event.health, trouble)
                self._emit(event)
        return event

    def _retire(self, changes: Changes, now: float) -> Changes:
        """Note newly finished track_all rows; drop (any account's) whose retention is up.

        Dropped rows leave as ``removed`` keys of this poll, like an untracked row.
        """
        self.retention.note(self.tracker, changes.changed)
        gone = self.retention.expire(self.tracker, now)
        if gone:
            changes.added -= gone
            changes.changed -= gone
            changes.removed |= gone
        return changes

    def _failed(self, account: str, error: ClanforgeError) -> PollDone:
        """A read failed: the health says why, and the account's rows become unconfirmed."""
        error = scrub_error(error)  # an error body may echo the credentials
        health = self._runners[account].health
        health.failures += 1
        health.state = "auth" if isinstance(error, AuthError) else "backoff"
        health.reason = error.reason
        return PollDone(account, self.tracker.unconfirm(account, self.clock()), health, error)

    def _audit_settled(self, changes: Changes) -> None:
        if self.audit is None:
            return
        for key in sorted(changes.settled):
            job = self.tracker.get(key)
            action = job.queue_action if job is not None else None
            if action is not None and action.settled is not None:
                self.audit.settled(key, action.settled, action.settled_at or self.clock())

    async def poll_all(self) -> list[PollDone]:
        """One poll of every account, concurrently (what ``cfdash status`` does)."""
        done = await asyncio.gather(*(self.poll(name) for name in self._runners))
        return [event for event in done if event is not None]

    async def run(self) -> None:
        """Poll every account on its own schedule until cancelled."""
        async with asyncio.TaskGroup() as group:
            for name in self._runners:
                group.create_task(self._run_account(name), name=f"poll {name}")

    async def _run_account(self, account: str) -> None:
        runner = self._runners[account]
        while True:
            if not self._resume.is_set():
                runner.held.set()
                try:
                    await self._resume.wait()
                finally:
                    runner.held.clear()
            event = await self.poll(account)
            error = event.error if event is not None else None
            delay = runner.backoff.delay(runner.health.failures, error)
            runner.health.next_poll = self.clock() + delay
            runner.wake.clear()
            await nap(self.sleep, delay, runner.wake)

    async def wait_held(self) -> None:
        """Return once :meth:`pause` holds every loop of :meth:`run` (each ends its sleep first).

        From then until :meth:`resume` no scheduled poll starts: tests wait on this, not a while.
        """
        runners = list(self._runners.values())
        while not all(runner.held.is_set() for runner in runners):  # held now, not a moment ago
            await asyncio.gather(*(runner.held.wait() for runner in runners))

    def refresh(self, account: str | None = None) -> None:
        """Poll now (one account, or all) instead of waiting for the schedule."""
        for name in [account] if account else list(self._runners):
            self._runners[name].wake.set()

    def retry_auth(self, account: str | None = None) -> None:
        """The user says the credentials may be fixed: poll the rejected accounts now."""
        for name, runner in self._runners.items():
            if (account is None or name == account) and runner.health.state == "auth":
                runner.wake.set()

    def pause(self) -> None:
        self.paused = True
        self._resume.clear()
        for runner in self._runners.values():
            runner.health.next_poll = None

    def resume(self) -> None:
        self.paused = False
        self._resume.set()
        self.refresh()

    # -- tracking ---------------------------------------------------------------------------

    def add(self, job: TrackedJob) -> bool:
        if job.account not in self._runners:
            raise KeyError(job.account)
        return self.tracker.add(job, self.clock())

    def remove(self, key: JobKey) -> TrackedJob | None:
        return self.tracker.remove(key)

    # -- queueing ---------------------------------------------------------------------------

    def queue_check(self, key: JobKey) -> QueueCheck:
        """Where ``key`` stands before a queue (see :func:`.outcomes.readiness`).

        The confirm dialog sorts marked jobs by this: sendable, running or queued, finished
        or gone from the list, not found.
        """
        job = self.tracker.get(key)
        if job is None:
            return QueueCheck(key, "not_found", "it is not tracked")
        return readiness(job)

    def check_queue(
        self, key: JobKey, *, allow_active: bool = True, mirroring: bool | None = None
    ) -> TrackedJob:
        """The job, if a queue request may be sent for it now; else ``QueueRefused`` says why.

        Nothing is sent for a job that finished, was not found, or whose account has not been
        read. A Queued or Running job is sent for only with ``allow_active``: a front end
        warns first (``cfdash queue`` skips them unless ``--force``; the confirm dialog lists
        them apart, from :meth:`queue_check`). ``mirroring`` is an explicit flag for this
        request, over the status list's and the config's.
        """
        job = self.tracker.get(key)
        if job is None:
            raise QueueRefused("it is not tracked", key)
        link = self._runners[job.account].link
        if self.read_only or link.read_only:
            raise QueueRefused("read-only: queueing is disabled", key)
        if job.queue_in_flight:
            raise QueueRefused("a queue request is already in flight", key)
        check = readiness(job)
        if not check.sendable and not (allow_active and check.readiness == "active"):
            raise check.refusal()
        if mirroring is None and job.mirroring is None:
            raise QueueRefused(
                "its mirroring flag is unknown (not in the status list); set mirroring for it "
                "in the config or the add dialog",
                key,
            )
        return job

    async def queue_many(
        self, keys: list[JobKey], *, concurrency: int = 4, allow_active: bool = True
    ) -> list[QueueDone | QueueRefused]:
        """Queue several jobs, at most ``concurrency`` requests at a time, one request each.

        A refusal (by the engine or the service) for one job does not stop the others; the
        result holds, in order, each job's ``QueueDone`` or the ``QueueRefused`` it met.
        """
        gate = asyncio.Semaphore(max(1, concurrency))

        async def one(key: JobKey) -> QueueDone | QueueRefused:
            async with gate:
                try:
                    return await self.queue(key, allow_active=allow_active)
                except QueueRefused as refused:
                    return refused

        return list(await asyncio.gather(*(one(key) for key in dict.fromkeys(keys))))

    async def queue(
        self, key: JobKey, *, allow_active: bool = True, mirroring: bool | None = None
    ) -> QueueDone:
        """Send one queue request for ``key``. Never retried; raises ``QueueRefused`` first.

        The outcome is decided by :func:`.outcomes.queue_outcome`, kept on the row as its
        ``queue_action`` and written to the audit trail. Cancelled while the request is out
        (Ctrl+C), the row says "outcome unknown", the trail records it, and the cancellation
        goes on.
        """
        job = self.check_queue(key, allow_active=allow_active, mirroring=mirroring)
        flag = bool(job.mirroring) if mirroring is None else mirroring
        action = job.queue_action = QueueAction(self.clock(), flag)
        job.queue_in_flight = True
        job.queue_note = "queueing…"
        result: QueueResult | None = None
        error: BaseException | None = None
        try:
            result = await self._runners[job.account].link.client.queue(job.jobid, mirroring=flag)
            result = scrub_model(result)
        except ClanforgeError as failure:
            error = scrub_error(failure)  # an error body may echo the credentials
        except asyncio.CancelledError as cancelled:
            self._settle_call(job, action, queue_outcome(error=cancelled))
            raise
        except Exception as bug:  # our bug: the request may have gone out, so say unknown
            log.exception("queue of %s failed unexpectedly", key.name)
            error = InternalError(bug, account=key.account, endpoint=f"queue {key.jobid}")
        outcome = queue_outcome(result, error)
        if result is not None and outcome.status == "queued":
            self.tracker.record_queue(key, result, self.clock())
        self._settle_call(job, action, outcome)
        event = QueueDone(key, outcome)
        self._emit(event)
        # A status read (never the queue call again) confirms what happened.
        self.refresh(job.account)
        return event

    def _settle_call(self, job: TrackedJob, action: QueueAction, outcome: QueueOutcome) -> None:
        """The row and the audit trail learn how a queue call ended."""
        job.queue_in_flight = False
        action.outcome = outcome
        job.queue_unknown = outcome.status == "unknown"
        job.queue_note = outcome.note
        if self.audit is not None:
            self.audit.queued(job.key, action.mirroring, outcome, action.at)
