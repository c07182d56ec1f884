"""The engine: per-account polling, queueing, and the tracked jobs — everything but the screen.

The dashboard, the headless commands and the benchmark all drive this one class. Each account
has its own loop that arms the next poll only when the last one has finished, so polls never
overlap and a slow account never delays another. A poll reads the account's install list, then
each of its update, diff and version jobs (:mod:`.pipeline`). Results leave the engine as small
events through one listener; the dashboard turns them into Textual messages. The clock and the
sleep are parameters, so tests run the loops on a fake clock (see :mod:`.naps`).

Queue and retry requests are sent by :class:`~cfdash.engine.sending.Sender`; the engine's
``queue``/``retry`` methods hand over to it.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from itertools import repeat
from typing import TYPE_CHECKING

from cfdash.api.client import ClanforgeClient
from cfdash.api.errors import AuthError, ClanforgeError, InternalError
from cfdash.api.models import BadStatusItem
from cfdash.engine.health import AccountHealth, Backoff
from cfdash.engine.naps import Sleep, nap
from cfdash.engine.outcomes import QueueCheck, QueueRefused, outcome_unknown
from cfdash.engine.pipeline import account_trouble, read_pipeline_jobs
from cfdash.engine.retention import DEFAULT_FINISHED_RETENTION, Retention
from cfdash.engine.scrub import ItemScrubber, scrub_error
from cfdash.engine.sending import QueueDone, Sender
from cfdash.engine.tracking import Changes, JobKey, TrackedJob, Tracker

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
        self.sender = Sender(self)

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

    def emit(self, event: PollDone | QueueDone) -> None:
        """Hand ``event`` to every listener (the sender's answers leave this way too)."""
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
                bad = sum(map(isinstance, items, repeat(BadStatusItem)))  # a loop in C
                health.bad_items = runner.link.client.unreadable + bad
                health.last_success = self.clock()
                event = PollDone(account, changes, health)
            if not account_trouble(event.error):
                event = await self._read_pipeline(account, event)
            self._audit_settled(event.changes)
        self.emit(event)
        if self.images is not None:  # after the rows are out; its 401/429 are the account's
            client = self._runners[account].link.client
            trouble = await self.images.read(account, event.error, client, event.health)
            if trouble is not None:
                event = PollDone(account, Changes(), event.health, trouble)
                self.emit(event)
        return event

    def _retire(self, changes: Changes, now: float) -> Changes:
        """Note newly finished track_all rows; drop (any account's) whose retention is up.

        Dropped rows leave as ``removed`` keys of this poll, like an untracked row. Only rows
        whose phase turned can have just finished: the rows that only moved are not looked at.
        """
        self.retention.note(self.tracker, changes.turned_keys())
        gone = self.retention.expire(self.tracker, now)
        if gone:
            changes.drop(gone)
        return changes

    async def _read_pipeline(self, account: str, event: PollDone) -> PollDone:
        """Read the account's update, diff and version jobs after its list (see :mod:`.pipeline`).

        A 401/403 or 429 on one of them is the account's: its health and backoff follow, as
        for the list. Any other failure is that row's alone.
        """
        runner = self._runners[account]
        read = await read_pipeline_jobs(self.tracker, account, runner.link.client, self.clock)
        event.changes.update(read.changes)
        if read.trouble is None:
            return event
        failed = self._failed(account, read.trouble)
        failed.changes.update(event.changes)
        return failed

    def _failed(self, account: str, error: ClanforgeError) -> PollDone:
        """A read failed: the health says why, and the account's rows become unconfirmed —
        its installs, and with rejected credentials or a 429 its pipeline jobs too."""
        error = scrub_error(error)  # an error body may echo the credentials
        health = self._runners[account].health
        health.failures += 1
        health.state = "auth" if isinstance(error, AuthError) else "backoff"
        health.reason = error.reason
        every = account_trouble(error)
        changes = self.tracker.unconfirm(account, self.clock(), every_stage=every)
        return PollDone(account, changes, health, error)

    def _audit_settled(self, changes: Changes) -> None:
        if self.audit is None:
            return
        for key in sorted(changes.settled):
            job = self.tracker.get(key)
            action = job.queue_action if job is not None else None
            if action is not None and action.settled is not None:
                at = action.settled_at or self.clock()
                self.audit.settled(key, action.settled, at, action.action)

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

    # -- queue and retry (see :mod:`.sending`) -----------------------------------------------

    def queue_check(self, key: JobKey) -> QueueCheck:
        """Where ``key`` stands before a queue: sendable, active, finished, not found."""
        return self.sender.queue_check(key)

    def retry_check(self, key: JobKey) -> QueueCheck:
        """Where ``key`` stands before a retry (a Failed update or diff is sendable)."""
        return self.sender.retry_check(key)

    def check_queue(
        self, key: JobKey, *, allow_active: bool = True, mirroring: bool | None = None
    ) -> TrackedJob:
        return self.sender.check_queue(key, allow_active=allow_active, mirroring=mirroring)

    def check_retry(self, key: JobKey, *, allow_active: bool = False) -> TrackedJob:
        return self.sender.check_retry(key, allow_active=allow_active)

    async def queue(
        self, key: JobKey, *, allow_active: bool = True, mirroring: bool | None = None
    ) -> QueueDone:
        """Send one queue request for ``key``: never retried; ``QueueRefused`` before sending."""
        return await self.sender.queue(key, allow_active=allow_active, mirroring=mirroring)

    async def retry(self, key: JobKey, *, allow_active: bool = False) -> QueueDone:
        """Send one retry for a failed update or diff: never repeated; ``QueueRefused`` first."""
        return await self.sender.retry(key, allow_active=allow_active)
