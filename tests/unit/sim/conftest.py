"""Fixtures for the simulator tests: a fake clock, a small simulator, a live server.

The simulator has two accounts: production (ASID 12345, keys ak-production/sk-production)
and staging (ASID 23456, keys ak-staging/sk-staging). Tests add the jobs they talk about.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from cfdash.sim import FakeClock, RunningServer, Simulator, start_server


class Api:
    """Thin helpers over an httpx client, so tests read as the calls they make."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def status(
        self, asid: Any = 12345, auth: Any = ("ak-production", "sk-production"), **kw: Any
    ) -> httpx.Response:
        return await self.client.get(
            "/cfp/v1/imageinstall/status", params={"accountserviceid": asid}, auth=auth, **kw
        )

    async def queue(
        self,
        jobid: Any,
        mirroring: Any = False,
        asid: Any = 12345,
        auth: Any = ("ak-production", "sk-production"),
        **kw: Any,
    ) -> httpx.Response:
        if isinstance(mirroring, bool):
            mirroring = "true" if mirroring else "false"
        return await self.client.get(
            f"/cfp/v1/imageinstall/{jobid}/queue",
            params={"accountserviceid": asid, "mirroring": mirroring},
            auth=auth,
            **kw,
        )


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sim(clock: FakeClock) -> Simulator:
    simulator = Simulator(clock=clock, seed=7, speed=1.0)
    simulator.add_account("production", 12345, "ak-production", "sk-production")
    simulator.add_account("staging", 23456, "ak-staging", "sk-staging")
    return simulator


@pytest.fixture
async def server(sim: Simulator) -> AsyncIterator[RunningServer]:
    running = await start_server(sim)
    yield running
    await running.stop()


@pytest.fixture
async def api(server: RunningServer) -> AsyncIterator[Api]:
    async with httpx.AsyncClient(base_url=server.base_url, timeout=5) as client:
        yield Api(client)
