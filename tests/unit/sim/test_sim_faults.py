"""Every fault kind, observed the way a client sees it over real HTTP, plus targeting."""

from __future__ import annotations

import json
import time

import httpx
import pytest

from cfdash.sim import Fate, Fault, FaultKind, FaultSet, JobState, Simulator

PROD = 12345
STAGING = 23456
STAGING_KEYS = ("ak-staging", "sk-staging")


@pytest.fixture
def jobs(sim: Simulator) -> dict[str, int]:
    running = sim.add_job(PROD, kind="mirror", state=JobState.RUNNING, elapsed=60)
    pending = sim.add_job(PROD, kind="machine")
    failed = sim.add_job(PROD, state=JobState.FAILED, error="image locked by diffid: 218595")
    done = sim.add_job(PROD, state=JobState.COMPLETE)
    sim.add_job(STAGING)
    return {"running": running.jobid, "pending": pending.jobid, "failed": failed.jobid,
            "done": done.jobid}  # fmt: skip


async def test_latency_delays_but_answers(api, sim: Simulator, jobs):
    sim.faults.add(Fault(FaultKind.LATENCY, delay=0.2, count=1))
    started = time.monotonic()
    response = await api.status()
    assert time.monotonic() - started >= 0.2
    assert response.status_code == 200 and len(response.json()["installs"]) == 3


@pytest.mark.parametrize(
    ("kind", "status", "content_type"),
    [
        (FaultKind.HTTP_500, 500, "application/json"),
        (FaultKind.HTTP_502, 502, "text/html"),
        (FaultKind.HTTP_503, 503, "text/html"),
    ],
)
async def test_server_errors(api, sim: Simulator, jobs, kind, status, content_type):
    sim.faults.add(Fault(kind, count=1))
    response = await api.status()
    assert response.status_code == status
    assert response.headers["Content-Type"].startswith(content_type)


async def test_429_carries_retry_after(api, sim: Simulator, jobs):
    sim.faults.add(Fault(FaultKind.HTTP_429, retry_after=7))
    response = await api.status()
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "7"


async def test_replacements_do_not_reach_the_service(api, sim: Simulator, jobs):
    sim.faults.add(Fault(FaultKind.HTTP_503, endpoint="queue"))
    response = await api.queue(jobs["pending"])
    assert response.status_code == 503
    assert sim.job(jobs["pending"]).state == JobState.PENDING
    assert sim.requests.count("queue") == 1  # but the request was made


async def test_error_envelope_with_any_status(api, sim: Simulator, jobs):
    sim.faults.add(Fault(FaultKind.ERROR_ENVELOPE, endpoint="queue", count=1))
    sim.faults.add(Fault(FaultKind.ERROR_ENVELOPE, message="Not Found", status=404))
    first = await api.queue(jobs["pending"])
    assert first.status_code == 200
    assert first.json()["error_message"] == "image locked by diffid: 218595"
    second = await api.queue(jobs["pending"])
    assert second.status_code == 404 and second.json()["error_message"] == "Not Found"


async def test_not_json_body(api, sim: Simulator, jobs):
    sim.faults.add(Fault(FaultKind.NOT_JSON))
    response = await api.status()
    assert response.status_code == 200
    assert response.text.lstrip().startswith("<!DOCTYPE html>")
    with pytest.raises(json.JSONDecodeError):
        response.json()


async def test_truncated_json_body(api, sim: Simulator, jobs):
    sim.faults.add(Fault(FaultKind.TRUNCATED_JSON, count=1))
    cut = await api.status()
    whole = await api.status()
    assert cut.status_code == 200
    assert whole.text.startswith(cut.text) and len(cut.text) < len(whole.text)
    with pytest.raises(json.JSONDecodeError):
        cut.json()


async def test_dropped_connection_raises_on_the_client(api, sim: Simulator, jobs):
    sim.faults.add(Fault(FaultKind.DROP_CONNECTION, endpoint="queue", count=1))
    with pytest.raises(httpx.RemoteProtocolError):
        await api.queue(jobs["pending"])
    # The service had answered: the queue took effect though the client never heard.
    assert sim.job(jobs["pending"]).state == JobState.QUEUED
    assert (await api.status()).status_code == 200  # and the next request is fine


async def test_slow_response_exceeds_the_client_timeout(api, sim: Simulator, jobs):
    sim.faults.add(Fault(FaultKind.SLOW, endpoint="queue", delay=5, count=1))
    with pytest.raises(httpx.ReadTimeout):  # not the answer 5 s later: the client gave up
        await api.queue(jobs["pending"], timeout=0.3)
    assert sim.job(jobs["pending"]).state == JobState.QUEUED  # sent, then lost


async def test_numbers_as_strings(api, sim: Simulator, jobs):
    sim.faults.add(Fault(FaultKind.NUMBERS_AS_STRINGS))
    item = (await api.status()).json()["installs"][0]
    assert item["jobid"] == str(jobs["running"])
    assert isinstance(item["jobprogress"], str) and isinstance(item["jobstateid"], str)
    assert item["mirroring"] is True  # booleans stay booleans
    body = (await api.queue(jobs["pending"])).json()
    assert isinstance(body["machinejobid"], str) and body["success"] is True


async def test_repeated_keys_last_one_wins(api, sim: Simulator, jobs):
    sim.faults.add(Fault(FaultKind.REPEATED_KEYS))
    response = await api.status()
    first = response.text.split("}")[0]
    assert first.count('"jobprogress"') == 2 and first.count('"jobstatename"') == 2
    item = response.json()["installs"][0]
    assert item["jobstatename"] == "Running" and item["jobprogress"] > 0
    queued = await api.queue(jobs["pending"])
    assert queued.text.count('"success"') == 2 and queued.json()["success"] is True


async def test_extra_fields(api, sim: Simulator, jobs):
    sim.faults.add(Fault(FaultKind.EXTRA_FIELDS))
    body = (await api.status()).json()
    assert "meta" in body
    assert body["installs"][0]["diffid"] == 218595


async def test_omit_nulls(api, sim: Simulator, jobs):
    sim.faults.add(Fault(FaultKind.OMIT_NULLS))
    items = {i["jobid"]: i for i in (await api.status()).json()["installs"]}
    assert "jobstart" not in items[jobs["pending"]]
    assert "jobeta" not in items[jobs["pending"]]
    assert "jobstart" in items[jobs["running"]]


async def test_unknown_state_for_one_job(api, sim: Simulator, jobs):
    sim.faults.add(Fault(FaultKind.UNKNOWN_STATE, jobid=jobs["pending"]))
    items = {i["jobid"]: i for i in (await api.status()).json()["installs"]}
    assert (items[jobs["pending"]]["jobstateid"], items[jobs["pending"]]["jobstatename"]) == (
        9,
        "Exploded",
    )
    assert items[jobs["running"]]["jobstateid"] == 4


async def test_complete_name_keeps_completed_jobs_listed(api, sim: Simulator, jobs):
    sim.faults.add(Fault(FaultKind.COMPLETE_NAME))
    items = {i["jobid"]: i for i in (await api.status()).json()["installs"]}
    assert items[jobs["done"]]["jobstatename"] == "Complete"
    assert items[jobs["done"]]["jobstateid"] == 5


async def test_hide_failed(api, sim: Simulator, jobs):
    sim.faults.add(Fault(FaultKind.HIDE_FAILED))
    ids = [i["jobid"] for i in (await api.status()).json()["installs"]]
    assert jobs["failed"] not in ids and jobs["running"] in ids


async def test_fault_targets_endpoint_account_and_count(api, sim: Simulator, jobs):
    sim.faults.add(Fault(FaultKind.HTTP_503, endpoint="status", asid=STAGING, count=2))
    assert (await api.status()).status_code == 200
    assert (await api.queue(jobs["pending"])).status_code == 200
    staging = [(await api.status(asid=STAGING, auth=STAGING_KEYS)).status_code for _ in range(3)]
    assert staging == [503, 503, 200]
    assert len(sim.faults) == 0


async def test_quirks_leave_error_envelopes_alone(api, sim: Simulator, jobs):
    sim.faults.add(Fault(FaultKind.NUMBERS_AS_STRINGS))
    body = (await api.queue(jobs["done"])).json()
    assert body["error_code"] == 1


async def test_faults_switch_on_and_off_while_serving(api, sim: Simulator, jobs):
    sim.faults.add(Fault(FaultKind.HTTP_500))
    assert (await api.status()).status_code == 500
    assert (await api.status()).status_code == 500
    sim.faults.clear()
    assert (await api.status()).status_code == 200


def test_plan_first_replacement_wins_and_only_used_faults_count():
    faults = FaultSet()
    latency = faults.add(Fault(FaultKind.LATENCY, delay=0.5, count=2))
    faults.add(Fault(FaultKind.HTTP_502, count=1))
    faults.add(Fault(FaultKind.HTTP_503, count=1))
    truncated = faults.add(Fault(FaultKind.TRUNCATED_JSON, count=1))
    plan = faults.plan("status", PROD)
    assert plan.latency == 0.5
    assert plan.replacement is not None and plan.replacement.kind == FaultKind.HTTP_502
    assert plan.damage is None
    plan = faults.plan("status", PROD)
    assert plan.replacement is not None and plan.replacement.kind == FaultKind.HTTP_503
    plan = faults.plan("status", PROD)
    assert plan.latency == 0 and plan.replacement is None
    assert plan.damage is not None and plan.damage.id == truncated.id
    assert latency.id not in {f.id for f in faults.active}
    assert len(faults) == 0


def test_queue_faults_can_target_one_job():
    faults = FaultSet()
    faults.add(Fault(FaultKind.HTTP_500, endpoint="queue", jobid=42))
    assert faults.plan("queue", PROD, 41).replacement is None
    assert faults.plan("queue", PROD, 42).replacement is not None
    assert faults.plan("status", PROD).replacement is None


def test_fault_round_trips_through_json():
    fault = Fault.from_json({"kind": "http_429", "endpoint": "status", "retry_after": 3})
    data = fault.to_json()
    assert data["kind"] == "http_429" and data["retry_after"] == 3
    assert data["remaining"] is None


async def test_queue_then_run_is_unaffected_by_quirks(api, sim: Simulator, jobs, clock):
    sim.job(jobs["pending"]).fate = Fate(duration=10, queue_delay=0)
    sim.faults.add(Fault(FaultKind.EXTRA_FIELDS))
    await api.queue(jobs["pending"])
    clock.advance(11)
    assert sim.job(jobs["pending"]).state == JobState.COMPLETE
