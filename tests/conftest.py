"""Shared fixtures: a seeded simulator on a fake clock, served over real HTTP on 127.0.0.1.

Every test also runs in an environment of its own (the autouse fixtures below): none of the
user's colour or cfdash variables, no real config, themes or state, and the ``cfdash`` logger
put back as it was. A test that depends on the machine it runs on is a test that flakes.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import platformdirs
import pytest
from hypothesis import settings as hypothesis_settings

import cfdash.logs
from cfdash.api.client import ClanforgeClient
from cfdash.sim import FakeClock, RunningServer, Simulator, build_demo, demo_accounts, start_server

# Property tests: a few hundred examples by default (CI); HYPOTHESIS_PROFILE=fuzz for a long run.
hypothesis_settings.register_profile("default", max_examples=300, deadline=None)
hypothesis_settings.register_profile("fuzz", max_examples=50_000, deadline=None)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

#: Variables a user's shell may set that change what cfdash, Textual or Rich draw. ``CFDASH_*``
#: go too, whatever their name (secrets from the environment, ``CFDASH_CONFIG``).
USER_VARIABLES = (
    "NO_COLOR",
    "FORCE_COLOR",
    "COLORTERM",
    "TTY_COMPATIBLE",
    "TTY_INTERACTIVE",
    "COLUMNS",
    "LINES",
    "TMUX",
)


@pytest.fixture(autouse=True)
def no_user_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Clear the user's colour, terminal and cfdash variables (``NO_COLOR=1`` broke snapshots)."""
    for name in [*USER_VARIABLES, *(n for n in os.environ if n.startswith("CFDASH_"))]:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def no_real_user_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point config, themes, state, log and data dirs into tmp_path; returns that fake home.

    In this process through platformdirs, which :mod:`cfdash.config.paths` and the exports go
    through; in child processes (``serve``, ``python -m cfdash``) through the XDG variables.
    Nothing is created until something writes there.
    """
    fake_home = tmp_path / "user-dirs"
    for kind in ("config", "state", "log", "data", "cache"):
        monkeypatch.setattr(
            platformdirs,
            f"user_{kind}_dir",
            lambda appname=None, *args, _kind=kind, **kwargs: str(fake_home / _kind / appname),
        )
    for kind in ("config", "state", "data", "cache"):
        monkeypatch.setenv(f"XDG_{kind.upper()}_HOME", str(fake_home / kind))
    return fake_home


@pytest.fixture(autouse=True)
def cfdash_logger_restored(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Put the ``cfdash`` logger back as it was: ``setup_logging`` replaces its handlers."""
    logger = logging.getLogger("cfdash")
    handlers, level = list(logger.handlers), logger.level
    propagate, disabled = logger.propagate, logger.disabled
    monkeypatch.setattr(cfdash.logs, "_current", cfdash.logs.current_log_path())
    yield
    for handler in logger.handlers:
        if handler not in handlers:
            handler.close()  # a test's log file must not stay open into the next test
    logger.handlers[:] = handlers
    logger.setLevel(level)
    logger.propagate, logger.disabled = propagate, disabled


class SteppedSleep:
    """A sleep for the engine's loops that returns only when the test moves the clock on.

    Each call waits until :meth:`advance` takes the fake clock to its wake-up time (or it is
    cancelled, as a refresh does). :meth:`until` waits, on events and not on a pause, for what
    the sleepers show: ``until(lambda: sleep.asleep == 3)`` returns once three loops have
    finished their polls and gone back to sleep.
    """

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.delays: list[float] = []  # every sleep asked for, in order
        self._sleepers: list[tuple[float, asyncio.Future[None]]] = []
        self._moved = asyncio.Event()

    @property
    def asleep(self) -> int:
        """Sleepers still waiting (one whose task was just cancelled no longer counts)."""
        return sum(not future.done() for _, future in self._sleepers)

    async def __call__(self, seconds: float) -> None:
        sleeper = (self.clock() + seconds, asyncio.get_running_loop().create_future())
        self.delays.append(seconds)
        self._sleepers.append(sleeper)
        self._moved.set()
        try:
            await sleeper[1]
        finally:
            if sleeper in self._sleepers:
                self._sleepers.remove(sleeper)
                self._moved.set()

    def advance(self, seconds: float) -> None:
        """Move the clock on and wake every sleeper whose time has come."""
        now = self.clock.advance(seconds)
        for sleeper in [s for s in self._sleepers if s[0] <= now]:
            self._sleepers.remove(sleeper)
            if not sleeper[1].done():
                sleeper[1].set_result(None)
        self._moved.set()

    async def until(self, condition: Callable[[], bool], timeout: float = 30.0) -> None:
        """Wait until ``condition`` holds, checking it each time a sleeper arrives or leaves."""
        async with asyncio.timeout(timeout):  # a guard against hanging, not a measurement
            while not condition():
                self._moved.clear()
                await self._moved.wait()


@pytest.fixture
def stepped_sleep(clock: FakeClock) -> SteppedSleep:
    return SteppedSleep(clock)


@dataclass
class Served:
    """A running simulator and what a client needs to reach it."""

    sim: Simulator
    server: RunningServer
    clock: FakeClock

    @property
    def base_url(self) -> str:
        return self.server.base_url

    def client(self, account: int = 0, **kwargs) -> ClanforgeClient:
        demo = demo_accounts(len(self.sim.accounts))[account]
        options = {
            "account": demo.name,
            "accountserviceid": demo.asid,
            "access_key": demo.access_key,
            "secret_key": demo.secret_key,
            "base_url": self.base_url,
            "connect_timeout": 2.0,
            "read_timeout": 2.0,
        }
        options.update(kwargs)
        return ClanforgeClient(**options)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def served(clock: FakeClock) -> AsyncIterator[Served]:
    sim = build_demo(seed=7, clock=clock)
    server = await start_server(sim)
    try:
        yield Served(sim, server, clock)
    finally:
        await server.stop()


@pytest.fixture(autouse=True)
def _forget_registered_secrets():
    """The redaction registry is process-wide: one test's keys must not blank another's text."""
    yield
    from cfdash.redact import forget_secrets

    forget_secrets()
