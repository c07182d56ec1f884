"""The demo's release pipeline: beside the installs, an update, a diff, a version, an image."""

from __future__ import annotations

import tomllib
from pathlib import Path

from cfdash.config import check_config, load_settings
from cfdash.sim import FakeClock, JobState, build_demo, demo_accounts, demo_config_toml
from cfdash.sim.demo import DEMO_IMAGE, DEMO_PIPELINE

PROD = 12345


def test_the_installs_keep_their_ids_and_order():
    sim = build_demo(clock=FakeClock())
    assert list(sim.jobs) == list(range(5_551_001, 5_551_013))
    assert sorted(sim.pipeline.jobs) == sorted(DEMO_PIPELINE)
    assert {job.asid for job in sim.pipeline.jobs.values()} == {PROD}
    assert list(sim.pipeline.images) == [DEMO_IMAGE]


def test_the_pipeline_is_lively_within_half_a_minute():
    clock = FakeClock()
    sim = build_demo(clock=clock)
    pipeline = sim.pipeline
    assert {job.state for job in pipeline.jobs.values()} == {JobState.RUNNING}
    start = pipeline.image_status(PROD, DEMO_IMAGE, detail=False)
    assert start["pending_machines"] > 0 and start["completed_machines"] > 0
    clock.advance(30)
    (_, update), (_, diff), (_, version) = DEMO_PIPELINE
    failed = pipeline.job("update", update)
    assert failed.state == JobState.FAILED
    assert failed.error == f"image locked by diffid: {diff}"  # a tracked diff: linked rows
    assert pipeline.job("diff", diff).state == JobState.COMPLETE
    assert pipeline.lock_holder(DEMO_IMAGE) == diff  # complete, but not yet accepted
    assert pipeline.retry(PROD, "update", update)["error_message"] == failed.error
    assert pipeline.job("version", version).state == JobState.COMPLETE
    image = pipeline.images[DEMO_IMAGE]
    assert image.rollout == 2 and image.imageversionid == version  # a new rollout began
    clock.advance(60)
    ready = pipeline.image_status(PROD, DEMO_IMAGE, detail=False)
    assert ready["pending_machines"] == 0 and ready["completed_machines"] > 30


def test_the_pipeline_follows_the_seed():
    def snapshot(seed: int) -> list:
        clock = FakeClock()
        sim = build_demo(seed=seed, clock=clock)
        clock.advance(12)
        bodies = [sim.pipeline.status(PROD, stage, jobid) for stage, jobid in DEMO_PIPELINE]
        return [*bodies, sim.pipeline.image_status(PROD, DEMO_IMAGE, detail=True)]

    assert snapshot(3) == snapshot(3)
    assert snapshot(3) != snapshot(4)


def test_every_demo_account_takes_its_token():
    sim = build_demo(clock=FakeClock())
    for account in demo_accounts(3):
        assert sim.account_for_token(account.token).asid == account.asid
        assert sim.account_for_keys(account.access_key, account.secret_key).asid == account.asid


def test_the_printed_config_has_a_bearer_account_and_the_pipeline(tmp_path: Path):
    text = demo_config_toml(
        "http://127.0.0.1:8642", demo_accounts(3), bearer="production", pipeline=True
    )
    production = tomllib.loads(text)["accounts"]["production"]
    assert production["auth"] == "bearer" and production["token"] == "demo-token-production"
    assert "access_key" not in production and "secret_key" not in production
    assert production["images"] == [{"id": DEMO_IMAGE, "label": "mygame-server"}]
    assert [(job["stage"], job["id"]) for job in production["jobs"]] == list(DEMO_PIPELINE)
    path = tmp_path / "config.toml"
    path.write_text(text)
    path.chmod(0o600)
    assert check_config(path, {}) == (0, f"ok: {path} (3 accounts)")
    settings = load_settings(path, {})
    assert settings.accounts["production"].token.get_secret_value() == "demo-token-production"
    assert settings.accounts["staging"].auth == "basic"
