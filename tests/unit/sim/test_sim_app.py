"""The simulator over real HTTP on 127.0.0.1: auth, the two endpoints, admin, counters."""

from __future__ import annotations

import base64

import httpx
import pytest

from cfdash.sim import FakeClock, Fate, JobState, QueueCall, RunningServer, Simulator
from cfdash.sim.app import parse_basic_auth

PROD = 12345
STAGING = 23456


def _forbidden(response: httpx.Response) -> None:
    body = response.json()
    assert body["error_message"] == "Forbidden"
    assert body["success"] is False and body["error"] is True


async def test_no_credentials_is_401(api, sim: Simulator):
    response = await api.status(auth=None)
    assert response.status_code == 401
    _forbidden(response)


async def test_bad_keys_are_401(api):
    response = await api.status(auth=("ak-production", "wrong"))
    assert response.status_code == 401
    _forbidden(response)


@pytest.mark.parametrize(
    "header",
    [
        "Basic",
        "Basic !!!not-base64!!!",
        "Basic " + base64.b64encode(b"no-colon-here").decode(),
        "Basic " + base64.b64encode(b"\xff\xfe:\x00").decode(),
        "Bearer abc",
        "Basic " + base64.b64encode(b":secret-only").decode(),
        "Basic \u00e9\u00e9",
    ],
)
async def test_malformed_auth_headers_are_401_not_500(api, header: str):
    response = await api.client.get(
        "/cfp/v1/imageinstall/status",
        params={"accountserviceid": PROD},
        headers={"Authorization": header.encode("utf-8")},
    )
    assert response.status_code == 401
    _forbidden(response)


def test_parse_basic_auth():
    token = base64.b64encode(b"access:sec:ret").decode()
    assert parse_basic_auth(f"basic {token}") == ("access", "sec:ret")
    assert parse_basic_auth(None) is None


async def test_keys_without_access_to_the_asid_are_403(api, sim: Simulator):
    sim.add_job(STAGING)
    response = await api.status(asid=STAGING)
    assert response.status_code == 403
    _forbidden(response)
    unknown = await api.status(asid=99999)
    assert unknown.status_code == 403


@pytest.mark.parametrize("asid", [None, "", "abc", "-5", "12.5"])
async def test_missing_or_invalid_asid_is_400(api, asid):
    params = {} if asid is None else {"accountserviceid": asid}
    response = await api.client.get(
        "/cfp/v1/imageinstall/status", params=params, auth=("ak-production", "sk-production")
    )
    assert response.status_code == 400
    assert response.json()["error"] is True


async def test_status_lists_the_accounts_incomplete_jobs(api, sim: Simulator):
    pending = sim.add_job(PROD, kind="mirror")
    failed = sim.add_job(PROD, state=JobState.FAILED, error="disk full on machine 4411")
    sim.add_job(PROD, state=JobState.COMPLETE)
    sim.add_job(STAGING)
    response = await api.status()
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    installs = response.json()["installs"]
    assert [i["jobid"] for i in installs] == [pending.jobid, failed.jobid]
    assert installs[0]["mirroring"] is True
    assert installs[1]["joberror"] == "disk full on machine 4411"


async def test_queue_machine_and_mirror_shapes(api, sim: Simulator):
    machine = sim.add_job(PROD, kind="machine")
    mirror = sim.add_job(PROD, kind="mirror")
    body = (await api.queue(machine.jobid, mirroring=False)).json()
    assert body["success"] is True and body["jobstatename"] == "Queued"
    assert isinstance(body["machinejobid"], int) and body["installs_squashed"] == 0
    body = (await api.queue(mirror.jobid, mirroring=True)).json()
    assert body["success"] is True and isinstance(body["versionmirrorid"], int)


async def test_queue_errors_are_envelopes_with_200(api, sim: Simulator):
    job = sim.add_job(PROD, kind="machine")
    done = sim.add_job(PROD, state=JobState.COMPLETE)
    wrong_flag = await api.queue(job.jobid, mirroring=True)
    assert wrong_flag.status_code == 200
    assert wrong_flag.json()["error_message"] == "No rows in result set"
    finished = await api.queue(done.jobid)
    assert finished.status_code == 200
    assert finished.json()["error_message"] == "job already finished"


async def test_queue_bad_arguments_are_400(api, sim: Simulator):
    job = sim.add_job(PROD)
    assert (await api.queue("abc")).status_code == 400
    assert (await api.queue(job.jobid, mirroring="maybe")).status_code == 400
    assert (await api.queue(job.jobid, asid=STAGING)).status_code == 403
    assert sim.job(job.jobid).state == JobState.PENDING


async def test_unknown_path_is_a_404_envelope(api):
    response = await api.client.get("/cfp/v1/nothing")
    assert response.status_code == 404
    assert response.json()["error"] is True


async def test_request_counters(api, sim: Simulator):
    job = sim.add_job(PROD, kind="mirror")
    await api.status()
    await api.status()
    await api.status(asid=STAGING, auth=("ak-staging", "sk-staging"))
    await api.queue(job.jobid, mirroring=True)
    assert sim.requests.counts["status", PROD] == 2
    assert sim.requests.counts["status", STAGING] == 1
    assert sim.requests.count("queue") == 1
    assert sim.requests.queue_calls == [QueueCall(PROD, job.jobid, True)]

    over_http = (await api.client.get("/_sim/requests")).json()
    assert {"endpoint": "queue", "asid": PROD, "count": 1} in over_http["counts"]
    assert over_http["queue_calls"] == [{"asid": PROD, "jobid": job.jobid, "mirroring": True}]
    await api.client.delete("/_sim/requests")
    assert sim.requests.count() == 0


async def test_admin_state_and_faults(api, sim: Simulator):
    sim.add_job(PROD)
    state = (await api.client.get("/_sim/state")).json()
    assert [a["asid"] for a in state["accounts"]] == [PROD, STAGING]
    assert "secret_key" not in state["accounts"][0]
    assert len(state["jobs"]) == 1

    added = await api.client.post(
        "/_sim/faults", json={"kind": "http_503", "endpoint": "status", "count": 1}
    )
    assert added.status_code == 201
    assert (await api.client.get("/_sim/faults")).json()["faults"][0]["kind"] == "http_503"
    assert (await api.status()).status_code == 503
    assert (await api.status()).status_code == 200  # count=1 used up

    await api.client.post("/_sim/faults", json={"kind": "http_500"})
    assert (await api.status()).status_code == 500
    cleared = await api.client.delete("/_sim/faults")
    assert cleared.json() == {"faults": []}
    assert (await api.status()).status_code == 200

    fault = (await api.client.post("/_sim/faults", json={"kind": "http_502"})).json()
    assert (await api.client.delete(f"/_sim/faults/{fault['id']}")).status_code == 200
    assert (await api.client.delete(f"/_sim/faults/{fault['id']}")).status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        {"kind": "nonsense"},
        {"endpoint": "status"},
        {"kind": "latency", "delay": -1},
        {"kind": "latency", "colour": "red"},
        {"kind": "http_500", "count": 0},
        {"kind": "http_500", "endpoint": "everything"},
        ["http_500"],
    ],
)
async def test_admin_rejects_bad_faults(api, body):
    response = await api.client.post("/_sim/faults", json=body)
    assert response.status_code == 400
    assert response.json()["error"]


async def test_admin_rejects_non_json(api):
    response = await api.client.post("/_sim/faults", content=b"<xml/>")
    assert response.status_code == 400


async def test_admin_clock_advance(api, sim: Simulator, clock: FakeClock):
    job = sim.add_job(PROD, fate=Fate(duration=100, queue_delay=0))
    await api.queue(job.jobid)
    response = await api.client.post("/_sim/clock/advance", params={"seconds": 150})
    assert response.status_code == 200
    assert response.json()["now"] == clock()
    assert (await api.status()).json()["installs"] == []
    bad = await api.client.post("/_sim/clock/advance", params={"seconds": "soon"})
    assert bad.status_code == 400


async def test_admin_clock_advance_needs_a_fake_clock():
    sim = Simulator()
    from cfdash.sim import start_server

    server: RunningServer = await start_server(sim)
    try:
        async with httpx.AsyncClient(base_url=server.base_url) as client:
            response = await client.post("/_sim/clock/advance", params={"seconds": 1})
        assert response.status_code == 409
    finally:
        await server.stop()
