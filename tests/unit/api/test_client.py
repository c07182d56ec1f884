"""The client against the simulator over real HTTP on 127.0.0.1: endpoints, quirks, faults."""

from __future__ import annotations

import pytest

from cfdash.api.errors import (
    ApiError,
    AuthError,
    BadResponseError,
    NotFoundError,
    RateLimitedError,
    RequestTimeout,
    ServerError,
    TransportError,
)
from cfdash.api.models import StateKind
from cfdash.sim import Fault, FaultKind


async def test_status_lists_the_accounts_incomplete_jobs(served):
    async with served.client(0) as client:
        items = await client.status()
    asid = served.sim.accounts and min(served.sim.accounts)
    expected = [job.jobid for job in served.sim.jobs.values() if job.asid == asid]
    assert sorted(item.jobid for item in items) == sorted(expected)
    assert {item.kind for item in items} <= {"mirror", "machine"}
    assert served.sim.requests.count("status") == 1


async def test_user_agent_and_basic_auth_are_sent(served):
    async with served.client(0, access_key="wrong") as client:
        with pytest.raises(AuthError) as caught:
            await client.status()
    assert caught.value.status == 401
    assert "wrong" not in str(caught.value)


async def test_keys_without_access_to_the_asid_are_forbidden(served):
    other = sorted(served.sim.accounts)[1]
    async with served.client(0, accountserviceid=other) as client:
        with pytest.raises(AuthError) as caught:
            await client.status()
    assert caught.value.status == 403
    assert caught.value.reason == "credentials rejected"


def _pick(served, asid, state):
    return next(job for job in served.sim.jobs.values() if job.asid == asid and job.state == state)


async def test_queue_both_shapes_and_idempotence(served):
    for index in range(len(served.sim.accounts)):
        asid = sorted(served.sim.accounts)[index]
        async with served.client(index) as client:
            for job in [
                j for j in served.sim.jobs.values() if j.asid == asid and j.state in (1, 2)
            ]:
                result = await client.queue(job.jobid, mirroring=job.mirroring)
                assert result.state.kind is StateKind.QUEUED
                if job.mirroring:
                    assert result.kind == "mirror" and result.versionmirrorid is not None
                else:
                    assert result.kind == "machine" and result.machinejobid is not None
                    assert result.installs_squashed is not None
                again = await client.queue(job.jobid, mirroring=job.mirroring)
                assert again.state.kind is StateKind.QUEUED


async def test_queue_wrong_flag_or_unknown_job_is_not_found(served):
    asid = sorted(served.sim.accounts)[0]
    job = next(j for j in served.sim.jobs.values() if j.asid == asid)
    async with served.client(0) as client:
        with pytest.raises(NotFoundError):
            await client.queue(job.jobid, mirroring=not job.mirroring)
        with pytest.raises(NotFoundError) as caught:
            await client.queue(999, mirroring=True)
    assert caught.value.endpoint == "queue 999"


async def test_queue_of_failed_job_requeues_keeping_the_failure_count(served):
    failed = next(j for j in served.sim.jobs.values() if j.state == 6)
    index = sorted(served.sim.accounts).index(failed.asid)
    async with served.client(index) as client:
        result = await client.queue(failed.jobid, mirroring=failed.mirroring)
    assert result.state.kind is StateKind.QUEUED
    assert result.joberror in (None, "") and (result.jobfailed or 0) >= 1


async def test_error_envelope_under_200_is_an_api_error(served):
    served.sim.faults.add(Fault(FaultKind.ERROR_ENVELOPE, endpoint="status", count=1))
    async with served.client(0) as client:
        with pytest.raises(ApiError) as caught:
            await client.status()
        assert caught.value.status == 200
        assert "image locked" in caught.value.message
        assert await client.status()  # the fault was for one request only


@pytest.mark.parametrize(
    ("kind", "error", "reason"),
    [
        (FaultKind.HTTP_500, ServerError, "server error 500"),
        (FaultKind.HTTP_502, ServerError, "server error 502"),
        (FaultKind.HTTP_503, ServerError, "server error 503"),
        (FaultKind.HTTP_429, RateLimitedError, "rate limited"),
        (FaultKind.NOT_JSON, BadResponseError, "bad response"),
        (FaultKind.TRUNCATED_JSON, BadResponseError, "bad response"),
        (FaultKind.DROP_CONNECTION, TransportError, "unreachable"),
    ],
)
async def test_each_fault_becomes_its_error(served, kind, error, reason):
    served.sim.faults.add(Fault(kind, endpoint="status", count=1, retry_after=9))
    async with served.client(0) as client:
        with pytest.raises(error) as caught:
            await client.status()
        assert caught.value.reason == reason
        if kind is FaultKind.HTTP_429:
            assert caught.value.retry_after == 9
        assert await client.status()


async def test_slow_response_times_out_and_marks_a_queue_outcome_unknown(served):
    asid = sorted(served.sim.accounts)[0]
    job = next(j for j in served.sim.jobs.values() if j.asid == asid and j.state in (1, 2))
    served.sim.faults.add(Fault(FaultKind.SLOW, endpoint="queue", count=1, delay=3.0))
    async with served.client(0, read_timeout=0.3) as client:
        with pytest.raises(RequestTimeout) as caught:
            await client.queue(job.jobid, mirroring=job.mirroring)
    assert caught.value.request_sent is True
    # The slow fault handled the request before stalling: it took effect, once.
    assert served.sim.requests.count("queue") == 1


async def test_nothing_listening_is_a_transport_error_not_sent():
    from cfdash.api.client import ClanforgeClient

    client = ClanforgeClient(
        account="x",
        accountserviceid=1,
        access_key="a",
        secret_key="b",
        base_url="http://127.0.0.1:9",
        connect_timeout=1,
    )
    async with client:
        with pytest.raises(TransportError) as caught:
            await client.status()
    assert caught.value.request_sent is False


@pytest.mark.parametrize(
    "kind",
    [
        FaultKind.NUMBERS_AS_STRINGS,
        FaultKind.REPEATED_KEYS,
        FaultKind.EXTRA_FIELDS,
        FaultKind.OMIT_NULLS,
        FaultKind.UNKNOWN_STATE,
    ],
)
async def test_quirks_parse(served, kind):
    served.sim.faults.add(Fault(kind, endpoint="status", count=1))
    async with served.client(0) as client:
        items = await client.status()
    assert items and all(isinstance(item.jobid, int) for item in items)
    if kind is FaultKind.UNKNOWN_STATE:
        assert any(item.state.kind is StateKind.UNKNOWN for item in items)


async def test_client_repr_and_errors_never_show_secrets(served):
    client = served.client(0, access_key="AKIA-SECRET-1", secret_key="SUPER-SECRET-2")
    async with client:
        with pytest.raises(AuthError) as caught:
            await client.status()
    for text in (repr(client), str(caught.value), repr(caught.value)):
        assert "AKIA-SECRET-1" not in text and "SUPER-SECRET-2" not in text


async def test_an_unchanged_status_body_is_not_parsed_again(served):
    async with served.client(0) as client:
        first = await client.status()
        again = await client.status()
        assert again is first  # the same immutable models, no second parse
        served.clock.advance(5)  # running jobs move: a new body, a new parse
        moved = await client.status()
        assert moved is not first and moved != first
