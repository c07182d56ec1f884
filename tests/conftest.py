"""Shared fixtures: a seeded simulator on a fake clock, served over real HTTP on 127.0.0.1."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from hypothesis import settings as hypothesis_settings

from cfdash.api.client import ClanforgeClient
from cfdash.sim import FakeClock, RunningServer, Simulator, build_demo, demo_accounts, start_server

# Property tests: a few hundred examples by default (CI); HYPOTHESIS_PROFILE=fuzz for a long run.
hypothesis_settings.register_profile("default", max_examples=300, deadline=None)
hypothesis_settings.register_profile("fuzz", max_examples=50_000, deadline=None)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


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
