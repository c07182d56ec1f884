"""Every fault the simulator can inject, on the poll and on the queue call.

For each: no crash, the right account/row state, recovery within two refreshes once the fault
clears, and not one automatic re-send of a queue request.
"""

from __future__ import annotations

import asyncio

import pytest

from cfdash.api.errors import (
    ApiError,
    BadResponseError,
    RateLimitedError,
    RequestTimeout,
    ServerError,
    TransportError,
)
from cfdash.demo import demo_settings
from cfdash.engine.health import AUTH_RETRY
from cfdash.engine.session import build_engine
from cfdash.sim import Fault, FaultKind

TIMEOUT = 0.4

#: kind -> (extra Fault arguments, the error a poll raises or None, a queue's outcome is unknown)
MATRIX = {
    FaultKind.LATENCY: ({"delay": 0.1}, None, False),
    FaultKind.SLOW: ({"delay": 1.5}, RequestTimeout, True),  # hangs past the timeout
    FaultKind.HTTP_500: ({}, ServerError, True),
    FaultKind.HTTP_502: ({}, ServerError, True),
    FaultKind.HTTP_503: ({}, ServerError, True),
    FaultKind.HTTP_429: ({"retry_after": 7}, RateLimitedError, False),
    FaultKind.ERROR_ENVELOPE: ({}, ApiError, False),
    FaultKind.NOT_JSON: ({}, BadResponseError, True),
    FaultKind.TRUNCATED_JSON: ({}, BadResponseError, True),
    FaultKind.DROP_CONNECTION: ({}, TransportError, True),
}


def fast_engine(served):
    settings = demo_settings(served.base_url)
    accounts = {
        name: account.model_copy(update={"read_timeout": TIMEOUT, "connect_timeout": TIMEOUT})
        for name, account in settings.accounts.items()
    }
    return build_engine(settings.model_copy(update={"accounts": accounts}), clock=served.clock)


def asid_of(served, name: str) -> int:
    return next(a.asid for a in served.sim.accounts.values() if a.name == name)


@pytest.mark.parametrize("kind", list(MATRIX), ids=str)
async def test_fault_on_poll(served, kind):
    extra, expected, _ = MATRIX[kind]
    engine = fast_engine(served)
    try:
        await engine.poll_all()
        before = {key: job.item for key, job in engine.tracker.jobs.items()}
        fault = served.sim.faults.add(
            Fault(kind, endpoint="status", asid=asid_of(served, "production"), **extra)
        )
        events = {event.account: event for event in await engine.poll_all()}

        hit = events["production"]
        if expected is None:
            assert hit.error is None and engine.health("production").state == "ok"
        else:
            assert isinstance(hit.error, expected)
            health = engine.health("production")
            assert health.state == "backoff" and health.reason and health.failures == 1
            # Rows keep their last values; the other accounts carry on.
            for key, item in before.items():
                assert engine.tracker.jobs[key].item == item
            assert engine.health("staging").state == "ok"
            if kind is FaultKind.HTTP_429:
                assert hit.error.retry_after == 7
                assert engine._runners["production"].backoff.delay(1, hit.error) == 7

        served.sim.faults.remove(fault.id)
        recovered = [await engine.poll("production") for _ in range(2)]
        assert recovered[-1].error is None and engine.health("production").state == "ok"
        assert served.sim.requests.count("queue") == 0
    finally:
        await engine.aclose()


@pytest.mark.parametrize("kind", list(MATRIX), ids=str)
async def test_fault_on_queue(served, kind):
    extra, expected, unknown = MATRIX[kind]
    engine = fast_engine(served)
    try:
        await engine.poll_all()
        job = next(j for j in engine.tracker.jobs.values() if j.phase == "pending")
        served.sim.faults.add(Fault(kind, endpoint="queue", count=1, **extra))

        done = await engine.queue(job.key)
        assert served.sim.requests.count("queue") == 1
        wanted = "refused" if kind is FaultKind.ERROR_ENVELOPE else "not_queued"
        if expected is None:
            assert done.result is not None and job.phase == "queued"
        else:
            assert isinstance(done.error, expected)
            assert done.unknown is unknown
            assert done.outcome.status == ("unknown" if unknown else wanted)
            assert job.queue_action.outcome is done.outcome
            if unknown:
                assert job.queue_note.startswith("queue outcome unknown (")
                assert job.queue_action.text == "outcome unknown"
            elif kind is FaultKind.ERROR_ENVELOPE:
                assert job.queue_note == f"queue refused: {done.error.message}"
            else:
                assert job.queue_note.startswith("not queued: rate limited")
            assert "failed" not in job.queue_note

        # Two refreshes settle the row, and nothing sends the queue call again.
        for _ in range(2):
            served.clock.advance(0.1)
            await engine.poll(job.account)
        assert served.sim.requests.count("queue") == 1
        assert engine.health(job.account).state == "ok"
        if unknown:  # the status list told us what happened
            assert not job.queue_unknown
            took = served.sim.job(job.jobid).state in (3, 4)
            assert job.queue_note.startswith("queue took effect" if took else "queue did not")
            assert job.queue_action.text.startswith(
                "outcome unknown → " + ("took effect" if took else "did not")
            )
    finally:
        await engine.aclose()


async def test_auth_failure_stops_polling_until_retried(served, stepped_sleep):
    settings = demo_settings(served.base_url, refresh=1.0)
    bad = settings.accounts["staging"].model_copy(update={"secret_key": "rotated"})
    settings = settings.model_copy(update={"accounts": {**settings.accounts, "staging": bad}})
    engine = build_engine(settings, clock=served.clock, sleep=stepped_sleep)
    staging, production = asid_of(served, "staging"), asid_of(served, "production")
    loops = len(settings.accounts)
    task = asyncio.create_task(engine.run())
    try:
        for _ in range(5):  # five refreshes for the healthy accounts
            await stepped_sleep.until(lambda: stepped_sleep.asleep == loops)
            stepped_sleep.advance(1)
        await stepped_sleep.until(lambda: stepped_sleep.asleep == loops)
        assert served.sim.requests.count("status", staging) == 1  # no hammering
        assert served.sim.requests.count("status", production) == 6
        assert engine.health("staging").summary == "credentials rejected"
        assert AUTH_RETRY in stepped_sleep.delays  # it waits a long while, not an interval
        engine.retry_auth()
        await stepped_sleep.until(
            lambda: (
                served.sim.requests.count("status", staging) == 2 and stepped_sleep.asleep == loops
            )
        )
        assert served.sim.requests.count("status", production) == 6  # only staging was retried
    finally:
        task.cancel()
        await engine.aclose()
