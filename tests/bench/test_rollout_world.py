"""The rollout world keeps its promises, as cfdash's own client sees it over HTTP.

Every running job moves at every refresh; at 1,000 jobs at least 5 jobs leave the list and at
least 1 fails in every 10 s; new jobs appear (the accounts are ``track_all`` in the bench's
config). Time is a FakeClock moved 1 s per refresh, so nothing here depends on the machine.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bench.rollout_world import Rollout, build_rollout
from bench.world import FIRST_JOBID
from cfdash.api.client import ClanforgeClient
from cfdash.api.models import StatusItem
from cfdash.sim import FakeClock, start_server

JOBS = 1000


@pytest.fixture
async def rollout(clock: FakeClock) -> AsyncIterator[tuple[Rollout, list[ClanforgeClient]]]:
    world = build_rollout(JOBS, 2, clock=clock)
    server = await start_server(world.sim)
    clients = [
        ClanforgeClient(
            account=a.name,
            accountserviceid=a.asid,
            access_key=a.access_key,
            secret_key=a.secret_key,
            base_url=server.base_url,
        )
        for a in world.members
    ]
    try:
        yield world, clients
    finally:
        for client in clients:
            await client.aclose()
        await server.stop()


async def _listed(clients: list[ClanforgeClient]) -> dict[int, StatusItem]:
    items: dict[int, StatusItem] = {}
    for client in clients:
        items.update((item.jobid, item) for item in await client.status())
    return items


def _running(items: dict[int, StatusItem]) -> set[int]:
    return {j for j, item in items.items() if item.jobstatename == "Running"}


async def test_every_running_job_moves_at_every_refresh(rollout, clock: FakeClock) -> None:
    world, clients = rollout
    before = await _listed(clients)
    assert len(before) == JOBS
    assert 400 <= len(_running(before)) <= 600  # about half the jobs run
    for _ in range(30):
        clock.advance(1.0)
        world.arrive()
        after = await _listed(clients)
        both = _running(before) & _running(after)
        assert len(both) > 400
        still = [
            j
            for j in both
            if after[j].jobprogress == before[j].jobprogress
            or after[j].jobupdated == before[j].jobupdated
        ]
        assert still == []
        before = after


async def test_jobs_finish_fail_and_arrive_every_ten_seconds(rollout, clock: FakeClock) -> None:
    world, clients = rollout
    start = await _listed(clients)
    for _ in range(6):  # a minute, in 10 s windows
        for _ in range(10):
            clock.advance(1.0)
            world.arrive()
        end = await _listed(clients)
        left = [j for j in start if j not in end]
        failed = [
            j
            for j, item in end.items()
            if item.jobstatename == "Failed" and j in start and start[j].jobstatename != "Failed"
        ]
        new = [j for j in end if j not in start]
        assert len(left) >= 5
        assert len(failed) >= 1
        assert len(new) >= 5
        start = end


async def test_new_jobs_arrive_queued_on_every_account_then_run(rollout, clock) -> None:
    world, clients = rollout
    for _ in range(5):
        clock.advance(1.0)
        world.arrive()
    by_account = [{item.jobid: item for item in await client.status()} for client in clients]
    for items in by_account:
        newcomers = [item for jobid, item in items.items() if jobid >= FIRST_JOBID + JOBS]
        assert newcomers, "every account gets new jobs"
    assert {item.jobstatename for items in by_account for item in items.values()} >= {"Queued"}
    clock.advance(5.0)  # past every newcomer's 1-3 s queue delay (and no arrivals meanwhile)
    listed = await _listed(clients)
    arrivals = [item for jobid, item in listed.items() if jobid >= FIRST_JOBID + JOBS]
    assert len(arrivals) == world.arrived
    assert {item.jobstatename for item in arrivals} == {"Running"}


async def test_the_top_row_is_running_and_stays_listed_for_a_benchmark(rollout, clock) -> None:
    world, clients = rollout
    for _ in range(90):  # longer than any benchmark window
        clock.advance(1.0)
        world.arrive()
    listed = await _listed(clients)
    assert listed[FIRST_JOBID].jobstatename == "Running"
