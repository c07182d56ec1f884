"""``cfdash status`` and fleet readiness, against the simulator over real HTTP."""

from __future__ import annotations

import io
import json

from cfdash.demo import demo_settings
from cfdash.headless import EXIT_API, EXIT_OK, run_status
from cfdash.sim import Fault, FaultKind
from cfdash.sim.demo import DEMO_IMAGE, DEMO_IMAGE_LABEL

PROD = 12345


async def status(served, settings=None, **kwargs) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    settings = settings or demo_settings(served.base_url, pipeline=True)
    code = await run_status(settings, clock=served.clock, out=out, err=err, **kwargs)
    return code, out.getvalue(), err.getvalue()


def truth(served) -> dict:
    image = served.sim.pipeline.images[DEMO_IMAGE]
    return image.body(served.clock(), served.sim.speed, detail=True)


def counts(level: dict) -> tuple[int, int, int]:
    return level["completed_machines"], level["failed_machines"], level["pending_machines"]


def shown(level: dict) -> tuple[int, int, int]:
    return level["completed"], level["failed"], level["pending"]


async def test_json_gives_each_images_counts_fleets_and_regions(served):
    served.clock.advance(10)  # some machines done, some failed (disabled), some pending
    code, out, err = await status(served, as_json=True)
    assert (code, err) == (EXIT_OK, "")
    data = json.loads(out)
    (image,) = data["images"]
    body = truth(served)
    assert image["account"] == "production" and image["imageid"] == DEMO_IMAGE
    assert image["label"] == DEMO_IMAGE_LABEL and image["error"] is None
    assert shown(image) == counts(body) and image["total"] == 40
    assert image["state"] == ("ready" if image["pending"] == 0 else "rolling out")
    assert image["ready"] is (image["pending"] == 0)
    assert [fleet["id"] for fleet in image["fleets"]] == list(body["fleets"])
    for fleet in image["fleets"]:
        expected = body["fleets"][fleet["id"]]
        assert shown(fleet) == counts(expected)
        assert [(r["id"], r["name"]) for r in fleet["regions"]] == [
            (rid, region["name"]) for rid, region in expected["regions"].items()
        ]
        for region in fleet["regions"]:
            assert shown(region) == counts(expected["regions"][region["id"]])
            assert region["total"] == sum(shown(region))
    assert served.sim.requests.count("image_status", PROD, jobid=DEMO_IMAGE) == 1
    assert data["accounts"]["production"]["health"] == "ok"


async def test_json_lists_no_images_when_none_are_watched(served):
    code, out, _ = await status(served, demo_settings(served.base_url), as_json=True)
    assert code == EXIT_OK and json.loads(out)["images"] == []
    assert served.sim.requests.count("image_status") == 0


async def test_text_prints_one_line_per_image_and_says_ready_when_nothing_is_pending(served):
    code, out, _ = await status(served)
    assert code == EXIT_OK
    header, line = out.rstrip("\n").split("\n\n")[-1].splitlines()
    assert header.split() == [
        "ACCOUNT", "IMAGE", "LABEL", "COMPLETED", "FAILED", "PENDING", "TOTAL", "STATE", "ERROR"
    ]  # fmt: skip
    body = truth(served)
    assert line.split() == [
        "production", str(DEMO_IMAGE), DEMO_IMAGE_LABEL, *map(str, counts(body)), "40",
        "rolling", "out",
    ]  # fmt: skip

    served.clock.advance(3600)  # the rollout is over
    _, out, _ = await status(served)
    line = out.rstrip("\n").splitlines()[-1]
    assert line.split()[-1] == "ready" and line.split()[5] == "0"


async def test_text_without_images_prints_the_jobs_only(served):
    _, out, _ = await status(served, demo_settings(served.base_url))
    assert "IMAGE" not in out and "\n\n" not in out


async def test_an_image_that_fails_is_its_own_line_and_exit_3(served):
    served.sim.faults.add(Fault(FaultKind.HTTP_503, endpoint="image_status", asid=PROD))
    code, out, err = await status(served, as_json=True)
    assert code == EXIT_API
    (sentence,) = err.splitlines()
    assert sentence.startswith(
        f"cfdash: image {DEMO_IMAGE} {DEMO_IMAGE_LABEL} of account production could not be "
        "read: server error 503 (HTTP 503"
    )
    data = json.loads(out)
    assert data["accounts"]["production"]["health"] == "ok"  # the account is fine
    (image,) = data["images"]
    assert image["state"] == "error" and image["error"].startswith("server error 503")
    assert image["completed"] is None and image["fleets"] == []


async def test_a_401_on_an_image_is_the_accounts_trouble_in_status(served):
    served.sim.faults.add(
        Fault(FaultKind.ERROR_ENVELOPE, endpoint="image_status", asid=PROD, message="Forbidden",
              status=401)
    )  # fmt: skip
    code, out, err = await status(served, as_json=True)
    assert code == EXIT_API
    assert err.startswith("cfdash: account production could not be read: credentials rejected")
    data = json.loads(out)
    assert data["accounts"]["production"]["health"] == "auth"
    (image,) = data["images"]
    assert image["state"] == "not read" and image["error"] is None
    assert all(job["state"] != "not read" for job in data["jobs"])  # the list itself was read


async def test_json_gives_every_job_its_stage_and_a_complete_diffs_paths(served):
    from cfdash.sim.demo import DEMO_PIPELINE

    (_, diffid) = DEMO_PIPELINE[1]
    served.clock.advance(120)  # the demo's diff has completed
    code, out, _err = await status(served, as_json=True)
    assert code == EXIT_OK
    jobs = json.loads(out)["jobs"]
    stages = {(job["stage"], job["jobid"]) for job in jobs}
    assert set(DEMO_PIPELINE) <= stages and any(job["stage"] == "install" for job in jobs)
    (diff,) = [job for job in jobs if job["stage"] == "diff"]
    truth = served.sim.pipeline.job("diff", diffid).changes
    assert diff["phase"] == "complete"
    assert {change: set(paths) for change, paths in diff["paths"].items()} == {
        change: set(truth[change]) for change in ("added", "modified", "removed")
    }
    assert all("paths" not in job for job in jobs if job["stage"] != "diff")
