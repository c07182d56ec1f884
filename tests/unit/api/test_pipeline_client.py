"""Bearer accounts and the update/diff/version calls, over real HTTP against the simulator."""

from __future__ import annotations

import pytest

from cfdash.api import (
    ApiError,
    AuthError,
    BadResponseError,
    DiffStatus,
    NotFoundError,
    RateLimitedError,
    RequestTimeout,
    ServerError,
    StateKind,
    TransportError,
    UpdateStatus,
    VersionStatus,
    pipeline_status,
    retry_job,
)
from cfdash.sim import Fault, FaultKind, JobState
from cfdash.stages import NO_RETRY_REASON

PROD = 12345
TOKEN = "demo-token-production"


def bearer(served, token: str = TOKEN, **kwargs):
    """A client of the first demo account signing in with a token instead of its keys."""
    return served.client(0, access_key=None, secret_key=None, token=token, **kwargs)


# --- bearer accounts ------------------------------------------------------------------------


async def test_a_bearer_account_reads_the_same_paths(served):
    async with bearer(served) as client:
        assert client.auth_scheme == "bearer"
        items = await client.status()
    expected = {job.jobid for job in served.sim.jobs.values() if job.asid == PROD}
    assert {item.jobid for item in items} == expected
    assert served.sim.requests.count("status", PROD) == 1


async def test_a_rejected_token_is_the_same_auth_error_as_rejected_keys(served):
    async with bearer(served, token="tok-NOT-A-REAL-TOKEN-42") as client:
        with pytest.raises(AuthError) as by_token:
            await client.status()
        with pytest.raises(AuthError) as on_pipeline:
            await pipeline_status(client, "update", 7101)
    async with served.client(0, access_key="wrong") as client:
        with pytest.raises(AuthError) as by_keys:
            await client.status()
    assert by_token.value.status == by_keys.value.status == 401
    assert by_token.value.reason == by_keys.value.reason == "credentials rejected"
    assert on_pipeline.value.endpoint == "update 7101"
    for text in (str(by_token.value), repr(by_token.value), repr(client)):
        assert "tok-NOT-A-REAL-TOKEN-42" not in text


async def test_a_token_opens_its_own_account_only(served):
    async with bearer(served, accountserviceid=23456) as client:
        with pytest.raises(AuthError) as caught:
            await client.status()
    assert caught.value.status == 403


async def test_a_token_echoed_in_an_error_is_blanked(served):
    served.sim.faults.add(
        Fault(FaultKind.ERROR_ENVELOPE, endpoint="update_status", message=f"bad token {TOKEN}")
    )
    async with bearer(served) as client:
        with pytest.raises(ApiError) as caught:
            await pipeline_status(client, "update", 7101)
    assert TOKEN not in str(caught.value) and "***" in caught.value.message


def test_a_client_takes_keys_or_a_token_not_both():
    from cfdash.api import ClanforgeClient

    with pytest.raises(ValueError, match="not both"):
        ClanforgeClient(account="a", accountserviceid=1, access_key="k", secret_key="s", token="t")
    with pytest.raises(ValueError, match="or a token"):
        ClanforgeClient(account="a", accountserviceid=1, access_key="k")


# --- status of each stage -------------------------------------------------------------------


async def test_each_stage_is_read_by_id(served):
    async with bearer(served) as client:
        update = await pipeline_status(client, "update", 7101)
        diff = await pipeline_status(client, "diff", 218595)
        version = await pipeline_status(client, "version", 4244)
    assert isinstance(update, UpdateStatus) and update.job_id == 7101
    assert isinstance(diff, DiffStatus) and diff.job_id == 218595
    assert isinstance(version, VersionStatus) and version.job_id == 4244
    assert {update.state.kind, diff.state.kind, version.state.kind} == {StateKind.RUNNING}
    assert update.imageid == diff.imageid == version.imageid == 1001
    assert [
        served.sim.requests.count(f"{s}_status", PROD) for s in ("update", "diff", "version")
    ] == [1, 1, 1]


async def test_the_same_id_in_two_stages_is_two_jobs(served):
    pipeline = served.sim.pipeline
    pipeline.add_update(PROD, 1001, jobid=91, state=JobState.FAILED, error="disk full")
    pipeline.add_version(PROD, 1001, jobid=91, state=JobState.COMPLETE)
    async with served.client(0) as client:
        update = await pipeline_status(client, "update", 91)
        version = await pipeline_status(client, "version", 91)
        with pytest.raises(NotFoundError):
            await pipeline_status(client, "diff", 91)
    assert update.state.kind is StateKind.FAILED and update.joberror == "disk full"
    assert version.state.kind is StateKind.COMPLETE and version.progress == 100
    assert served.sim.requests.count("update_status", jobid=91) == 1


async def test_a_diff_lists_its_paths_once_complete(served):
    served.clock.advance(30)  # the demo diff completes within 30 s at demo speed
    async with served.client(0) as client:
        plain = await pipeline_status(client, "diff", 218595)
        detailed = await pipeline_status(client, "diff", 218595, diff_info=True)
    assert plain.state.kind is StateKind.COMPLETE
    expected = served.sim.pipeline.job("diff", 218595).changes
    assert plain.counts == tuple(len(expected[c]) for c in ("added", "modified", "removed"))
    assert sum(plain.counts) > 0
    assert [path for _, path in plain.changes()] == [
        path for change in ("added", "modified", "removed") for path in sorted(expected[change])
    ]
    assert plain.game is None and detailed.game is not None and detailed.image["imageid"] == 1001


async def test_an_image_lock_is_an_api_error_naming_the_diff(served):
    pipeline = served.sim.pipeline
    held = pipeline.add_update(PROD, 1001)  # created while diff 218595 locks image 1001
    async with served.client(0) as client:
        with pytest.raises(ApiError) as caught:
            await pipeline_status(client, "update", held.jobid)
        served.sim.pipeline.reject_diff(218595)
        released = await pipeline_status(client, "update", held.jobid)
    assert caught.value.message == "image locked by diffid: 218595" and caught.value.status == 200
    assert released.state.kind is StateKind.CREATED


@pytest.mark.parametrize(
    ("kind", "error"),
    [
        (FaultKind.HTTP_503, ServerError),
        (FaultKind.HTTP_429, RateLimitedError),
        (FaultKind.NOT_JSON, BadResponseError),
        (FaultKind.TRUNCATED_JSON, BadResponseError),
        (FaultKind.DROP_CONNECTION, TransportError),
        (FaultKind.ERROR_ENVELOPE, ApiError),
    ],
)
async def test_faults_on_stage_status(served, kind, error):
    served.sim.faults.add(Fault(kind, endpoint="pipeline", jobid=218595, count=1))
    async with bearer(served) as client:
        assert await pipeline_status(client, "update", 7101)  # another job: untouched
        with pytest.raises(error):
            await pipeline_status(client, "diff", 218595)
        assert await pipeline_status(client, "diff", 218595)


@pytest.mark.parametrize(
    "kind",
    [
        FaultKind.NUMBERS_AS_STRINGS,
        FaultKind.REPEATED_KEYS,
        FaultKind.EXTRA_FIELDS,
        FaultKind.OMIT_NULLS,
        FaultKind.UNKNOWN_STATE,
        FaultKind.COMPLETE_NAME,
    ],
)
async def test_quirks_on_stage_status_parse(served, kind):
    served.clock.advance(30)  # the version completes: Complete for COMPLETE_NAME
    served.sim.faults.add(Fault(kind, endpoint="version_status", count=1))
    async with served.client(0) as client:
        version = await pipeline_status(client, "version", 4244)
    assert version.job_id == 4244 and version.imageid == 1001
    if kind is FaultKind.UNKNOWN_STATE:
        assert version.state.kind is StateKind.UNKNOWN and version.state.word == "Exploded"
    else:
        assert version.state.kind is StateKind.COMPLETE and version.progress == 100


async def test_a_service_that_forgets_failed_jobs_answers_no_rows(served):
    served.clock.advance(30)  # the demo update has failed on the lock by then
    served.sim.faults.add(Fault(FaultKind.HIDE_FAILED, endpoint="update_status", count=1))
    async with served.client(0) as client:
        with pytest.raises(NotFoundError):
            await pipeline_status(client, "update", 7101)
        failed = await pipeline_status(client, "update", 7101)
    assert failed.state.kind is StateKind.FAILED
    assert failed.joberror == "image locked by diffid: 218595"


# --- retry ----------------------------------------------------------------------------------


def failed_update(served, jobid: int = 91):
    served.sim.pipeline.reject_diff(218595)  # no lock: a retry may go ahead
    return served.sim.pipeline.add_update(PROD, 1001, jobid=jobid, state=JobState.FAILED)


async def test_retry_of_a_failed_update_reruns_it(served):
    job = failed_update(served)
    async with bearer(served) as client:
        result = await retry_job(client, "update", job.jobid)
        again = await pipeline_status(client, "update", job.jobid)
    assert result.state.kind is StateKind.QUEUED and result.updateid == job.jobid
    assert result.summary() == "retried (Queued)"
    assert again.state.kind is StateKind.QUEUED and (again.jobfailed or 0) == 1
    calls = served.sim.requests.retry_calls
    assert [(c.stage, c.asid, c.jobid) for c in calls] == [("update", PROD, job.jobid)]


async def test_retry_refusals_are_api_errors(served):
    async with served.client(0) as client:
        with pytest.raises(ApiError) as locked:
            await retry_job(client, "update", 7101)  # diff 218595 locks image 1001
        with pytest.raises(ApiError) as running:
            await retry_job(client, "diff", 218595)
        served.clock.advance(30)  # every demo pipeline job has ended by then
        rerun = await retry_job(client, "diff", 218595)  # complete diffs may be retried
    assert locked.value.message == "image locked by diffid: 218595"
    assert running.value.message == "only complete or failed diffs can be retried"
    assert rerun.state.kind is StateKind.QUEUED and rerun.diffid == 218595


async def test_a_version_retry_sends_nothing(served):
    async with served.client(0) as client:
        with pytest.raises(ValueError, match="no retry endpoint") as caught:
            await retry_job(client, "version", 4244)
    assert str(caught.value) == NO_RETRY_REASON
    assert served.sim.requests.retry_calls == []


@pytest.mark.parametrize(
    ("kind", "error", "took_effect"),
    [
        (FaultKind.HTTP_503, ServerError, False),  # a gateway's answer: says nothing
        (FaultKind.HTTP_500, ServerError, False),
        (FaultKind.NOT_JSON, BadResponseError, False),
        (FaultKind.TRUNCATED_JSON, BadResponseError, True),
        (FaultKind.DROP_CONNECTION, TransportError, True),
    ],
)
async def test_retry_under_faults_is_sent_once(served, kind, error, took_effect):
    job = failed_update(served)
    served.sim.faults.add(Fault(kind, endpoint="retry", count=1))
    async with served.client(0) as client:
        with pytest.raises(error) as caught:
            await retry_job(client, "update", job.jobid)
    assert len(served.sim.requests.retry_calls) == 1  # never re-sent
    assert served.sim.requests.count("update_retry") == 1
    if isinstance(caught.value, TransportError):
        assert caught.value.request_sent is True  # the outcome is unknown
    # Whether it took effect is for the next status read to say; the simulator knows.
    assert (served.sim.pipeline.job("update", job.jobid).state == JobState.QUEUED) is took_effect


async def test_a_retry_answer_lost_to_a_timeout_is_unknown_and_not_resent(served):
    job = failed_update(served)
    served.sim.faults.add(Fault(FaultKind.SLOW, endpoint="update_retry", count=1, delay=3.0))
    async with served.client(0, read_timeout=0.3) as client:
        with pytest.raises(RequestTimeout) as caught:
            await retry_job(client, "update", job.jobid)
        settled = await pipeline_status(client, "update", job.jobid)
    assert caught.value.request_sent is True
    assert caught.value.endpoint == "retry update 91"
    assert served.sim.requests.count("update_retry") == 1
    assert settled.state.kind is StateKind.QUEUED  # it had taken effect


async def test_a_bad_job_id_is_refused_before_sending(served):
    async with served.client(0) as client:
        for bad in (0, -3, True):
            with pytest.raises(ValueError):
                await pipeline_status(client, "update", bad)
            with pytest.raises(ValueError):
                await retry_job(client, "diff", bad)
    assert served.sim.requests.count() == 0
