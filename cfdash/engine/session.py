"""Building an engine from settings, and keeping the user's tracking choices in the state file.

The config says which jobs to track; the state file remembers what the user added or removed
in the UI since (the config itself is never rewritten: it would lose the user's comments).
"""

from __future__ import annotations

import asyncio
import dataclasses
import random
import time
from collections.abc import Callable

import httpx
from pydantic import SecretStr

from cfdash.api.client import ClanforgeClient
from cfdash.config.schema import AccountSettings, JobEntry, Settings
from cfdash.config.state import State
from cfdash.engine.audit import AuditLog
from cfdash.engine.engine import AccountLink, Engine
from cfdash.engine.images import ImagePoller
from cfdash.engine.jobkey import JobKey, Source
from cfdash.engine.lastseen import remembered
from cfdash.engine.naps import Sleep
from cfdash.engine.tracking import TrackedJob, Tracker
from cfdash.redact import register_basic_auth, register_secret
from cfdash.stages import Stage

__all__ = ["build_engine", "client_for", "state_from_tracker"]


def client_for(
    account: AccountSettings, transport: httpx.AsyncBaseTransport | None = None
) -> ClanforgeClient:
    """The account's client; its keys or token (and the Basic form) are blanked from now on."""
    if account.token is not None:
        register_secret(_plain(account.token))
    elif (
        account.access_key is not None and account.secret_key is not None
    ):  # the schema requires both
        register_basic_auth(_plain(account.access_key), _plain(account.secret_key))
    return ClanforgeClient(
        account=account.name,
        accountserviceid=account.accountserviceid,
        access_key=account.access_key,
        secret_key=account.secret_key,
        token=account.token,
        base_url=account.base_url,
        connect_timeout=account.connect_timeout,
        read_timeout=account.read_timeout,
        transport=transport,
    )


def _plain(value: SecretStr | str) -> str:
    # model_copy(update=...) skips validation, so a plain str can stand in for a SecretStr.
    return value.get_secret_value() if isinstance(value, SecretStr) else value


def _job(account: str, entry: JobEntry, source: Source) -> TrackedJob:
    return TrackedJob(
        account,
        entry.id,
        source=source,
        stage=entry.stage,
        label=entry.label,
        mirroring_setting=entry.mirroring,
    )


def build_engine(
    settings: Settings,
    state: State | None = None,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    clock: Callable[[], float] = time.time,
    sleep: Sleep = asyncio.sleep,
    rng: random.Random | None = None,
    audit: AuditLog | None = None,
    images: bool = False,
) -> Engine:
    """An engine for every account of ``settings``, tracking config jobs plus the state's.

    The state's last-seen table goes to the tracker, so a job an earlier run saw and that
    is gone now is finished while cfdash was closed, not "not found".

    ``audit`` is where the queue requests it sends are recorded (none without one).
    ``images``: also read each account's watched images after its polls (the dashboard and
    ``status`` do; ``watch`` and ``queue`` have no use for them).
    """
    state = state or State()
    tracker = Tracker(name for name, acc in settings.accounts.items() if acc.track_all)
    tracker.remembered = remembered(state.last_seen)  # before any job is added
    removed = {JobKey(*key) for key in state.removed_jobs}
    for name, account in settings.accounts.items():
        for entry in account.jobs:
            if JobKey(name, entry.stage, entry.id) not in removed:
                tracker.add(_job(name, entry, "config"))
    for name, entry in state.added_jobs:
        if name in settings.accounts:
            tracker.add(_job(name, entry, "state"))
    tracker.dismissed |= removed
    links = [
        AccountLink(
            name,
            client_for(acc, transport),
            acc.refresh_interval,
            acc.read_only,
            finished_retention=acc.finished_retention,
        )
        for name, acc in settings.accounts.items()
    ]
    engine = Engine(links, tracker, clock=clock, sleep=sleep, rng=rng, read_only=settings.read_only)
    engine.audit = audit
    if images:
        watched = {name: account.images for name, account in settings.accounts.items()}
        engine.images = ImagePoller(watched, clock=clock)
    return engine


def state_from_tracker(tracker: Tracker, settings: Settings, previous: State) -> State:
    """The state to save: jobs the user added, and config/track_all jobs they removed."""
    config_keys = {
        JobKey(name, entry.stage, entry.id)
        for name, acc in settings.accounts.items()
        for entry in acc.jobs
    }
    added = [
        (
            job.account,
            JobEntry(
                id=job.jobid, mirroring=job.mirroring_setting, label=job.label, stage=job.stage
            ),
        )
        for job in tracker.jobs.values()
        if job.source == "state"
    ]
    removed: set[tuple[str, Stage, int]] = {
        key
        for key in tracker.dismissed
        if key in config_keys or (key.account in tracker.track_all and key.stage == "install")
    }
    # Jobs of accounts no longer in the config are kept as they were, not silently dropped.
    added += [(name, entry) for name, entry in previous.added_jobs if name not in settings.accounts]
    removed |= {key for key in previous.removed_jobs if key[0] not in settings.accounts}
    return dataclasses.replace(previous, added_jobs=added, removed_jobs=removed)
