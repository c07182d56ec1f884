"""The engine: per-account polling, queueing, and the tracked jobs — everything but the screen.

The dashboard, the headless commands and the benchmark all drive this one class. Each account
has its own loop that arms the next poll only when the last one has finished, so polls never
overlap and a slow account never delays another. Results leave the engine as small events
through one listener; the dashboard turns them into Textual messages.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from cfdash.api.client import ClanforgeClient
from cfdash.api.errors import (
    AuthError,
    BadResponseError,
    ClanforgeError,
    InternalError,
    ServerError,
    TransportError,
)
from cfdash.api.models import QueueResult
from cfdash.engine.health import AccountHealth, Backoff
from cfdash.engine.scrub import ItemScrubber, scrub_error, scrub_model
from cfdash.engine.tracking import Changes, JobKey, TrackedJob, Tracker

__all__ = ["AccountLink", "Engine", "PollDone", "QueueDone", "QueueRefused"]

log = logging.getLogger("cfdash.engine")


@dataclass
class AccountLink:
    """One account as the engine sees it: its client and how often to poll it."""

    name: str
    client: ClanforgeClient
    interval: float = 5.0
    read_only: bool = False


@dataclass(frozen=True)
class PollDone:
    """One poll of one account finished (well or badly)."""

    account: str
    changes: Changes
    health: AccountHealth
    error: ClanforgeError | None = None


@dataclass(frozen=True)
class QueueDone:
    """A queue call ended: ``result`` on success, else ``error``; ``unknown`` if unsettled."""

    key: JobKey
    result: QueueResult | None = None
    error: ClanforgeError | None = None
    unknown: bool = False

    @property
    def message(self) -> str:
        job = f"{self.key[0]}/{self.key[1]}"
        if self.result is not None:
            return f"{job}: {self.result.summary()}"
        why = self.error.message if self.error is not None else "no answer"
        if self.unknown:
            return f"{job}: queue outcome unknown ({why}); the next poll will tell"
        if isinstance(self.error, TransportError):
            return f"{job}: queue not sent: {why}"
        return f"{job}: queue refused: {why}"


def outcome_unknown(error: ClanforgeError) -> bool:
    """Whether a failed queue call may still have taken effect.

    Only an answer from the service itself (an error envelope, 401/403, 429) says it did not;
    a 5xx from a gateway, an unreadable body or a connection lost after sending says nothing,
    and only the next status list can tell.
    """
    if isinstance(error, TransportError):
        return error.request_sent
    return isinstance(error, ServerError | BadResponseError | InternalError)


class QueueRefused(Exception):
    """A queue request the engine will not send (read-only, in flight, no mirroring flag...)."""


Listener = Callable[[PollDone | QueueDone], None]


@dataclass
class _Runner:
    link: AccountLink
    health: AccountHealth
    backoff: Backoff
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    scrub: ItemScrubber = field(default_factory=ItemScrubber)


class Engine:
    """Polls accounts, merges their status lists into the tracker, and queues jobs."""

    def __init__(
        self,
        accounts: Mapping[str, AccountLink] | list[AccountLink],
        tracker: Tracker | None = None,
        *,
        clock: Callable[[], float] = time.time,
        rng: random.Random | None = None,
        read_only: bool = False,
    ) -> None:
        links = list(accounts.values()) if isinstance(accounts, Mapping) else list(accounts)
        rng = rng or random.Random()
        self.tracker = tracker if tracker is not None else Tracker()
        self.clock = clock
        self.read_only = read_only
        self.paused = False
        self._runners = {
            link.name: _Runner(link, AccountHealth(link.name), Backoff(link.interval, rng=rng))
            for link in links
        }
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
                changes = self.tracker.merge(account, items, self.clock())
            except ClanforgeError as error:
                event = self._failed(account, error)
            except Exception as bug:  # a bug must cost one poll, not the account's polling
                log.exception("poll of %s failed unexpectedly", account)
                event = self._failed(account, InternalError(bug, account=account))
            else:
                health.failures, health.state, health.reason = 0, "ok", ""
                health.last_success = self.clock()
                event = PollDone(account, changes, health)
        self._emit(event)
        return event

    def _failed(self, account: str, error: ClanforgeError) -> PollDone:
        error = scrub_error(error)  # an error body may echo the credentials
        health = self._runners[account].health
        health.failures += 1
        health.state = "auth" if isinstance(error, AuthError) else "backoff"
        health.reason = error.reason
        return PollDone(account, Changes(), health, error)

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
            await self._resume.wait()
            event = await self.poll(account)
            error = event.error if event is not None else None
            delay = runner.backoff.delay(runner.health.failures, error)
            runner.health.next_poll = self.clock() + delay
            runner.wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(runner.wake.wait(), delay)

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

    def check_queue(self, key: JobKey) -> TrackedJob:
        """The job, if a queue request may be sent for it now; else ``QueueRefused`` says why."""
        job = self.tracker.get(key)
        if job is None:
            raise QueueRefused(f"{key[0]}/{key[1]} is not tracked")
        link = self._runners[job.account].link
        if self.read_only or link.read_only:
            raise QueueRefused("read-only: queueing is disabled")
        if job.queue_in_flight:
            raise QueueRefused(f"{job.account}/{job.jobid}: a queue request is already in flight")
        if job.mirroring is None:
            raise QueueRefused(
                f"{job.account}/{job.jobid}: its mirroring flag is unknown (not in the status "
                "list); set mirroring for it in the config or the add dialog"
            )
        if job.state is not None and job.listed and job.state.is_finished:
            raise QueueRefused(f"{job.account}/{job.jobid} has already finished")
        return job

    async def queue_many(
        self, keys: list[JobKey], *, concurrency: int = 4
    ) -> list[QueueDone | QueueRefused]:
        """Queue several jobs, at most ``concurrency`` requests at a time, one request each.

        A refusal (by the engine or the service) for one job does not stop the others; the
        result holds, in order, each job's ``QueueDone`` or the ``QueueRefused`` it met.
        """
        gate = asyncio.Semaphore(max(1, concurrency))

        async def one(key: JobKey) -> QueueDone | QueueRefused:
            async with gate:
                try:
                    return await self.queue(key)
                except QueueRefused as refused:
                    return refused

        return list(await asyncio.gather(*(one(key) for key in dict.fromkeys(keys))))

    async def queue(self, key: JobKey) -> QueueDone:
        """Send one queue request for ``key``. Never retried; raises ``QueueRefused`` first."""
        job = self.check_queue(key)
        flag = bool(job.mirroring)
        job.queue_in_flight = True
        job.queue_note = "queueing…"
        try:
            result = await self._runners[job.account].link.client.queue(job.jobid, mirroring=flag)
            result = scrub_model(result)
        except ClanforgeError as error:
            error = scrub_error(error)
            unknown = job.queue_unknown = outcome_unknown(error)
            if unknown:
                job.queue_note = "queue outcome unknown"
            elif isinstance(error, TransportError):
                job.queue_note = f"queue not sent: {error.reason}"
            else:
                job.queue_note = f"queue refused: {error.message}"
            event = QueueDone(key, error=error, unknown=unknown)
        except Exception as bug:  # our bug: the request may have gone out, so say unknown
            log.exception("queue of %s/%s failed unexpectedly", *key)
            job.queue_note, job.queue_unknown = "queue outcome unknown", True
            event = QueueDone(key, error=InternalError(bug, account=key[0]), unknown=True)
        else:
            self.tracker.record_queue(key, result, self.clock())
            event = QueueDone(key, result=result)
        finally:
            job.queue_in_flight = False
        self._emit(event)
        # A status read (never the queue call again) confirms what happened.
        self.refresh(job.account)
        return event
