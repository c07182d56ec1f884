"""The details of pipeline rows: a diff counts and lists its paths; a row whose error says
"image locked by diffid N" and diff N name each other, and ``g`` jumps between them."""

from __future__ import annotations

from cfdash.config import StateStore
from cfdash.demo import demo_settings
from cfdash.engine import JobKey
from cfdash.engine.links import linked_jobs, locking_diff
from cfdash.sim.demo import DEMO_PIPELINE
from cfdash.tui.screens.details import DetailsScreen, describe_job
from cfdash.tui.widgets.job_grid import JobGrid
from cfdash.tui.wiring import build_app

SIZE = (180, 50)
(_, UPDATE), (_, DIFF), (_, VERSION) = DEMO_PIPELINE
UPDATE_KEY = JobKey("production", "update", UPDATE)
DIFF_KEY = JobKey("production", "diff", DIFF)


async def poll_until(app, served, done, rounds: int = 60) -> None:
    """Poll on the simulator's clock (5 s a round) until ``done()``: the demo's update fails on
    the diff's lock within a minute of service time, and the diff completes soon after."""
    for _ in range(rounds):
        await app.engine.poll_all()
        if done():
            return
        served.clock.advance(5)
    raise AssertionError("the demo pipeline did not get there")


def demo_app(served, tmp_path):
    settings = demo_settings(served.base_url, refresh=60.0, pipeline=True)
    store = StateStore(tmp_path / "state.toml")
    return build_app(settings, store=store, clock=served.clock, poll=False, tick=False)


async def test_a_diff_lists_its_paths_and_the_locked_update_and_diff_name_each_other(
    served, tmp_path
):
    app = demo_app(served, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        jobs = app.engine.tracker.jobs

        def ready() -> bool:
            return jobs[UPDATE_KEY].phase == "failed" and jobs[DIFF_KEY].phase == "complete"

        await poll_until(app, served, ready)
        await pilot.pause()
        update, diff = jobs[UPDATE_KEY], jobs[DIFF_KEY]
        assert locking_diff(update) == DIFF
        assert linked_jobs(update, jobs) == [diff] and update in linked_jobs(diff, jobs)
        text = describe_job(diff, served.clock(), links=linked_jobs(diff, jobs))
        truth = served.sim.pipeline.job("diff", DIFF).changes
        added, modified, removed = (len(truth[c]) for c in ("added", "modified", "removed"))
        assert f"changed paths (added {added}, modified {modified}, removed {removed})" in text
        for change, files in truth.items():
            for path in files:
                assert f"  {change:<9} {path}" in text
        assert f"production/update {UPDATE}   ✖ Failed" in text and "stage            diff" in text

        # g on the update's details jumps to the diff's, and the table's cursor follows.
        grid = app.main.query_one(JobGrid)
        grid.select(UPDATE_KEY)
        await pilot.press("enter")
        assert isinstance(app.screen, DetailsScreen) and app.screen.job is update
        assert f"production/diff {DIFF}" in app.screen._shown
        await pilot.press("g")
        await pilot.pause()
        assert isinstance(app.screen, DetailsScreen) and app.screen.job is diff
        assert grid.selected_key == DIFF_KEY
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, DetailsScreen)


async def test_g_without_a_link_says_so_and_stays(served, tmp_path):
    app = demo_app(served, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await app.engine.poll_all()
        await pilot.pause()
        version = app.engine.tracker.jobs[JobKey("production", "version", VERSION)]
        app.main.query_one(JobGrid).select(version.key)
        await pilot.press("enter")
        await pilot.press("g")
        await pilot.pause()
        assert isinstance(app.screen, DetailsScreen) and app.screen.job is version
