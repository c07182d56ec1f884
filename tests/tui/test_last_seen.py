"""The dashboard keeps what it last saw of each job tracked by id, and the next run uses it.

Against a simulator over real HTTP on a fake clock: the table is written from a worker
thread at most once a minute of that clock (never per poll) and at exit; after a restart a
job gone from the list is "finished while cfdash was closed", a never-seen one "not found".
"""

from __future__ import annotations

import dataclasses
import io
import random
import threading
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from cfdash.config import AccountSettings, JobEntry, Settings, State, StateStore
from cfdash.engine.lastseen import local_time
from cfdash.engine.session import build_engine
from cfdash.headless import EXIT_NOT_FOUND, EXIT_OK, run_watch
from cfdash.sim import FakeClock, Fate, JobState, Simulator, start_server
from cfdash.tui.grid_rows import View
from cfdash.tui.state_keeper import StateKeeper
from cfdash.tui.widgets.job_grid import JobGrid
from cfdash.tui.wiring import build_app

SIZE = (180, 30)
ASID = 100
#: Linear over 100 s: placed 97 s in, the job is Running at 97 % and completes 3 s later.
HUNDRED_SECONDS = Fate(duration=100, queue_delay=0, estimate=100)
LONG = Fate(duration=10_000, queue_delay=0)
NEVER_SEEN = 990_001


class CountingStore(StateStore):
    """A real store that also notes when (on the fake clock) and on which thread it saved."""

    def __init__(self, path: Path, clock: FakeClock) -> None:
        super().__init__(path)
        self.clock = clock
        self.saves: list[tuple[float, bool, State]] = []

    def save(self, state: State) -> State:
        on_main = threading.current_thread() is threading.main_thread()
        self.saves.append((self.clock(), on_main, state))
        return super().save(state)


@pytest.fixture
async def sim() -> AsyncIterator[tuple[Simulator, str]]:
    sim = Simulator(clock=FakeClock(), seed=1, speed=1.0)
    sim.add_account("production", ASID, "access-production", "secret-production")
    server = await start_server(sim)
    try:
        yield sim, server.base_url
    finally:
        await server.stop()


def settings_for(base_url: str, *jobids: int) -> Settings:
    account = AccountSettings(
        name="production",
        accountserviceid=ASID,
        base_url=base_url,
        access_key=SecretStr("access-production"),
        secret_key=SecretStr("secret-production"),
        refresh_interval=5.0,
        jobs=tuple(JobEntry(id=jobid) for jobid in jobids),
        connect_timeout=2.0,
        read_timeout=2.0,
    )
    return Settings(path=None, accounts={"production": account})


def grid(app) -> JobGrid:
    return app.main.query_one(JobGrid)


async def test_a_restart_shows_a_job_that_finished_while_closed(sim, tmp_path) -> None:
    sim, url = sim
    clock = sim.clock
    job = sim.add_job(ASID, state=JobState.RUNNING, fate=HUNDRED_SECONDS, elapsed=97)
    settings = settings_for(url, job.jobid, NEVER_SEEN)
    path = tmp_path / "state.toml"
    key, never = ("production", "install", job.jobid), ("production", "install", NEVER_SEEN)

    a = build_app(settings, store=StateStore(path), clock=clock, poll=False, tick=False)
    async with a.run_test(size=SIZE) as pilot:
        await a.engine.poll_all()
        await pilot.pause()
        assert "Running" in grid(a).cell_text(key, "state")
        assert grid(a).cell_text(never, "state").endswith("not found")
        seen_at = a.engine.tracker.jobs[key].confirmed_at
    # The exit wrote it, though no minute had passed.
    saved = StateStore(path).load().last_seen
    assert saved[("production", "install", job.jobid)].progress == 97
    assert ("production", "install", NEVER_SEEN) not in saved

    clock.advance(30)  # it completes and leaves the list while cfdash is closed
    b = build_app(settings, store=StateStore(path), clock=clock, poll=False, tick=False)
    async with b.run_test(size=SIZE) as pilot:
        await b.engine.poll_all()
        await pilot.pause()
        state, note = grid(b).cell_text(key, "state"), grid(b).cell_text(key, "error")
        never_state = grid(b).cell_text(never, "state")
    assert state.endswith("Finished")
    assert b.engine.tracker.jobs[key].phase == "finished"
    assert note == (
        f"finished while cfdash was closed (last seen Running 97 % at {local_time(seen_at)})"
    )
    assert never_state.endswith("not found")

    async def sleep(seconds: float) -> None:
        clock.advance(seconds)

    for jobid, expected in ((job.jobid, EXIT_OK), (NEVER_SEEN, EXIT_NOT_FOUND)):
        code = await run_watch(
            settings,
            [jobid],
            state=StateStore(path).load(),
            exit_with_status=True,
            clock=clock,
            sleep=sleep,
            rng=random.Random(1),
            tty=False,
            out=io.StringIO(),
            err=io.StringIO(),
        )
        assert code == expected, jobid


async def test_written_from_a_thread_at_most_once_a_minute_and_at_exit(sim, tmp_path) -> None:
    sim, url = sim
    clock = sim.clock
    job = sim.add_job(ASID, state=JobState.RUNNING, fate=LONG)
    store = CountingStore(tmp_path / "state.toml", clock)
    app = build_app(settings_for(url, job.jobid), store=store, clock=clock, poll=False, tick=False)
    start = clock()
    polls = 0
    async with app.run_test(size=SIZE) as pilot:
        while clock() < start + 200:
            await app.engine.poll_all()  # a poll every 5 s of the fake clock
            polls += 1
            await app.workers.wait_for_complete()
            await pilot.pause()
            clock.advance(5)
        last_poll = clock() - 5
    assert polls == 40
    written = [(at - start, on_main) for at, on_main, _ in store.saves]
    # The first poll starts the minute; then one write a minute, each off the main thread,
    # then the exit's, on it.
    assert written == [(60, False), (120, False), (180, False), (200, True)]
    final = StateStore(tmp_path / "state.toml").load().last_seen
    row = final[("production", "install", job.jobid)]
    assert row.at == last_poll and row.word == "Running"
    assert [
        s.last_seen[("production", "install", job.jobid)].at - start for *_, s in store.saves[:3]
    ] == [60, 120, 180]


async def test_two_dashboards_keep_the_newer_row_per_job(sim, tmp_path) -> None:
    """Two keepers (the dashboards' savers) on one file, polling at different times."""
    sim, url = sim
    clock = sim.clock
    first = sim.add_job(ASID, state=JobState.RUNNING, fate=LONG)
    second = sim.add_job(ASID, state=JobState.RUNNING, fate=LONG)
    settings = settings_for(url, first.jobid, second.jobid)
    path = tmp_path / "state.toml"
    keepers, engines = [], []
    for _ in range(2):
        store = StateStore(path)
        state = store.load()
        keepers.append(StateKeeper(store, settings, state))
        engines.append(build_engine(settings, state, clock=clock))
    a, b = engines
    try:
        await a.poll_all()
        clock.advance(30)
        await b.poll_all()
        b.remove(("production", "install", first.jobid))  # B's user stops tracking the first job
        keepers[1].save(b.tracker, theme=None, view=View(), seen=True)
        keepers[0].save_seen(keepers[0].seen_of(a.tracker))  # A's older view, written later
    finally:
        await a.aclose()
        await b.aclose()
    saved = StateStore(path).load()
    rows = {key[2]: row.at for key, row in saved.last_seen.items()}
    # The second job: B saw it 30 s after A did, and B's row stays though A wrote last.
    # The first: B stopped tracking it, A still does, so A's row is kept.
    assert rows == {first.jobid: clock() - 30, second.jobid: clock()}
    assert saved.removed_jobs == {("production", "install", first.jobid)}
    assert dataclasses.replace(saved, last_seen={}, removed_jobs=set()) == State()
