"""After a restart: a job an earlier run saw and now gone is Finished while cfdash was closed.

Engine A polls a simulator over real HTTP and saves what it saw, as the dashboard does; the job
completes while nothing watches; engine B — and ``cfdash status`` and ``cfdash watch`` — read
the same state file. A job never seen is still "not found" (watch exits 4).
"""

from __future__ import annotations

import dataclasses
import io
import json
import random

from cfdash.config import JobEntry, StateStore
from cfdash.engine.lastseen import local_time, snapshot
from cfdash.engine.session import build_engine
from cfdash.engine.tracking import TrackedJob
from cfdash.headless import (
    EXIT_FAILED,
    EXIT_NOT_FOUND,
    EXIT_OK,
    run_queue,
    run_status,
    run_watch,
)
from cfdash.sim import Fate, Fault, FaultKind, JobState

#: Linear over 100 s: placed 97 s in, the job is Running at 97 % and completes 3 s later.
HUNDRED_SECONDS = Fate(duration=100, queue_delay=0, estimate=100)
FAILS = Fate(duration=100, queue_delay=0, fail_at=45, error="disk full on machine 4411")
NEVER_SEEN = 990_001


async def save_as_dashboard(settings, store, clock, *, polls: int = 1, apart: float = 10):
    """Engine A: ``polls`` polls of every account, ``apart`` seconds apart, then the
    last-seen save the dashboard makes."""
    state = store.load()
    engine = build_engine(settings, state, clock=clock)
    try:
        for poll in range(polls):
            if poll:
                clock.advance(apart)
            await engine.poll_all()
    finally:
        await engine.aclose()
    state.last_seen = snapshot(engine.tracker, state.last_seen, settings.accounts)
    store.save(state)
    return engine


async def restarted(settings, path, clock):
    """Engine B from the same state file, after one poll."""
    engine = build_engine(settings, StateStore(path).load(), clock=clock)
    try:
        await engine.poll_all()
    finally:
        await engine.aclose()
    return engine


async def watch(settings, jobids, path, clock):
    out, err = io.StringIO(), io.StringIO()

    async def sleep(seconds: float) -> None:
        clock.advance(seconds)

    code = await run_watch(
        settings,
        jobids,
        state=StateStore(path).load(),
        exit_with_status=True,
        clock=clock,
        sleep=sleep,
        rng=random.Random(3),
        tty=False,
        out=out,
        err=err,
    )
    return code, out.getvalue()


async def test_a_job_that_finished_while_closed_is_finished_and_watch_exits_0(
    kit, serve, clock, tmp_path
):
    sim = kit.sim(clock, "production")
    job = sim.add_job(100, state=JobState.RUNNING, fate=HUNDRED_SECONDS, elapsed=97)
    url = await serve(sim)
    jobs = (JobEntry(id=job.jobid), JobEntry(id=NEVER_SEEN))
    settings = kit.settings(kit.account("production", 100, url, jobs=jobs))
    path = tmp_path / "state.toml"
    key, never = ("production", "install", job.jobid), ("production", "install", NEVER_SEEN)

    a = await save_as_dashboard(settings, StateStore(path), clock)
    assert (a.tracker.jobs[key].word, a.tracker.jobs[key].progress) == ("Running", 97)
    seen_at = a.tracker.jobs[key].confirmed_at
    assert a.tracker.jobs[never].phase == "notfound"

    clock.advance(30)  # the job completes and leaves the list while nothing watches
    assert all(item["jobid"] != job.jobid for item in sim.status(100))

    b = await restarted(settings, path, clock)
    finished = b.tracker.jobs[key]
    assert (finished.phase, finished.word) == ("finished", "Finished")
    note = f"finished while cfdash was closed (last seen Running 97 % at {local_time(seen_at)})"
    assert finished.seen_note == note
    assert (b.tracker.jobs[never].phase, b.tracker.jobs[never].seen_note) == ("notfound", None)

    code, out = await watch(settings, [job.jobid], path, clock)
    assert code == EXIT_OK
    assert f"production/{job.jobid} Finished — {note}" in out
    assert out.splitlines()[-1] == "1 job watched: 1 finished"
    code, out = await watch(settings, [NEVER_SEEN], path, clock)
    assert code == EXIT_NOT_FOUND
    assert f"production/{NEVER_SEEN}: not found" in out
    queued = io.StringIO()
    code = await run_queue(
        settings, "production", [job.jobid], state=StateStore(path).load(), clock=clock, out=queued
    )
    assert code == EXIT_FAILED
    assert queued.getvalue() == f"production/{job.jobid}: not queued: it {note}\n"

    printed = io.StringIO()
    state = StateStore(path).load()
    assert await run_status(settings, state=state, as_json=True, clock=clock, out=printed) == 0
    rows = {row["jobid"]: row for row in json.loads(printed.getvalue())["jobs"]}
    assert (rows[job.jobid]["state"], rows[job.jobid]["note"]) == ("Finished", note)
    assert (rows[NEVER_SEEN]["state"], rows[NEVER_SEEN]["note"]) == ("not found", None)
    table = io.StringIO()
    await run_status(settings, state=state, clock=clock, out=table)
    line = next(line for line in table.getvalue().splitlines() if str(job.jobid) in line)
    assert "Finished" in line and "finished while cfdash was closed (last seen Running" in line
    assert StateStore(path).load() == state  # status and watch only read the file


async def test_a_job_last_seen_failed_and_gone_stays_failed(kit, serve, clock, tmp_path):
    sim = kit.sim(clock, "production")
    job = sim.add_job(100, state=JobState.RUNNING, fate=FAILS, elapsed=40)
    url = await serve(sim)
    settings = kit.settings(kit.account("production", 100, url, jobs=(JobEntry(id=job.jobid),)))
    path = tmp_path / "state.toml"
    clock.advance(10)
    a = await save_as_dashboard(settings, StateStore(path), clock)
    assert a.tracker.jobs[("production", "install", job.jobid)].word == "Failed"
    sim.faults.add(Fault(FaultKind.HIDE_FAILED, endpoint="status"))  # failed jobs vanish

    b = await restarted(settings, path, clock)
    gone = b.tracker.jobs[("production", "install", job.jobid)]
    assert (gone.phase, gone.word) == ("failed", "Failed")
    assert gone.seen_note is not None
    assert gone.seen_note.startswith("gone from the list while cfdash was closed (last seen Failed")
    assert gone.seen_note.endswith(": disk full on machine 4411)")
    assert b.queue_check(gone.key).sendable  # as a failed job that left the list: re-queueable
    code, out = await watch(settings, [job.jobid], path, clock)
    assert code == EXIT_FAILED  # never "finished": nothing says it ran again and completed
    assert out.splitlines()[-1] == "1 job watched: 1 failed"


async def test_a_job_seen_leaving_says_when_and_one_listed_again_is_plain(
    kit, serve, clock, tmp_path
):
    sim = kit.sim(clock, "production")
    left = sim.add_job(100, state=JobState.RUNNING, fate=HUNDRED_SECONDS, elapsed=97)
    back = sim.add_job(100, kind="mirror", state=JobState.RUNNING, fate=HUNDRED_SECONDS)
    url = await serve(sim)
    jobs = (JobEntry(id=left.jobid), JobEntry(id=back.jobid))
    settings = kit.settings(kit.account("production", 100, url, jobs=jobs))
    path = tmp_path / "state.toml"
    a = await save_as_dashboard(settings, StateStore(path), clock, polls=2)  # A saw `left` leave
    gone_at = a.tracker.jobs[("production", "install", left.jobid)].left_at
    assert gone_at is not None

    b = await restarted(settings, path, clock)
    job = b.tracker.jobs[("production", "install", left.jobid)]
    assert job.phase == "finished"
    assert job.seen_note is not None and job.seen_note.startswith(
        f"finished by {local_time(gone_at)} (last seen Running 97 % at"
    )
    listed = b.tracker.jobs[("production", "install", back.jobid)]
    assert (listed.phase, listed.seen_note) == ("running", None)
    assert b.queue_check(job.key).readiness == "finished"  # nothing is sent for it


async def test_only_jobs_tracked_by_id_are_kept_and_unread_ones_keep_their_row(
    kit, serve, clock, tmp_path
):
    sim = kit.sim(clock, "production", "staging")
    config_job = sim.add_job(100, state=JobState.RUNNING, fate=HUNDRED_SECONDS)
    added_job = sim.add_job(100, state=JobState.QUEUED, fate=Fate(queue_delay=600))
    others = [sim.add_job(100, state=JobState.PENDING).jobid for _ in range(3)]
    staged = sim.add_job(101, state=JobState.RUNNING, fate=HUNDRED_SECONDS)
    url = await serve(sim)
    settings = kit.settings(
        kit.account("production", 100, url, jobs=(JobEntry(id=config_job.jobid),), track_all=True),
        kit.account("staging", 101, url, jobs=(JobEntry(id=staged.jobid),)),
    )
    store = StateStore(tmp_path / "state.toml")
    state = store.load()
    state.added_jobs.append(("production", JobEntry(id=added_job.jobid)))
    store.save(state)
    engine = await save_as_dashboard(settings, store, clock)
    assert {key.jobid for key in engine.tracker.jobs} >= set(others)  # track_all brought them in
    saved = StateStore(tmp_path / "state.toml").load().last_seen
    assert set(saved) == {
        ("production", "install", config_job.jobid),
        ("production", "install", added_job.jobid),
        ("staging", "install", staged.jobid),
    }
    assert saved[("production", "install", added_job.jobid)].word == "Queued"

    # Staging cannot be read: its job keeps the row the last run wrote, unchanged.
    sim.faults.add(Fault(FaultKind.HTTP_500, endpoint="status", asid=101))
    clock.advance(5)
    b = build_engine(settings, StateStore(tmp_path / "state.toml").load(), clock=clock)
    await b.poll_all()
    await b.aclose()
    b.remove(("production", "install", added_job.jobid))  # the user stops tracking it
    b.add(TrackedJob("production", 424242, source="state"))  # never seen: no row
    table = snapshot(b.tracker, saved, settings.accounts)
    assert (
        table[("staging", "install", staged.jobid)] == saved[("staging", "install", staged.jobid)]
    )
    assert table[("production", "install", config_job.jobid)].at == clock()
    assert ("production", "install", added_job.jobid) not in table
    assert ("production", "install", 424242) not in table
    # Rows of another stage or an account the config lost are not this run's to drop.
    kept = dict(saved)
    kept[("production", "update", 91)] = saved[("staging", "install", staged.jobid)]
    kept[("gone", "install", 1)] = saved[("staging", "install", staged.jobid)]
    table = snapshot(b.tracker, kept, settings.accounts)
    assert ("production", "update", 91) in table and ("gone", "install", 1) in table


async def test_state_rows_of_the_demo_file_format_are_what_build_engine_attaches(
    kit, serve, clock, tmp_path
):
    """An old-style row (no stage) written by hand is used like any other."""
    sim = kit.sim(clock, "production")
    url = await serve(sim)
    settings = kit.settings(kit.account("production", 100, url, jobs=(JobEntry(id=5551001),)))
    path = tmp_path / "state.toml"
    path.write_text(
        'version = 1\n[[seen]]\naccount = "production"\nid = 5551001\nat = 1000.0\n'
        'word = "Queued"\nstate = 3\n'
    )
    b = await restarted(settings, path, clock)
    job = b.tracker.jobs[("production", "install", 5551001)]
    assert job.phase == "finished"
    assert (
        job.seen_note
        == f"finished while cfdash was closed (last seen Queued at {local_time(1000.0)})"
    )
    assert dataclasses.asdict(job.seen_before)["word"] == "Queued"


async def test_a_failed_read_keeps_the_ending_and_a_requeue_brings_the_job_back(
    kit, serve, clock, tmp_path
):
    sim = kit.sim(clock, "production")
    job = sim.add_job(100, state=JobState.RUNNING, fate=FAILS, elapsed=40)
    url = await serve(sim)
    settings = kit.settings(kit.account("production", 100, url, jobs=(JobEntry(id=job.jobid),)))
    path = tmp_path / "state.toml"
    clock.advance(10)
    await save_as_dashboard(settings, StateStore(path), clock)
    hidden = sim.faults.add(Fault(FaultKind.HIDE_FAILED, endpoint="status"))
    engine = build_engine(settings, StateStore(path).load(), clock=clock)
    key = ("production", "install", job.jobid)
    try:
        await engine.poll_all()
        assert engine.tracker.jobs[key].seen_note is not None
        outage = sim.faults.add(Fault(FaultKind.HTTP_500, endpoint="status"))
        await engine.poll_all()
        assert engine.tracker.jobs[key].unconfirmed_since is None  # its ending stands
        assert engine.tracker.jobs[key].phase == "failed"
        sim.faults.remove(outage.id)
        sim.faults.remove(hidden.id)
        assert "machinejobid" in sim.queue(100, job.jobid, mirroring=False)  # queued elsewhere
        await engine.poll_all()
    finally:
        await engine.aclose()
    again = engine.tracker.jobs[key]
    assert (again.phase, again.seen_note, again.listed) == ("queued", None, True)
