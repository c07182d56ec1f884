"""The demo world: varied, lively within seconds, and reachable with the printed config."""

from __future__ import annotations

import tomllib
from collections import Counter

import httpx

from cfdash.sim import (
    DEMO_SPEED,
    FakeClock,
    JobState,
    build_demo,
    demo_accounts,
    demo_config_toml,
    start_server,
)


def test_demo_accounts_and_keys():
    accounts = demo_accounts(4)
    assert [a.name for a in accounts] == ["production", "staging", "eu-test", "account-4"]
    assert [a.asid for a in accounts[:3]] == [12345, 23456, 34567]
    assert accounts[0].access_key == "demo-access-production"
    assert accounts[0].secret_key == "demo-secret-production"


def test_demo_starts_varied():
    sim = build_demo(clock=FakeClock())
    assert len(sim.accounts) == 3 and len(sim.jobs) == 12
    states = Counter(job.state for job in sim.jobs.values())
    for state in (JobState.RUNNING, JobState.QUEUED, JobState.FAILED, JobState.PENDING,
                  JobState.CREATED):  # fmt: skip
        assert states[state] >= 1, state
    assert {job.kind for job in sim.jobs.values()} == {"mirror", "machine"}
    assert {job.target_imageversionid for job in sim.jobs.values()} == {4242, 4243}
    failed = next(job for job in sim.jobs.values() if job.state == JobState.FAILED)
    assert failed.error and failed.failed == 1
    for asid in sim.accounts:  # every account has something moving
        assert any(i["jobstatename"] == "Running" for i in sim.status(asid))


def test_demo_is_lively_within_half_a_minute():
    clock = FakeClock()
    sim = build_demo(clock=clock)
    before = {job.jobid: job.progress for job in sim.jobs.values()}
    clock.advance(2)
    sim.advance()
    moved = [
        j for j in sim.jobs.values() if j.state == JobState.RUNNING and j.progress > before[j.jobid]
    ]
    assert len(moved) >= 3
    clock.advance(28)  # 30 s in all
    sim.advance()
    states = Counter(job.state for job in sim.jobs.values())
    assert states[JobState.COMPLETE] >= 2
    assert states[JobState.FAILED] >= 3  # the one it started with, plus new failures
    assert states[JobState.SQUASHED] == 1


def test_demo_is_deterministic_per_seed():
    def snapshot(seed: int) -> list:
        clock = FakeClock()
        sim = build_demo(seed=seed, clock=clock)
        clock.advance(5)
        return [sim.status(asid) for asid in sim.accounts]

    assert snapshot(1) == snapshot(1)
    assert snapshot(1) != snapshot(2)


def test_demo_sizes():
    sim = build_demo(accounts=1, jobs=30, clock=FakeClock(), speed=DEMO_SPEED)
    assert len(sim.accounts) == 1 and len(sim.jobs) == 30


def test_config_snippet_is_valid_toml():
    accounts = demo_accounts(3)
    config = tomllib.loads(demo_config_toml("http://127.0.0.1:8642", accounts))
    production = config["accounts"]["production"]
    assert production == {
        "accountserviceid": 12345,
        "base_url": "http://127.0.0.1:8642",
        "access_key": "demo-access-production",
        "secret_key": "demo-secret-production",
        "track_all": True,
    }
    assert set(config["accounts"]) == {"production", "staging", "eu-test"}


async def test_demo_keys_work_over_http():
    sim = build_demo(clock=FakeClock())
    server = await start_server(sim)
    try:
        auth = ("demo-access-staging", "demo-secret-staging")
        async with httpx.AsyncClient(base_url=server.base_url, auth=auth) as client:
            response = await client.get(
                "/cfp/v1/imageinstall/status", params={"accountserviceid": 23456}
            )
        assert response.status_code == 200
        assert len(response.json()["installs"]) == 4
    finally:
        await server.stop()
