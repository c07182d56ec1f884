"""Fixtures for the headless commands: small simulators over real HTTP, settings in code."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from pydantic import SecretStr

from cfdash.config import AccountSettings, JobEntry, Settings
from cfdash.sim import FakeClock, RunningServer, Simulator, start_server


def account(
    name: str,
    asid: int,
    base_url: str,
    *,
    jobs: tuple[JobEntry, ...] = (),
    track_all: bool = False,
    interval: float = 5.0,
    secret: str | None = None,
    read_only: bool = False,
) -> AccountSettings:
    """Settings for a simulator account made by :func:`sim_with`: keys ``access-NAME`` etc."""
    return AccountSettings(
        name=name,
        accountserviceid=asid,
        base_url=base_url,
        access_key=SecretStr(f"access-{name}"),
        secret_key=SecretStr(secret or f"secret-{name}"),
        refresh_interval=interval,
        track_all=track_all,
        jobs=jobs,
        connect_timeout=2.0,
        read_timeout=2.0,
        read_only=read_only,
    )


def settings_of(*accounts: AccountSettings) -> Settings:
    return Settings(path=None, accounts={acc.name: acc for acc in accounts})


def sim_with(clock: FakeClock, *names: str, sim_class: type[Simulator] = Simulator) -> Simulator:
    """A simulator at speed 1 with accounts ``names`` (ASIDs 100, 101, …) and no jobs."""
    sim = sim_class(clock=clock, seed=1, speed=1.0)
    for i, name in enumerate(names):
        sim.add_account(name, 100 + i, f"access-{name}", f"secret-{name}")
    return sim


Serve = Callable[[Simulator], Awaitable[str]]


@pytest.fixture
async def serve() -> AsyncIterator[Serve]:
    """``await serve(sim)`` serves a simulator on 127.0.0.1 and returns its base URL."""
    servers: list[RunningServer] = []

    async def start(sim: Simulator) -> str:
        server = await start_server(sim)
        servers.append(server)
        return server.base_url

    yield start
    for server in servers:
        await server.stop()


class Kit:
    """The helpers above, as a fixture: test modules cannot import a conftest."""

    account = staticmethod(account)
    settings = staticmethod(settings_of)
    sim = staticmethod(sim_with)


@pytest.fixture
def kit() -> type[Kit]:
    return Kit
