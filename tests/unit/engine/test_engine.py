"""The engine against the simulator over real HTTP: polling floor, merging, queueing, backoff."""

from __future__ import annotations

import asyncio
import random

import pytest

from cfdash.api.errors import AuthError, RateLimitedError, ServerError
from cfdash.config import JobEntry, State
from cfdash.demo import demo_settings
from cfdash.engine import Backoff, Engine, QueueRefused, TrackedJob
from cfdash.engine.health import AUTH_RETRY, BACKOFF_CAP
from cfdash.engine.session import build_engine, state_from_tracker
from cfdash.sim import Fault, FaultKind


def engine_for(served, **kwargs) -> Engine:
    return build_engine(demo_settings(served.base_url), clock=served.clock, **kwargs)


async def test_one_request_per_account_per_refresh_whatever_the_job_count(served):
    engine = engine_for(served)
    try:
        for _ in range(3):
            await engine.poll_all()
            served.clock.advance(5)
        assert served.sim.requests.count("status") == 3 * len(served.sim.accounts)
        assert len(engine.tracker) == len(served.sim.jobs)  # track_all brought every job in
    finally:
        await engine.aclose()


async def test_merge_reports_only_what_changed(served):
    engine = engine_for(served)
    try:
        first = await engine.poll("production")
        assert first.changes.added and not first.changes.changed
        again = await engine.poll("production")
        assert not again.changes  # nothing moved: no row work at all
        served.clock.advance(60)
        later = await engine.poll("production")
        running = [
            k
            for k, j in engine.tracker.jobs.items()
            if k[0] == "production" and j.phase == "running"
        ]
        assert later.changes.changed and set(running) <= later.changes.changed
    finally:
        await engine.aclose()


async def test_jobs_that_leave_the_list_are_finished_without_a_percentage(served):
    engine = engine_for(served)
    try:
        await engine.poll_all()
        running = [j for j in engine.tracker.jobs.values() if j.phase == "running"]
        assert running
        served.clock.advance(3600)  # every running job ends one way or another
        await engine.poll_all()
        ended = [j for j in running if j.phase in ("finished", "failed")]
        assert ended
        for job in ended:
            if job.phase == "finished":
                assert job.left_at == served.clock()
                # Completed or squashed, nobody can say: no percentage is shown for it…
                assert job.progress is None and job.history[-1].progress is None
                assert job.item.progress is not None  # …though the raw value is kept
                assert [step.word for step in job.history][-1] == "Finished"
    finally:
        await engine.aclose()


async def test_a_job_never_seen_in_a_list_that_was_read_is_not_found_not_finished(served):
    engine = engine_for(served)
    try:
        engine.add(TrackedJob("production", 424242, mirroring_setting=True))
        job = engine.tracker.get(("production", "install", 424242))
        assert job.phase == "notlisted" and job.word == "not listed"  # nothing read yet
        served.sim.faults.add(Fault(FaultKind.HTTP_500, endpoint="status", count=3))
        await engine.poll_all()
        assert job.phase == "notlisted" and job.unconfirmed  # a failed read proves nothing
        served.sim.faults.clear()
        done = await engine.poll("production")
        assert job.key in done.changes.changed
        assert job.phase == "notfound" and job.word == "not found" and not job.unconfirmed
        assert job.history[-1].word == "not found" and job.left_at is None
        with pytest.raises(QueueRefused) as refused:
            engine.check_queue(job.key)
        assert refused.value.job == job.key
        assert refused.value.reason.startswith("not found in production's status list")
        assert "another account" in refused.value.reason
    finally:
        await engine.aclose()


async def test_queue_sends_exactly_one_request_and_refuses_a_second_in_flight(served):
    engine = engine_for(served)
    try:
        await engine.poll_all()
        job = next(j for j in engine.tracker.jobs.values() if j.phase == "pending")
        served.sim.faults.add(Fault(FaultKind.LATENCY, endpoint="queue", count=1, delay=0.3))
        first = asyncio.create_task(engine.queue(job.key))
        while not job.queue_in_flight:  # the task's first step sends; the sim holds the answer
            await asyncio.sleep(0)
        with pytest.raises(QueueRefused, match="in flight"):
            await engine.queue(job.key)
        done = await first
        assert done.result is not None and job.phase == "queued"
        assert served.sim.requests.count("queue") == 1
        call = served.sim.requests.queue_calls[0]
        assert (call.jobid, call.mirroring) == (job.jobid, job.mirroring)
    finally:
        await engine.aclose()


async def test_queue_refusal_and_unknown_outcome_are_never_resent(served):
    engine = engine_for(served)
    try:
        await engine.poll_all()
        pending = [j for j in engine.tracker.jobs.values() if j.phase in ("pending", "created")]
        served.sim.faults.add(Fault(FaultKind.ERROR_ENVELOPE, endpoint="queue", count=1))
        refused = await engine.queue(pending[0].key)
        assert refused.error is not None and not refused.unknown
        assert "image locked" in pending[0].queue_note

        served.sim.faults.add(Fault(FaultKind.DROP_CONNECTION, endpoint="queue", count=1))
        unknown = await engine.queue(pending[1].key)
        assert unknown.unknown and pending[1].queue_note.startswith("queue outcome unknown (")
        assert served.sim.requests.count("queue") == 2
        await engine.poll_all()  # the status list settles it
        assert pending[1].phase in ("queued", "running")
        assert pending[1].queue_note == f"queue took effect ({pending[1].word})"
        assert served.sim.requests.count("queue") == 2
    finally:
        await engine.aclose()


async def test_read_only_refuses_to_queue(served):
    settings = demo_settings(served.base_url).with_overrides(read_only=True)
    engine = build_engine(settings, clock=served.clock)
    try:
        await engine.poll_all()
        key = next(iter(engine.tracker.jobs))
        with pytest.raises(QueueRefused, match="read-only"):
            await engine.queue(key)
        assert served.sim.requests.count("queue") == 0
    finally:
        await engine.aclose()


async def test_rejected_credentials_mark_the_account_and_back_off(served):
    settings = demo_settings(served.base_url)
    bad = settings.accounts["staging"].model_copy(update={"secret_key": "nope"})
    settings = settings.model_copy(update={"accounts": {**settings.accounts, "staging": bad}})
    engine = build_engine(settings, clock=served.clock)
    try:
        events = {event.account: event for event in await engine.poll_all()}
        assert isinstance(events["staging"].error, AuthError)
        assert engine.health("staging").state == "auth"
        assert engine.health("staging").summary == "credentials rejected"
        assert engine.health("production").state == "ok"
    finally:
        await engine.aclose()


async def test_polls_never_overlap(served):
    engine = engine_for(served)
    try:
        served.sim.faults.add(Fault(FaultKind.LATENCY, endpoint="status", count=1, delay=0.3))
        results = await asyncio.gather(engine.poll("production"), engine.poll("production"))
        assert results.count(None) == 1
        assert served.sim.requests.count("status") == 1
    finally:
        await engine.aclose()


def status_counts(served, engine) -> dict[str, int]:
    """Status requests the simulator has answered, per account name."""
    asids = {account.name: asid for asid, account in served.sim.accounts.items()}
    return {name: served.sim.requests.count("status", asids[name]) for name in engine.accounts}


async def test_run_loop_polls_each_account_on_its_own_schedule(served, stepped_sleep):
    settings = demo_settings(served.base_url, refresh=2.0)
    slow = settings.accounts["staging"].model_copy(update={"refresh_interval": 5.0})
    settings = settings.model_copy(update={"accounts": {**settings.accounts, "staging": slow}})
    engine = build_engine(settings, clock=served.clock, sleep=stepped_sleep)
    intervals = {name: account.refresh_interval for name, account in settings.accounts.items()}

    def every_loop_asleep() -> bool:
        return stepped_sleep.asleep == len(intervals)

    task = asyncio.create_task(engine.run())
    try:
        for second in range(12):
            # Each loop polls, then sleeps its own interval: asleep means its poll is answered.
            await stepped_sleep.until(every_loop_asleep)
            expected = {name: 1 + int(second // every) for name, every in intervals.items()}
            assert status_counts(served, engine) == expected, f"after {second} s"
            stepped_sleep.advance(1)
        assert set(stepped_sleep.delays) == set(intervals.values())

        engine.pause()
        held = status_counts(served, engine)
        stepped_sleep.advance(60)  # every loop's sleep ends, and the pause holds each one
        await asyncio.wait_for(engine.wait_held(), 30)
        assert status_counts(served, engine) == held
        sleeps = len(stepped_sleep.delays)
        engine.resume()  # polls at once, without waiting for the next interval
        await stepped_sleep.until(lambda: len(stepped_sleep.delays) >= sleeps + len(intervals))
        assert status_counts(served, engine) == {name: n + 1 for name, n in held.items()}
    finally:
        task.cancel()
        await engine.aclose()


def test_backoff_is_jittered_capped_and_honours_retry_after():
    backoff = Backoff(5, rng=random.Random(1))
    server = ServerError("x", account="a", endpoint="status", status=503)
    delays = [backoff.delay(n, server) for n in range(1, 12)]
    assert all(5 <= d <= BACKOFF_CAP for d in delays)
    assert max(delays) > 20  # it does grow
    assert backoff.delay(0) == 5
    limited = RateLimitedError("x", account="a", endpoint="status", retry_after=42)
    assert backoff.delay(1, limited) == 42
    assert backoff.delay(1, AuthError("x", account="a", endpoint="status")) == AUTH_RETRY


async def test_state_round_trip_keeps_added_and_removed_jobs(served):
    settings = demo_settings(served.base_url)
    engine = build_engine(settings, clock=served.clock)
    try:
        await engine.poll_all()
        engine.add(
            TrackedJob("staging", 777, source="state", label="mine", mirroring_setting=False)
        )
        gone = next(key for key in engine.tracker.jobs if key[0] == "production")
        engine.remove(gone)
        state = state_from_tracker(engine.tracker, settings, State())
        assert state.added_jobs == [("staging", JobEntry(id=777, mirroring=False, label="mine"))]
        assert gone in state.removed_jobs
    finally:
        await engine.aclose()
    again = build_engine(settings, state, clock=served.clock)
    try:
        await again.poll_all()
        assert again.tracker.get(("staging", "install", 777)).label == "mine"
        assert gone not in again.tracker.jobs  # track_all does not bring it back
    finally:
        await again.aclose()
