"""Rows a poll changes off screen are built when they scroll in, not at the poll."""

from __future__ import annotations

SIZE = (160, 10)  # the table shows six rows of the demo world's twelve


async def test_a_row_changed_off_screen_is_built_when_it_scrolls_into_view(served, make_app):
    app = make_app(poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await app.engine.poll_all()
        await pilot.pause()
        table, jobs = app.main.table, app.engine.tracker.jobs
        shown = table.size.height - 1  # less the column headers
        off = next(
            key
            for index, key in enumerate(table.row_keys)
            if index >= shown and jobs[key].phase == "running"
        )
        before = jobs[off].progress
        drawn = table.rows.cells[off]["progress"].text
        served.clock.advance(2)  # 80 s of service time: every running job moves
        await app.engine.poll_all()
        await pilot.pause()
        assert jobs[off].progress != before
        assert off in table.rows.dirty  # changed, but off screen: not built at the poll
        assert table.rows.cells[off]["progress"].text == drawn

        await pilot.press("end")  # scroll to the last rows
        await pilot.pause()
        assert off not in table.rows.dirty  # built when its line was drawn
        y = table.rows.index[off] - table.scroll_offset.y + 1
        line = table.render_line(y).text
        assert f"{jobs[off].progress}%" in line and str(off[1]) in line
