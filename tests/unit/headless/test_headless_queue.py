"""``cfdash queue`` against the simulator over real HTTP: results, refusals, never a retry."""

from __future__ import annotations

import io
import socket

import pytest
from pydantic import SecretStr

from cfdash.config import JobEntry
from cfdash.demo import demo_settings
from cfdash.headless import EXIT_API, EXIT_FAILED, EXIT_OK, EXIT_USAGE, HeadlessError, run_queue
from cfdash.sim import Fault, FaultKind, JobState, demo_accounts

ASID = {account.name: account.asid for account in demo_accounts(3)}
# The demo's scripted jobs (see cfdash.sim.demo): kind and state do not depend on the seed.
PRODUCTION_FAILED, PRODUCTION_CREATED, PRODUCTION_RUNNING = 5551007, 5551010, 5551001
STAGING_PENDING_MIRROR = 5551008


async def queue(served, account, jobids=(), settings=None, **kwargs) -> tuple[int, str]:
    out = io.StringIO()
    code = await run_queue(
        settings or demo_settings(served.base_url),
        account,
        jobids,
        clock=served.clock,
        out=out,
        **kwargs,
    )
    return code, out.getvalue()


async def test_queues_a_mirror_job_and_a_machine_job(served):
    code, out = await queue(served, "staging", [STAGING_PENDING_MIRROR])
    assert code == EXIT_OK
    assert out.startswith(f"staging/{STAGING_PENDING_MIRROR}: queued (Queued), versionmirrorid ")
    code, out = await queue(served, "production", [PRODUCTION_CREATED])
    assert code == EXIT_OK
    assert f"production/{PRODUCTION_CREATED}: queued (Queued), machinejobid " in out
    assert "squashed" in out
    calls = [(c.jobid, c.mirroring) for c in served.sim.requests.queue_calls]
    assert calls == [(STAGING_PENDING_MIRROR, True), (PRODUCTION_CREATED, False)]
    assert served.sim.job(PRODUCTION_CREATED).state == JobState.QUEUED


async def test_each_job_is_queued_once_even_if_named_twice(served):
    code, out = await queue(served, "production", [PRODUCTION_CREATED, PRODUCTION_CREATED])
    assert code == EXIT_OK and out.count("queued") == 1
    assert served.sim.requests.count("queue") == 1


async def test_an_explicit_flag_sends_no_status_request(served):
    code, _ = await queue(served, "staging", [STAGING_PENDING_MIRROR], mirroring="true")
    assert code == EXIT_OK
    assert served.sim.requests.count("status") == 0
    assert served.sim.requests.queue_calls[0].mirroring is True


async def test_an_api_refusal_exits_1_with_its_message(served):
    served.sim.faults.add(Fault(FaultKind.ERROR_ENVELOPE, endpoint="queue", count=1))
    code, out = await queue(served, "production", [PRODUCTION_CREATED])
    assert code == EXIT_FAILED
    assert out == f"production/{PRODUCTION_CREATED}: refused: image locked by diffid: 218595\n"
    assert served.sim.requests.count("queue") == 1


async def test_failed_queues_every_failed_job_of_the_account_once(served):
    extra = served.sim.add_job(ASID["production"], kind="machine", state=JobState.FAILED)
    served.sim.add_job(ASID["staging"], kind="machine", state=JobState.FAILED)  # not this one
    code, out = await queue(served, "production", failed=True)
    assert code == EXIT_OK
    queued = sorted(call.jobid for call in served.sim.requests.queue_calls)
    assert queued == sorted([PRODUCTION_FAILED, extra.jobid])
    assert served.sim.requests.count("status") == 1
    assert out.count("queued (Queued)") == 2


async def test_failed_with_no_failed_jobs_sends_nothing(served):
    code, out = await queue(served, "staging", failed=True)
    assert code == EXIT_OK and "no failed jobs" in out
    assert served.sim.requests.count("queue") == 0


async def test_a_dropped_connection_is_outcome_unknown_exit_3_and_never_resent(served):
    served.sim.faults.add(Fault(FaultKind.DROP_CONNECTION, endpoint="queue", count=1))
    code, out = await queue(served, "production", [PRODUCTION_CREATED])
    assert code == EXIT_API
    assert "outcome unknown" in out and "not retried" in out
    assert served.sim.requests.count("queue") == 1


async def test_an_unreachable_service_exits_3(served):
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = demo_settings(f"http://127.0.0.1:{port}")
    code, out = await queue(served, "production", [PRODUCTION_CREATED], settings, mirroring="false")
    assert code == EXIT_API and "not sent (unreachable" in out
    with pytest.raises(HeadlessError, match="could not read production's status list") as error:
        await queue(served, "production", [PRODUCTION_CREATED], settings)
    assert error.value.code == EXIT_API


async def test_rejected_keys_stop_after_the_first_job(served):
    settings = demo_settings(served.base_url)
    bad = settings.accounts["production"].model_copy(update={"secret_key": SecretStr("nope")})
    settings = settings.model_copy(update={"accounts": {"production": bad}})
    code, out = await queue(
        served, "production", [PRODUCTION_CREATED, PRODUCTION_FAILED], settings, mirroring="false"
    )
    assert code == EXIT_API
    assert "credentials rejected" in out.splitlines()[0]
    assert out.splitlines()[1] == f"production/{PRODUCTION_FAILED}: not sent (credentials rejected)"
    assert served.sim.requests.count("queue") == 1
    assert "nope" not in out


@pytest.mark.parametrize("where", ["flag", "config"])
async def test_read_only_refuses_without_sending_anything(served, where):
    settings = demo_settings(served.base_url)
    if where == "flag":
        settings = settings.with_overrides(read_only=True)
    else:
        prod = settings.accounts["production"].model_copy(update={"read_only": True})
        settings = settings.model_copy(update={"accounts": {"production": prod}})
    with pytest.raises(HeadlessError, match="read-only") as error:
        await queue(served, "production", [PRODUCTION_CREATED], settings)
    assert error.value.code == EXIT_USAGE
    assert served.sim.requests.count() == 0


async def test_auto_needs_the_job_in_the_status_list_or_the_config(served):
    with pytest.raises(HeadlessError, match="424242 is not in production's status list") as error:
        await queue(served, "production", [PRODUCTION_CREATED, 424242])
    assert error.value.code == EXIT_USAGE
    assert served.sim.requests.count("queue") == 0  # the listed one was not sent either
    # A flag set in the config serves when the list does not have the job.
    settings = demo_settings(served.base_url)
    prod = settings.accounts["production"].model_copy(
        update={"jobs": (JobEntry(id=424242, mirroring=True),)}
    )
    settings = settings.model_copy(update={"accounts": {"production": prod}})
    code, out = await queue(served, "production", [424242], settings)
    assert code == EXIT_FAILED and "refused: No rows in result set" in out
    assert served.sim.requests.queue_calls[-1].mirroring is True


@pytest.mark.parametrize(
    ("jobids", "kwargs", "message"),
    [
        ([], {}, "say which jobs"),
        ([PRODUCTION_CREATED], {"failed": True}, "not both"),
        ([], {"failed": True, "mirroring": "true"}, "--failed takes"),
    ],
)
async def test_argument_mistakes_send_nothing(served, jobids, kwargs, message):
    with pytest.raises(HeadlessError, match=message):
        await queue(served, "production", jobids, **kwargs)
    assert served.sim.requests.count() == 0
