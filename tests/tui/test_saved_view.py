"""The saved view: sort and filters chosen in one run are what the next run shows."""

from __future__ import annotations

from textual.widgets import Input

from cfdash.config import StateStore
from cfdash.tui.grid_rows import View
from cfdash.tui.widgets.job_grid import JobGrid

from .conftest import notices_of

SIZE = (160, 40)


def grid(app) -> JobGrid:
    return app.main.query_one(JobGrid)


async def test_sort_and_filters_survive_a_restart(served, make_app, tmp_path):
    app = make_app(poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await app.engine.poll_all()
        await pilot.pause()
        await pilot.press("s", "s")  # by progress
        await pilot.click(JobGrid, offset=(grid(app).column_x("progress") + 1, 0))  # reversed
        await pilot.press("slash", *"production", "enter")
        await pilot.pause()
        chosen = grid(app).view
        shown = grid(app).row_keys
    assert chosen == View("progress", True, "production", False, None)
    assert len(shown) > 1 and all(key[0] == "production" for key in shown)
    saved = StateStore(tmp_path / "state.toml").load()
    assert (saved.sort, saved.sort_reverse, saved.filter) == ("progress", True, "production")

    again = make_app(poll=False)
    async with again.run_test(size=SIZE) as pilot:
        await again.engine.poll_all()
        await pilot.pause()
        assert grid(again).view == chosen
        assert grid(again).sort_label == "progress, reversed"
        assert grid(again).row_keys == shown  # the same rows, in the same order
        box = again.main.query_one("#filter", Input)
        assert box.value == "production" and box.has_class("visible")  # the filter is in sight
        await pilot.press("f")  # the next change is saved in turn
    assert StateStore(tmp_path / "state.toml").load().failed_only is True

    third = make_app(poll=False)
    said = notices_of(third)
    async with third.run_test(size=SIZE) as pilot:
        await third.engine.poll_all()
        await pilot.pause()
        failed = {k for k, j in third.engine.tracker.jobs.items() if j.phase == "failed"}
        assert failed and set(grid(third).row_keys) == {k for k in failed if k[0] == "production"}
        # Failed-only is not visible in the table itself: a notice says it was kept.
        assert any("failed jobs only" in text for text in said)


async def test_a_release_filter_is_kept_and_said(served, make_app, tmp_path):
    app = make_app(poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await app.engine.poll_all()
        await pilot.pause()
        await pilot.press("v", "down", "enter")  # the first release
        version = grid(app).release
    assert version is not None
    assert StateStore(tmp_path / "state.toml").load().release == version

    again = make_app(poll=False)
    shown = notices_of(again)
    async with again.run_test(size=SIZE) as pilot:
        await again.engine.poll_all()
        await pilot.pause()
        assert grid(again).release == version
        rows = {again.engine.tracker.jobs[key].release for key in grid(again).row_keys}
        assert rows == {version}
        # Not visible in the table itself, so a notice says the filter was kept.
        assert any(f"release v{version} only" in text for text in shown)
        await pilot.press("v", "home", "enter")  # back to every release
    assert StateStore(tmp_path / "state.toml").load().release is None


async def test_a_filter_typed_but_not_entered_is_kept_at_exit(served, make_app, tmp_path):
    app = make_app(poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"prod")
        await pilot.pause()
        assert not (tmp_path / "state.toml").exists()  # not written at every key press
    assert StateStore(tmp_path / "state.toml").load().filter == "prod"


async def test_a_view_put_back_to_the_default_leaves_no_trace(served, make_app, tmp_path):
    app = make_app(poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await app.engine.poll_all()
        await pilot.pause()
        await pilot.press("s", "f")
        assert "sort" in (tmp_path / "state.toml").read_text()
        await pilot.press("s", "s", "s")  # round the cycle, back to account/job
        await pilot.press("f")
        assert grid(app).view == View()
    assert (tmp_path / "state.toml").read_text() == "version = 1\n"


async def test_a_sort_this_version_does_not_know_falls_back(served, make_app, tmp_path):
    (tmp_path / "state.toml").write_text('version = 1\nsort = "colour"\nsort_reverse = true\n')
    app = make_app(poll=False)
    async with app.run_test(size=SIZE):
        assert grid(app).view == View()


async def test_hide_finished_is_kept_and_said(served, make_app, tmp_path):
    (tmp_path / "state.toml").write_text("version = 1\nhide_finished = true\n")
    app = make_app(poll=False)
    said = notices_of(app)
    async with app.run_test(size=SIZE) as pilot:
        assert grid(app).view == View(hide_finished=True)
        await pilot.press("s")  # another choice saved beside it
    assert any("finished jobs hidden" in text for text in said)
    saved = StateStore(tmp_path / "state.toml").load()
    assert saved.sort == "state" and saved.hide_finished is True
