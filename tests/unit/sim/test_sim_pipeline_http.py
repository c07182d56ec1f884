"""The simulator's pipeline and image endpoints over real HTTP: auth, answers, faults, counts."""

from __future__ import annotations

import json

import httpx
import pytest

from cfdash.sim import ENDPOINTS, Fault, FaultKind, JobState, Simulator, parse_bearer_token

PROD = 12345
KEYS = ("ak-production", "sk-production")
TOKEN = "tok-production-0123"

#: One request to each new endpoint, as (recorder name, path, query).
CALLS = [
    ("update_status", "/cfp/v1/imageupdate/91/status", {}),
    ("diff_status", "/cfp/v1/imagediff/92/status", {"diff_info": "1"}),
    ("version_status", "/cfp/v1/imageversion/93/status", {}),
    ("update_retry", "/cfp/v1/imageupdate/91/retry", {}),
    ("diff_retry", "/cfp/v1/imagediff/92/retry", {}),
    ("image_status", f"/cfp/v2/project/{PROD}/image/1001/status", {"detail": "true"}),
]


@pytest.fixture
def world(sim: Simulator) -> Simulator:
    """Production with a token too: a failed update 91 and a version 93 of image 1001, and a
    failed diff 92 of image 1002 (so its lock does not stand in the update's way)."""
    sim.accounts[PROD].token = TOKEN
    sim.pipeline.add_image(PROD, 1001)
    sim.pipeline.add_update(PROD, 1001, jobid=91, state=JobState.FAILED)
    sim.pipeline.add_diff(PROD, 1002, jobid=92, state=JobState.FAILED)
    sim.pipeline.add_version(PROD, 1001, jobid=93, state=JobState.RUNNING)
    return sim


async def get(api, path: str, query: dict | None = None, **kw) -> httpx.Response:
    params = {"accountserviceid": PROD, **(query or {})}
    kw.setdefault("auth", KEYS)
    return await api.client.get(path, params=params, **kw)


def bearer(token: str = TOKEN) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_a_bearer_token_signs_in_like_keys(api, world):
    for _, path, query in CALLS:
        response = await get(api, path, query, auth=None, headers=bearer())
        assert response.status_code == 200, path
        assert response.json().get("error") is not True, path
    refused = await get(api, CALLS[0][1], auth=None, headers=bearer("tok-wrong"))
    assert refused.status_code == 401 and refused.json()["error_message"] == "Forbidden"
    assert refused.headers["WWW-Authenticate"].startswith("Bearer")
    listed = await api.status(auth=None, headers=bearer())
    assert listed.status_code == 200


async def test_a_token_opens_only_its_account(api, world):
    other = await api.status(asid=23456, auth=None, headers=bearer())
    assert other.status_code == 403
    path = "/cfp/v2/project/23456/image/1001/status"
    assert (await get(api, path, auth=None, headers=bearer())).status_code == 403


def test_parse_bearer_token():
    assert parse_bearer_token("Bearer abc.def") == "abc.def"
    assert parse_bearer_token("bearer  abc ") == "abc"
    for header in (None, "", "Bearer", "Bearer a b", "Basic abc", "Token abc"):
        assert parse_bearer_token(header) is None


async def test_each_endpoint_answers_its_shape(api, world):
    update = (await get(api, "/cfp/v1/imageupdate/91/status")).json()
    assert update["updateid"] == 91 and update["jobstatename"] == "Failed"
    diff = (await get(api, "/cfp/v1/imagediff/92/status", {"diff_info": "1"})).json()
    assert diff["diffid"] == 92 and {"added", "modified", "removed", "game"} <= set(diff)
    version = (await get(api, "/cfp/v1/imageversion/93/status")).json()
    assert version["imageversionid"] == 93 and version["jobstatename"] == "Running"
    retried = (await get(api, "/cfp/v1/imageupdate/91/retry")).json()
    assert retried["success"] is True and retried["jobstatename"] == "Queued"
    no_retry = await get(api, "/cfp/v1/imageversion/93/retry")
    assert no_retry.status_code == 404 and no_retry.json()["error"] is True


async def test_image_status_with_and_without_detail(api, world):
    path = f"/cfp/v2/project/{PROD}/image/1001/status"
    detailed = (await get(api, path, {"detail": "true"})).json()
    plain = (await get(api, path, {"detail": "false"})).json()
    default = (await api.client.get(path, auth=KEYS)).json()  # no accountserviceid: in the path
    assert (
        set(plain) == set(default) == {"pending_machines", "failed_machines", "completed_machines"}
    )
    assert detailed["fleets"] and plain["pending_machines"] == detailed["pending_machines"]
    region = next(iter(next(iter(detailed["fleets"].values()))["regions"].values()))
    assert region["name"] == "EU West"
    bad = await get(api, path, {"detail": "maybe"})
    assert bad.status_code == 400 and bad.json()["error"] is True
    missing = (await get(api, f"/cfp/v2/project/{PROD}/image/4/status")).json()
    assert missing["error_message"] == "No rows in result set"


async def test_requests_and_retries_are_recorded(api, world):
    for _, path, query in CALLS:
        await get(api, path, query)
    await get(api, "/cfp/v1/imageupdate/91/status")
    recorder = world.requests
    assert recorder.count("update_status", PROD) == 2
    assert recorder.count("update_status", jobid=91) == 2
    assert recorder.count("image_status", PROD, jobid=1001) == 1
    assert [(c.stage, c.jobid) for c in recorder.retry_calls] == [("update", 91), ("diff", 92)]
    dumped = (await api.client.get("/_sim/requests")).json()
    assert dumped["retry_calls"] == [
        {"stage": "update", "asid": PROD, "jobid": 91},
        {"stage": "diff", "asid": PROD, "jobid": 92},
    ]
    assert {row["endpoint"] for row in dumped["counts"]} == set(ENDPOINTS) - {"status", "queue"}


@pytest.mark.parametrize(("endpoint", "path", "query"), CALLS)
async def test_every_fault_kind_applies_to_every_new_endpoint(api, world, endpoint, path, query):
    for sent, kind in enumerate(FaultKind, start=1):
        added = world.faults.add(Fault(kind, endpoint=endpoint, count=1, delay=0.01))
        try:
            await get(api, path, query)
        except httpx.HTTPError:
            assert kind is FaultKind.DROP_CONNECTION
        assert added.id not in {f.id for f in world.faults.active}, kind  # used up by it
        assert world.requests.count(endpoint) == sent


async def test_fault_groups_and_targets(api, world):
    world.faults.add(Fault(FaultKind.HTTP_503, endpoint="both"))  # the install API only
    world.faults.add(Fault(FaultKind.HTTP_502, endpoint="retry", jobid=92))
    world.faults.add(Fault(FaultKind.HTTP_500, endpoint="pipeline", asid=23456))
    assert (await api.status()).status_code == 503
    assert (await get(api, "/cfp/v1/imageupdate/91/status")).status_code == 200
    assert (await get(api, "/cfp/v1/imageupdate/91/retry")).status_code == 200
    assert (await get(api, "/cfp/v1/imagediff/92/retry")).status_code == 502
    assert world.pipeline.job("diff", 92).attempt == 0  # a replacement never reaches the model
    world.faults.clear()
    world.faults.add(Fault(FaultKind.HTTP_429, endpoint="all", count=2))
    assert (await get(api, *CALLS[5][1:])).status_code == 429
    assert (await api.status()).status_code == 429
    with pytest.raises(ValueError, match="endpoint must be one of"):
        Fault(FaultKind.HTTP_500, endpoint="images")  # type: ignore[arg-type]
    posted = await api.client.post(
        "/_sim/faults", json={"kind": "not_json", "endpoint": "image_status"}
    )
    assert posted.status_code == 201


async def test_image_quirks(api, world):
    path, query = CALLS[5][1], CALLS[5][2]
    world.faults.add(Fault(FaultKind.NUMBERS_AS_STRINGS, endpoint="image_status", count=1))
    strings = (await get(api, path, query)).json()
    fleet = next(iter(strings["fleets"].values()))
    assert isinstance(strings["pending_machines"], str)
    assert isinstance(next(iter(fleet["regions"].values()))["completed_machines"], str)
    world.faults.add(Fault(FaultKind.OMIT_NULLS, endpoint="image_status", count=1))
    bare = (await get(api, path, query)).json()
    assert all("regions" not in fleet for fleet in bare["fleets"].values())
    world.faults.add(Fault(FaultKind.REPEATED_KEYS, endpoint="image_status", count=1))
    text = (await get(api, path, query)).text
    assert text.count('"pending_machines"') > len(bare["fleets"]) + 1
    assert json.loads(text)["pending_machines"] == bare["pending_machines"]
    world.faults.add(Fault(FaultKind.EXTRA_FIELDS, endpoint="image_status", count=1))
    assert (await get(api, path, query)).json()["beta"] is True


async def test_state_dump_over_http_shows_the_pipeline(api, world):
    state = (await api.client.get("/_sim/state")).json()
    assert {(j["stage"], j["asid"]) for j in state["pipeline"]} == {
        ("update", PROD),
        ("diff", PROD),
        ("version", PROD),
    }
    assert state["images"][0]["imageid"] == 1001
    assert TOKEN not in json.dumps(state)
