"""``cfdash queue`` against the simulator over real HTTP: results, refusals, never a retry."""

from __future__ import annotations

import asyncio
import io
import json
import socket

import pytest
from pydantic import SecretStr

from cfdash.config import JobEntry
from cfdash.demo import demo_settings
from cfdash.engine.audit import AuditLog
from cfdash.headless import EXIT_API, EXIT_FAILED, EXIT_OK, EXIT_USAGE, HeadlessError, run_queue
from cfdash.sim import Fault, FaultKind, JobState, demo_accounts

ASID = {account.name: account.asid for account in demo_accounts(3)}
# The demo's scripted jobs (see cfdash.sim.demo): kind and state do not depend on the seed.
PRODUCTION_FAILED, PRODUCTION_CREATED, PRODUCTION_RUNNING = 5551007, 5551010, 5551001
PRODUCTION_QUEUED = 5551004
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


async def test_the_list_is_read_first_and_an_explicit_flag_beats_it(served):
    code, out = await queue(served, "staging", [STAGING_PENDING_MIRROR], mirroring="false")
    assert served.sim.requests.count("status") == 1  # read first, to warn
    assert served.sim.requests.queue_calls[0].mirroring is False  # the list says true
    # The service answers a wrong flag with "No rows in result set": its refusal, exit 1.
    assert code == EXIT_FAILED and "refused: No rows in result set" in out


async def test_running_and_queued_jobs_are_skipped_unless_forced(served):
    jobs = [PRODUCTION_RUNNING, PRODUCTION_QUEUED, PRODUCTION_CREATED]
    code, out = await queue(served, "production", jobs)
    assert code == EXIT_FAILED  # skipped by cfdash counts as refused
    lines = out.splitlines()
    assert lines[0] == (
        f"production/{PRODUCTION_RUNNING}: skipped: it is Running (pass --force to queue it anyway)"
    )
    assert lines[1].startswith(f"production/{PRODUCTION_QUEUED}: skipped: it is Queued")
    assert lines[2].startswith(f"production/{PRODUCTION_CREATED}: queued (Queued)")
    assert [c.jobid for c in served.sim.requests.queue_calls] == [PRODUCTION_CREATED]

    code, out = await queue(served, "production", [PRODUCTION_RUNNING], force=True)
    assert "skipped" not in out and out.startswith(f"production/{PRODUCTION_RUNNING}: ")
    assert served.sim.requests.queue_calls[-1].jobid == PRODUCTION_RUNNING
    assert served.sim.requests.count("queue") == 2


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


@pytest.mark.parametrize(
    "kind",
    [
        FaultKind.HTTP_503,
        FaultKind.HTTP_500,
        FaultKind.HTTP_502,
        FaultKind.NOT_JSON,
        FaultKind.TRUNCATED_JSON,
        FaultKind.DROP_CONNECTION,
    ],
    ids=str,
)
async def test_a_lost_answer_is_outcome_unknown_exit_3_and_never_resent(served, kind):
    served.sim.faults.add(Fault(kind, endpoint="queue"))  # every queue call, not just one
    code, out = await queue(served, "production", [PRODUCTION_CREATED])
    assert code == EXIT_API
    assert out.startswith(f"production/{PRODUCTION_CREATED}: outcome unknown (")
    assert "not retried" in out and ": failed" not in out  # never "failed: server error"
    assert served.sim.requests.count("queue") == 1


async def test_the_exit_status_is_the_worst_of_the_jobs(served):
    # queued (0) + not found (1) -> 1
    code, out = await queue(served, "production", [PRODUCTION_CREATED, 424242])
    assert code == EXIT_FAILED
    assert f"production/{PRODUCTION_CREATED}: queued" in out
    # ... + an unknown outcome (3) -> 3, whatever order the jobs come in.
    served.sim.faults.add(Fault(FaultKind.HTTP_503, endpoint="queue", jobid=PRODUCTION_FAILED))
    code, out = await queue(served, "production", [PRODUCTION_FAILED, 424242])
    assert code == EXIT_API
    assert f"production/{PRODUCTION_FAILED}: outcome unknown (server error 503" in out


async def test_every_request_sent_goes_to_the_audit_trail(served, tmp_path):
    audit = AuditLog(tmp_path / "audit.jsonl", origin="cfdash queue", user="alice")
    served.sim.faults.add(Fault(FaultKind.HTTP_503, endpoint="queue", jobid=PRODUCTION_FAILED))
    jobs = [PRODUCTION_CREATED, PRODUCTION_FAILED, PRODUCTION_RUNNING, 424242]
    code, _ = await queue(served, "production", jobs, audit=audit)
    assert code == EXIT_API
    lines = [json.loads(line) for line in audit.path.read_text().splitlines()]
    assert [(r["job"], r["action"], r["outcome"]) for r in lines] == [
        (PRODUCTION_CREATED, "queue", "queued"),
        (PRODUCTION_FAILED, "queue", "unknown"),
    ]  # the skipped and the not-found jobs were never sent, so they are not in it
    assert lines[0]["mirroring"] is False and lines[0]["user"] == "alice"
    assert lines[0]["answer"].startswith("queued (Queued), machinejobid")
    assert lines[1]["answer"] == "unknown" and lines[1]["origin"] == "cfdash queue"
    assert lines[0]["account"] == "production" and lines[0]["time"].endswith("Z")
    [entry] = audit.for_job(("production", "install", PRODUCTION_FAILED))
    assert entry.describe() == (
        f"alice queued production/{PRODUCTION_FAILED} (mirroring false): unknown"
    )


async def test_ctrl_c_with_a_request_in_flight_names_its_unknown_outcome(served, tmp_path):
    """Ctrl+C cancels the command's task (``asyncio.run`` does that on SIGINT)."""
    sent = asyncio.Event()
    record = served.sim.requests.record_queue

    def recording(*args):
        record(*args)
        sent.set()

    served.sim.requests.record_queue = recording
    served.sim.faults.add(Fault(FaultKind.LATENCY, endpoint="queue", delay=30))
    audit = AuditLog(tmp_path / "audit.jsonl")
    out = io.StringIO()
    command = asyncio.create_task(
        run_queue(
            demo_settings(served.base_url),
            "production",
            [PRODUCTION_CREATED, PRODUCTION_FAILED],
            clock=served.clock,
            out=out,
            audit=audit,
        )
    )
    await sent.wait()
    command.cancel()
    with pytest.raises(asyncio.CancelledError):
        await command
    assert out.getvalue().splitlines() == [
        f"production/{PRODUCTION_CREATED}: outcome unknown (interrupted while the request was "
        "in flight); not retried — `cfdash status` will show whether it was queued",
        f"production/{PRODUCTION_FAILED}: not sent (interrupted)",
    ]
    assert served.sim.requests.count("queue") == 1
    [entry] = audit.last()
    assert (entry.job, entry.outcome, entry.answer) == (PRODUCTION_CREATED, "unknown", "unknown")


async def test_an_unreachable_service_exits_3(served):
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = demo_settings(f"http://127.0.0.1:{port}")
    for mirroring in ("false", "auto"):
        with pytest.raises(HeadlessError, match="could not read production's status list") as error:
            await queue(served, "production", [PRODUCTION_CREATED], settings, mirroring=mirroring)
        assert error.value.code == EXIT_API and "nothing was queued" in str(error.value)


async def test_rejected_keys_send_nothing(served):
    settings = demo_settings(served.base_url)
    bad = settings.accounts["production"].model_copy(update={"secret_key": SecretStr("nope")})
    settings = settings.model_copy(update={"accounts": {"production": bad}})
    with pytest.raises(HeadlessError, match="credentials rejected") as error:
        await queue(served, "production", [PRODUCTION_CREATED], settings, mirroring="false")
    assert error.value.code == EXIT_API and "nope" not in str(error.value)
    assert served.sim.requests.count("queue") == 0


async def test_keys_rejected_on_the_queue_call_stop_after_the_first_job(served):
    served.sim.faults.add(
        Fault(FaultKind.ERROR_ENVELOPE, endpoint="queue", message="Forbidden", status=403)
    )
    code, out = await queue(served, "production", [PRODUCTION_CREATED, PRODUCTION_FAILED])
    assert code == EXIT_API
    lines = out.splitlines()
    assert lines[0].startswith(f"production/{PRODUCTION_CREATED}: not queued: credentials rejected")
    assert lines[1] == f"production/{PRODUCTION_FAILED}: not sent (credentials rejected)"
    assert served.sim.requests.count("queue") == 1


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


async def test_a_job_not_in_the_list_is_not_found_and_not_sent(served):
    staging_job = 5551011  # another account's job
    for settings_jobs in ((), (JobEntry(id=424242, mirroring=True),)):  # a flag changes nothing
        settings = demo_settings(served.base_url)
        prod = settings.accounts["production"].model_copy(update={"jobs": settings_jobs})
        settings = settings.model_copy(update={"accounts": {"production": prod}})
        code, out = await queue(
            served, "production", [424242, staging_job], settings, mirroring="true"
        )
        assert code == EXIT_FAILED
        lines = out.splitlines()
        assert lines[0] == (
            "production/424242: not found in production's status list (a wrong id, another "
            "account's job, or it finished before cfdash started); not sent"
        )
        assert lines[1].startswith(f"production/{staging_job}: not found in production's")
    assert served.sim.requests.count("queue") == 0


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
