"""``cfdash watch``: follow jobs until each has finished, then exit with what became of them.

With ``--exit-status`` the exit status says how it went, worst first: 3 the API could not be
read (the watch ends early), 4 a job was never found in its account's list (a wrong id,
another account's job, or one that finished before the watch began), 1 a job failed, 2 the
service reported one Squashed while still listing it, 0 all finished. A job seen in the list
and then gone is *finished* — success, since the service does not say more.

It polls with the dashboard's engine and obeys the dashboard's floor: one status request per
involved account per interval, however many of its jobs are watched, and never two at once.
Failed polls back off with the engine's :class:`~cfdash.engine.Backoff` (``Retry-After``
included). Rejected credentials end the watch at once (retrying cannot fix them), and so do
``MAX_FAILED_POLLS`` failures in a row, so a pipeline never waits forever on a dead API.

The clock and the sleep are parameters: tests drive a simulator on a fake clock and "sleep"
by moving that clock, so an hour-long install is watched in milliseconds.
"""

from __future__ import annotations

import asyncio
import math
import random
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, TextIO

import httpx

from cfdash.api.errors import AuthError
from cfdash.config import State
from cfdash.config.schema import Settings
from cfdash.engine import Backoff, Engine, JobKey, PollDone, TrackedJob
from cfdash.engine.naps import Sleep
from cfdash.engine.session import build_engine
from cfdash.engine.tracking import NOT_FOUND_CAUSES
from cfdash.headless.common import (
    EXIT_API,
    EXIT_FAILED,
    EXIT_NOT_FOUND,
    EXIT_OK,
    EXIT_SQUASHED,
    HeadlessError,
    describe,
    only_account,
)
from cfdash.headless.watch_view import PlainView, TtyView, WatchView
from cfdash.safetext import safe_text
from cfdash.stages import Stage
from cfdash.timefmt import duration

__all__ = [
    "MAX_FAILED_POLLS",
    "MIN_INTERVAL",
    "NOT_FOUND_POLLS",
    "Outcome",
    "WatchResult",
    "Watcher",
    "exit_status",
    "outcome_of",
    "resolve_jobs",
    "run_watch",
]

Outcome = Literal["finished", "completed", "failed", "squashed", "not found"]

#: Consecutive failed polls of one account after which the watch gives up (exit 3).
MAX_FAILED_POLLS = 5
#: Successful reads of its account after which a job never listed is given up on as not found:
#: a wrong id, another account's job, or one that finished before the watch began — either
#: way nobody can say it finished. (More than one read, for a job created a moment ago.)
NOT_FOUND_POLLS = 3
#: No interval shorter than this: the API is shared, and installs take minutes.
MIN_INTERVAL = 1.0


def outcome_of(job: TrackedJob, reads: int) -> Outcome | None:
    """How ``job`` ended, or None while it may still change.

    A job that left the incomplete list after being seen is *finished*, unless it was last
    seen failed (the tracker's ``phase`` already says ``failed`` for that); one the service
    itself calls Complete is *completed*. Squashed counts only while the service lists it so.
    """
    phase = job.phase
    if phase == "complete":
        return "completed"
    if phase in ("finished", "failed", "squashed"):
        return phase
    if phase == "notfound" and reads >= NOT_FOUND_POLLS:
        return "not found"
    return None


def exit_status(outcomes: Iterable[Outcome]) -> int:
    """``--exit-status``: 4 if any was not found, else 1 if any failed, else 2 if any was
    squashed, else 0 (finished and completed are success)."""
    seen = set(outcomes)
    if "not found" in seen:
        return EXIT_NOT_FOUND
    if "failed" in seen:
        return EXIT_FAILED
    if "squashed" in seen:
        return EXIT_SQUASHED
    return EXIT_OK


def summary(outcomes: Mapping[JobKey, Outcome]) -> str:
    """``3 jobs watched: 2 finished, 1 failed`` — never "finished" for a job not found."""
    counts = Counter(outcomes.values())
    order: tuple[Outcome, ...] = ("finished", "completed", "failed", "squashed", "not found")
    parts = ", ".join(f"{counts[o]} {o}" for o in order if counts[o])
    total = len(outcomes)
    return f"{total} job{'s' if total != 1 else ''} watched: {parts}"


def not_found_lines(outcomes: Mapping[JobKey, Outcome]) -> list[str]:
    """One line naming each job that was not found, and what that may mean."""
    return [
        f"{key.name}: not found in {key.account}'s status list ({NOT_FOUND_CAUSES})"
        if key.stage == "install"
        else f"{key.name}: not found in {key.account} (a wrong id, or another account's job)"
        for key, outcome in outcomes.items()
        if outcome == "not found"
    ]


@dataclass
class WatchResult:
    """Each job's outcome, and the sentence that stopped the watch early (if one did)."""

    outcomes: dict[JobKey, Outcome]
    trouble: str | None = None


def _ambiguous(jobid: int, found: list[JobKey]) -> HeadlessError | None:
    """The error for an id tracked more than once, naming what tells them apart."""
    if len(found) < 2:
        return None
    if len({key.account for key in found}) > 1:
        names = " and ".join(dict.fromkeys(key.account for key in found))
        return HeadlessError(f"job {jobid} is tracked in {names}: say which with --account")
    stages = " and ".join(key.stage for key in found)
    return HeadlessError(f"job {jobid} is tracked as {stages}: say which with --stage")


async def resolve_jobs(
    engine: Engine, jobids: Sequence[int], account: str | None, stage: Stage | None = None
) -> tuple[list[JobKey], list[PollDone]]:
    """The (account, stage, job) keys to watch, and any polls made to find them.

    With ``account`` every id is taken as that account's: the tracked job of that id (of
    ``stage``, when given), else an install (or a ``stage`` job) tracked for this watch. Without,
    an id must match a tracked job of exactly one account and stage; ``track_all`` accounts are
    read once to learn their jobs.
    """
    ids = list(dict.fromkeys(jobids))

    def matches(jobid: int, within: str | None = None) -> list[JobKey]:
        return [
            key
            for key in engine.tracker.jobs
            if key.jobid == jobid
            and (stage is None or key.stage == stage)
            and (within is None or key.account == within)
        ]

    keys: list[JobKey] = []
    if account is not None:
        for jobid in ids:
            found = matches(jobid, account)
            if (error := _ambiguous(jobid, found)) is not None:
                raise error
            key = found[0] if found else JobKey(account, stage or "install", jobid)
            if engine.tracker.get(key) is None:
                engine.add(TrackedJob(account, jobid, source="state", stage=key.stage))
            keys.append(key)
        return keys, []

    polls: list[PollDone] = []
    read: list[str] = []
    if any(not matches(jobid) for jobid in ids) and engine.tracker.track_all:
        read = [name for name in engine.accounts if name in engine.tracker.track_all]
        polls = [e for e in await asyncio.gather(*map(engine.poll, read)) if e is not None]
    for jobid in ids:
        found = matches(jobid)
        if (error := _ambiguous(jobid, found)) is not None:
            raise error
        if not found:
            unread = [e for e in polls if e.error is not None]
            if unread:
                raise HeadlessError(
                    f"job {jobid} was not found, and account {unread[0].account} could not be "
                    f"read: {describe(unread[0].error)}",  # type: ignore[arg-type]
                    EXIT_API,
                )
            if read:
                lists = " and ".join(f"{name}'s" for name in read)
                raise HeadlessError(
                    f"job {jobid} was not found in {lists} status list ({NOT_FOUND_CAUSES}); "
                    "give --account NAME to watch another account's job",
                    EXIT_NOT_FOUND,
                )
            raise HeadlessError(
                f"job {jobid} is not tracked by any account; give --account NAME to watch it"
            )
        keys.append(found[0])
    return keys, polls


class Watcher:
    """The polling loop: rounds of due accounts, until every watched job has an outcome."""

    def __init__(
        self,
        engine: Engine,
        keys: Sequence[JobKey],
        view: WatchView,
        *,
        interval: float | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Sleep = asyncio.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.engine, self.keys, self.view = engine, list(keys), view
        self.clock, self.sleep = clock, sleep
        self.accounts = list(dict.fromkeys(key.account for key in keys))
        self.intervals = {a: interval or engine.link(a).interval for a in self.accounts}
        self.backoff = {a: Backoff(self.intervals[a], rng=rng) for a in self.accounts}
        now = clock()
        self.due = dict.fromkeys(self.accounts, now)
        self.reads: Counter[str] = Counter()
        self.notes: dict[str, str] = {}
        self.outcomes: dict[JobKey, Outcome] = {}
        #: Reads in a row that failed for a job read by id (its account read fine).
        self.job_failures: Counter[JobKey] = Counter()

    def _open(self, account: str) -> bool:
        return any(k.account == account and k not in self.outcomes for k in self.keys)

    def after_poll(self, event: PollDone) -> str | None:
        """Schedule the account's next poll; the sentence that ends the watch, if any."""
        account, error = event.account, event.error
        if account not in self.due:
            return None
        if error is None:
            self.reads[account] += 1
            self.notes.pop(account, None)
            self.due[account] = self.clock() + self.intervals[account]
            return self._job_reads(account)
        failures = self.engine.health(account).failures
        if isinstance(error, AuthError):
            return f"account {account} could not be read: {describe(error)}"
        if failures >= MAX_FAILED_POLLS:
            return (
                f"account {account} could not be read {failures} times in a row: {describe(error)}"
            )
        delay = self.backoff[account].delay(failures, error)
        self.due[account] = self.clock() + delay
        self.notes[account] = f"{account}: {describe(error)}; next try in {duration(delay)}"
        return None

    def _job_reads(self, account: str) -> str | None:
        """A job read by id whose own read failed says so (its account read fine), and ends
        the watch after as many failures in a row as an account's would."""
        for key in self.keys:
            job = self.engine.tracker.get(key)
            if key.account != account or job is None or key in self.outcomes:
                continue
            name = key.name
            if job.read_error is None:
                self.job_failures.pop(key, None)
                self.notes.pop(name, None)
                continue
            self.job_failures[key] += 1
            if self.job_failures[key] >= MAX_FAILED_POLLS:
                return f"{name} could not be read {self.job_failures[key]} times in a row: " + (
                    job.read_error.removeprefix("cannot read it: ")
                )
            self.notes[name] = f"{name}: {job.read_error}"
        return None

    def _settle(self) -> None:
        for key in self.keys:
            job = self.engine.tracker.get(key)
            if key not in self.outcomes and job is not None:
                outcome = outcome_of(job, self.reads[key.account])
                if outcome is not None:
                    self.outcomes[key] = outcome

    def _show(self) -> None:
        jobs = [job for key in self.keys if (job := self.engine.tracker.get(key)) is not None]
        self.view.round(self.clock(), jobs, self.notes)

    async def run(self, polls: Iterable[PollDone] = ()) -> WatchResult:
        """Watch until done; ``polls`` made before (to find the jobs) count as the first."""
        for event in polls:
            if (trouble := self.after_poll(event)) is not None:
                return WatchResult(self.outcomes, trouble)
        while True:
            now = self.clock()
            ready = [a for a in self.accounts if self.due[a] <= now and self._open(a)]
            polled = await asyncio.gather(*map(self.engine.poll, ready))
            for done in polled:
                trouble = self.after_poll(done) if done is not None else None
                if trouble is not None:
                    self._show()
                    return WatchResult(self.outcomes, trouble)
            self._settle()
            self._show()
            waiting = [self.due[a] for a in self.accounts if self._open(a)]
            if not waiting:
                return WatchResult(self.outcomes)
            await self.sleep(max(0.0, min(waiting) - self.clock()))


async def run_watch(
    settings: Settings,
    jobids: Sequence[int],
    *,
    account: str | None = None,
    stage: Stage | None = None,
    interval: float | None = None,
    exit_with_status: bool = False,
    state: State | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    clock: Callable[[], float] = time.time,
    sleep: Sleep = asyncio.sleep,
    rng: random.Random | None = None,
    tty: bool | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Follow ``jobids`` to the end; returns the exit status (see :func:`exit_status`)."""
    out, err = out or sys.stdout, err or sys.stderr
    if not jobids:
        raise HeadlessError("say which jobs to watch: one or more job ids")
    if interval is not None and not (math.isfinite(interval) and interval >= MIN_INTERVAL):
        # NaN compares false with everything: `nan < 1` let it through, and inf never polled.
        raise HeadlessError(f"--interval must be at least {MIN_INTERVAL:g} second")
    settings = only_account(settings, account)
    engine = build_engine(settings, state, transport=transport, clock=clock)
    tty = out.isatty() if tty is None else tty
    view: WatchView = TtyView(out) if tty else PlainView(out, err)
    try:
        keys, polls = await resolve_jobs(engine, jobids, account, stage)
        watcher = Watcher(engine, keys, view, interval=interval, clock=clock, sleep=sleep, rng=rng)
        result = await watcher.run(polls)
    finally:
        await engine.aclose()
    if result.trouble is not None:
        print(f"cfdash: {safe_text(result.trouble)}", file=err)
        return EXIT_API
    for line in not_found_lines(result.outcomes):
        print(line, file=out)
    print(summary(result.outcomes), file=out)
    return exit_status(result.outcomes.values()) if exit_with_status else EXIT_OK
