"""The mode line, ``esc`` and ``S``: every view setting is named, undone one per ``esc`` in
decisions.md's order, and an empty view says why and how to leave it."""

from __future__ import annotations

from cfdash.tui.grid_rows import View
from cfdash.tui.view_modes import Modes, empty_reason, escape_step, mode_line
from cfdash.tui.widgets.job_grid import JobGrid
from cfdash.tui.widgets.mode_line import ModeLine

SIZE = (160, 40)


def grid(app) -> JobGrid:
    return app.main.query_one(JobGrid)


def said(app) -> str:
    return app.main.query_one(ModeLine).text


def first_line(app) -> str:
    return "".join(segment.text for segment in grid(app).render_line(1))


# -- the words, without a screen -------------------------------------------------------------


def test_the_mode_line_names_every_setting_and_what_esc_does_next():
    view = View("state", True, "gs-44", True, 4243, True)
    text = mode_line(Modes(view, marked=3, shown=2, total=12)).plain
    for words in ("2 of 12 jobs", 'filter "gs-44"', "release v4243", "failed only",
                  "finished hidden", "3 marked", "sort: state ▴ reversed",
                  "esc clears the filter"):  # fmt: skip
        assert words in text
    assert mode_line(Modes(View(), 0, 12, 12)).plain.startswith(" 12 of 12 jobs")
    assert "esc" not in mode_line(Modes(View(), 0, 12, 12)).plain  # nothing to undo


def test_esc_steps_in_the_decided_order():
    modes = Modes(View(text="x", failed_only=True, release=1, hide_finished=True), 2, 0, 9, True)
    steps = []
    while (step := escape_step(modes)) is not None:
        steps.append(step)
        view = modes.view
        modes = Modes(
            View(view.sort, view.sort_reverse,
                 "" if step == "text" else view.text,
                 False if step == "toggles" else view.failed_only,
                 None if step == "release" else view.release,
                 False if step == "toggles" else view.hide_finished),
            0 if step == "marks" else modes.marked, 0, 9, modes.panel and step != "panel",
        )  # fmt: skip
    assert steps == ["panel", "text", "release", "toggles", "marks"]


def test_an_empty_view_says_why_and_the_way_out():
    def why(**view) -> str:
        return empty_reason(Modes(View(**view), 0, 0, 12))

    assert why(failed_only=True) == "No failed jobs — f or esc shows all."
    assert why(failed_only=True, hide_finished=True) == "No failed jobs — f or esc shows all."
    assert why(text="zzz") == 'Nothing matches "zzz" — / edits it, esc clears it.'
    assert "release v7" in why(release=7) and "esc shows all releases" in why(release=7)
    assert why(hide_finished=True).startswith("Every job has finished — h or esc")
    assert "esc clears them one at a time" in why(text="zzz", release=7)
    assert empty_reason(Modes(View(), 0, 0, 0)) == "No jobs tracked yet — a adds one."
    assert empty_reason(Modes(View(failed_only=True), 0, 1, 12)) == ""  # something in view


# -- on the dashboard ------------------------------------------------------------------------


async def test_one_row_in_view_says_1_of_every_tracked_job(served, make_app):
    app = make_app(poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await app.engine.poll_all()
        await pilot.pause()
        total = len(app.engine.tracker)
        assert total == len(served.sim.jobs) and said(app).startswith(f" {total} of {total} jobs")
        job = next(iter(app.engine.tracker.jobs.values()))
        await pilot.press("slash", *str(job.jobid), "enter")
        await pilot.pause()
        assert grid(app).row_count == 1
        assert said(app).startswith(f" 1 of {total} jobs") and f'filter "{job.jobid}"' in said(app)
        header = app.main.header.build().plain
        assert f"all {total} jobs:" in header  # the header's counts are of every job


async def test_esc_backs_out_one_mode_per_press_innermost_first(served, make_app):
    app = make_app(poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await app.engine.poll_all()
        await pilot.pause()
        table = grid(app)
        await pilot.press("space")  # one mark
        await pilot.press("v")
        panel = app.main.releases
        await pilot.press("down", "enter")  # a release: the panel stays open, the table has focus
        release = table.release
        assert release is not None and panel.display and table.has_focus
        assert "esc closes the panel" in said(app)
        await pilot.press("h", "f", "slash", "x", "enter")
        assert table.view == View("account", False, "x", True, release, True)
        assert "esc clears them one at a time" in said(app)  # nothing is left in view

        await pilot.press("escape")
        assert not panel.display and table.release == release and table.filter_text == "x"
        await pilot.press("escape")
        assert table.filter_text == "" and table.release == release
        assert not app.main.query_one("#filter").has_class("visible")
        await pilot.press("escape")
        assert table.release is None and table.failed_only and table.hide_finished
        await pilot.press("escape")
        assert not table.failed_only and not table.hide_finished and len(table.marked) == 1
        await pilot.press("escape")
        assert not table.marked and table.view == View()
        await pilot.press("escape")  # nothing left: nothing happens
        assert table.view == View() and table.row_count == len(app.engine.tracker)
        await pilot.pause()
        assert said(app).startswith(f" {table.row_count} of {table.row_count} jobs")
        assert "esc" not in said(app)


async def test_shift_s_reverses_the_sort_and_it_is_saved(served, make_app, tmp_path):
    app = make_app(poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await app.engine.poll_all()
        await pilot.pause()
        table = grid(app)
        await pilot.press("s")  # by state
        order = table.row_keys
        await pilot.press("S")
        assert table.sort == "state" and table.view.sort_reverse
        assert table.row_keys == order[::-1]  # ties are broken by key, so the exact reverse
        assert "State ▴" in "".join(segment.text for segment in table.render_line(0))
        assert "sort: state ▴ reversed" in said(app)
        assert "sort_reverse = true" in (tmp_path / "state.toml").read_text()
        await pilot.press("S")
        assert not table.view.sort_reverse and table.row_keys == order


async def test_an_empty_view_says_why_and_esc_leaves_it(served, make_app):
    app = make_app(poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await app.engine.poll_all()
        await pilot.pause()
        table = grid(app)
        for job in [j for j in app.engine.tracker.jobs.values() if j.phase == "failed"]:
            app.engine.remove(job.key)  # every failed job re-queued and gone, as in the issue
            table.apply((), (), (job.key,))
        await pilot.press("f")
        await pilot.pause()
        assert table.row_count == 0
        assert "No failed jobs — f or esc shows all." in first_line(app)
        assert "No failed jobs — f or esc shows all." in said(app)
        await pilot.press("escape")
        await pilot.pause()
        assert table.row_count == len(app.engine.tracker) and not table.empty_text
        assert "No failed jobs" not in first_line(app)
