"""Retry on the dashboard: ``q`` on a failed update or diff asks, then sends one retry; ``q`` on a
version says there is no retry endpoint; mixed marks get one confirm with two groups."""

from __future__ import annotations

import json

from cfdash.config import JobEntry, StateStore
from cfdash.demo import demo_settings
from cfdash.engine import JobKey
from cfdash.sim import JobState
from cfdash.sim.demo import DEMO_PIPELINE
from cfdash.tui.screens.confirm import BulkConfirmScreen, ConfirmScreen
from cfdash.tui.widgets.job_grid import JobGrid
from cfdash.tui.wiring import build_app

from .conftest import notices_of, wait_for

SIZE = (180, 40)
PROD = 12345
UPDATE, DIFF = 91, 92
(_, VERSION) = DEMO_PIPELINE[2]


def app_with_pipeline(served, tmp_path):
    """The demo world; production also tracks a failed update and a failed diff (on images of
    their own, so no lock refuses them) and the demo's version."""
    pipeline = served.sim.pipeline
    for imageid in (1002, 1003):
        pipeline.add_image(PROD, imageid)
    pipeline.add_update(PROD, 1002, jobid=UPDATE, state=JobState.FAILED, error="disk full")
    pipeline.add_diff(PROD, 1003, jobid=DIFF, state=JobState.FAILED, error="diff failed")
    settings = demo_settings(served.base_url, refresh=60.0)
    production = settings.accounts["production"]
    jobs = (
        JobEntry(id=UPDATE, stage="update"),
        JobEntry(id=DIFF, stage="diff"),
        JobEntry(id=VERSION, stage="version"),
    )
    production = production.model_copy(update={"jobs": jobs})
    settings = settings.model_copy(
        update={"accounts": {**settings.accounts, "production": production}}
    )
    store = StateStore(tmp_path / "state.toml")
    return build_app(settings, store=store, clock=served.clock, poll=False, tick=False)


def grid(app) -> JobGrid:
    return app.main.query_one(JobGrid)


def retries(served) -> list[tuple[str, int | None]]:
    return [(call.stage, call.jobid) for call in served.sim.requests.retry_calls]


async def test_q_on_a_failed_update_asks_then_sends_one_retry(served, tmp_path):
    app = app_with_pipeline(served, tmp_path)
    key = ("production", "update", UPDATE)
    async with app.run_test(size=SIZE) as pilot:
        await app.engine.poll_all()
        await pilot.pause()
        assert grid(app).cell_text(key, "stage") == "update"
        assert grid(app).cell_text(("production", "install", 5551001), "stage") == "install"
        grid(app).select(key)
        await pilot.press("q")
        assert isinstance(app.screen, ConfirmScreen)
        assert "Sends one retry request for production/update 91" in app.screen.body_text
        await pilot.press("y")
        await wait_for(lambda: grid(app).cell_text(key, "queue") == "retried ✓", pilot)
        assert retries(served) == [("update", UPDATE)]
        assert served.sim.pipeline.job("update", UPDATE).state == JobState.QUEUED
        lines = (tmp_path / "audit.jsonl").read_text().splitlines()
        [record] = [json.loads(line) for line in lines]
        assert (record["stage"], record["job"], record["action"]) == ("update", UPDATE, "retry")
        assert record["outcome"] == "retried" and record["origin"] == "dashboard"


async def test_q_on_a_version_says_it_has_no_retry_endpoint(served, tmp_path):
    app = app_with_pipeline(served, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        shown = notices_of(app)
        await app.engine.poll_all()
        await pilot.pause()
        grid(app).select(("production", "version", VERSION))
        await pilot.press("q")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen)
        assert any("versions have no retry endpoint" in text for text in shown)
        assert retries(served) == [] and served.sim.requests.count("queue") == 0


async def test_mixed_marks_list_the_queue_and_retry_groups_apart(served, tmp_path):
    app = app_with_pipeline(served, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await app.engine.poll_all()
        await pilot.pause()
        install = next(
            job
            for job in app.engine.tracker.jobs.values()
            if job.account == "production"
            and job.stage == "install"
            and job.phase in ("pending", "created")
        )
        keys = [
            install.key,
            JobKey("production", "update", UPDATE),
            JobKey("production", "diff", DIFF),
            JobKey("production", "version", VERSION),
        ]
        grid(app).set_marks(keys)
        await pilot.press("q")
        assert isinstance(app.screen, BulkConfirmScreen)
        body = app.screen.body_text
        queued, retried = body.index("Will be queued (1):"), body.index("Will be retried (2):")
        assert queued < body.index(install.name) < retried
        assert body.index("production/update 91") > retried
        assert body.index("production/diff 92") > retried
        assert f"Versions (1): production/version {VERSION}" in body
        assert "Sends one queue request and 2 retry requests" in body
        await pilot.press("y")
        await wait_for(lambda: len(served.sim.requests.retry_calls) == 2, pilot)
        await wait_for(lambda: served.sim.requests.count("queue") == 1, pilot)
        await wait_for(lambda: not [w for w in app.workers if w.group == "queue"], pilot)
        assert sorted(retries(served)) == [("diff", DIFF), ("update", UPDATE)]
        assert grid(app).cell_text(("production", "diff", DIFF), "queue") == "retried ✓"
