"""``cfdash status`` against the simulator over real HTTP: JSON, table, exit codes, secrets."""

from __future__ import annotations

import io
import json

import pytest
from pydantic import SecretStr

from cfdash.config import AccountSettings, JobEntry, State
from cfdash.demo import demo_settings
from cfdash.headless import EXIT_API, EXIT_OK, EXIT_USAGE, HeadlessError, run_status
from cfdash.sim import Fault, FaultKind, demo_accounts

ASID = {account.name: account.asid for account in demo_accounts(3)}


def demo_production(served, **changes) -> AccountSettings:
    """The demo's production account tracking only what ``changes`` says (no track_all)."""
    base = demo_settings(served.base_url).accounts["production"]
    return base.model_copy(update={"track_all": False, **changes})


async def status(served, settings=None, **kwargs) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = await run_status(
        settings or demo_settings(served.base_url), clock=served.clock, out=out, err=err, **kwargs
    )
    return code, out.getvalue(), err.getvalue()


async def test_json_has_every_tracked_job_with_its_fields(served):
    code, out, err = await status(served, as_json=True)
    assert (code, err) == (EXIT_OK, "")
    data = json.loads(out)
    assert data["accounts"] == {
        name: {"health": "ok", "reason": "", "error": None} for name in ASID
    }
    assert {job["jobid"] for job in data["jobs"]} == set(served.sim.jobs)
    assert [job["account"] for job in data["jobs"]] == sorted(
        (job["account"] for job in data["jobs"]), key=list(ASID).index
    )
    for job in data["jobs"]:
        sim_job = served.sim.job(job["jobid"])
        assert job["fields"]["jobid"] == job["jobid"]
        assert job["release"] == sim_job.target_imageversionid
        assert job["mirroring"] is sim_job.mirroring
        assert job["kind"] == ("mirror" if sim_job.mirroring else "machine")
        assert job["state"] == job["fields"]["jobstatename"]
        assert job["progress"] == job["fields"]["jobprogress"]
        assert job["eta"] == job["fields"]["jobeta"]
    failed = next(job for job in data["jobs"] if job["phase"] == "failed")
    assert failed["state"] == "Failed" and failed["failures"] >= 1 and failed["error"]
    assert served.sim.requests.count("status") == len(ASID)  # one read per account


async def test_config_and_state_jobs_are_shown_and_unknown_ones_say_not_found(served, kit):
    production = demo_production(
        served, jobs=(JobEntry(id=5551001, label="EU mirror"), JobEntry(id=424242))
    )
    state = State(added_jobs=[("production", JobEntry(id=5551004))])
    code, out, _ = await status(served, kit.settings(production), state=state)
    assert code == EXIT_OK
    lines = out.splitlines()
    assert lines[0].split() == [
        "ACCOUNT", "JOB", "STAGE", "KIND", "LABEL", "STATE", "PROGRESS", "ETA", "FAILURES", "ERROR",
    ]  # fmt: skip
    assert [line.split()[1] for line in lines[1:]] == ["5551001", "424242", "5551004"]
    assert "EU mirror" in lines[1] and "Running" in lines[1] and "%" in lines[1]
    assert "not found" in lines[2]  # read, and not there: never "finished"
    assert "Queued" in lines[3]
    # Plain aligned text: the STATE column starts at the same place on every line.
    column = lines[0].index("STATE")
    assert {line[column - 2 : column] for line in lines} == {"  "}


async def test_one_failing_account_exits_3_and_says_which_and_why(served):
    served.sim.faults.add(Fault(FaultKind.HTTP_503, endpoint="status", asid=ASID["staging"]))
    code, out, err = await status(served, as_json=True)
    assert code == EXIT_API
    assert err.startswith("cfdash: account staging could not be read: server error 503")
    assert err.count("\n") == 1
    data = json.loads(out)
    assert data["accounts"]["staging"]["health"] == "error"
    assert data["accounts"]["staging"]["reason"] == "server error 503"
    assert data["accounts"]["production"]["health"] == "ok"
    assert any(job["account"] == "production" for job in data["jobs"])


@pytest.mark.parametrize("as_json", [False, True])
async def test_rejected_keys_exit_3_and_nothing_prints_a_secret(served, as_json):
    settings = demo_settings(served.base_url)
    wrong = "wrong-secret-that-must-not-show"
    staging = settings.accounts["staging"].model_copy(update={"secret_key": SecretStr(wrong)})
    settings = settings.model_copy(update={"accounts": {**settings.accounts, "staging": staging}})
    code, out, err = await status(served, settings, as_json=as_json)
    assert code == EXIT_API
    assert "account staging could not be read: credentials rejected" in err
    if as_json:
        assert json.loads(out)["accounts"]["staging"]["health"] == "auth"
    secrets = [wrong] + [
        key.get_secret_value()
        for acc in settings.accounts.values()
        for key in (acc.access_key, acc.secret_key)
    ]
    for secret in secrets:
        assert secret not in out and secret not in err


async def test_account_option_reads_only_that_account(served):
    code, out, _ = await status(served, account="staging", as_json=True)
    data = json.loads(out)
    assert code == EXIT_OK and list(data["accounts"]) == ["staging"]
    assert {job["account"] for job in data["jobs"]} == {"staging"}
    assert served.sim.requests.count("status") == 1
    assert served.sim.requests.count("status", ASID["staging"]) == 1


async def test_an_unknown_account_is_a_clear_error(served):
    with pytest.raises(HeadlessError, match=r"no account named 'nope'.*production") as error:
        await status(served, account="nope")
    assert error.value.code == EXIT_USAGE
    assert served.sim.requests.count() == 0


async def test_no_tracked_jobs_says_so(served, kit):
    code, out, _ = await status(served, kit.settings(demo_production(served)))
    assert code == EXIT_OK and out.startswith("No tracked jobs")
