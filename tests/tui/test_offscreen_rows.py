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
        assert f"{jobs[off].progress}%" in line and str(off.jobid) in line


async def test_rows_added_under_a_showing_scrollbar_can_be_scrolled_to(served, make_app):
    from cfdash.engine.tracking import TrackedJob

    app = make_app(poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await app.engine.poll_all()
        await pilot.pause()
        table = app.main.table
        assert table.show_vertical_scrollbar  # twelve rows, six lines
        new = [TrackedJob("staging", 9_000_000 + n) for n in range(5)]
        for job in new:
            app.engine.tracker.add(job)
        table.apply([job.key for job in new], (), ())
        await pilot.pause()
        assert table.virtual_size.height == len(app.engine.tracker) + 1  # rows + column headers
        assert table.vertical_scrollbar.window_virtual_size == table.virtual_size.height
        await pilot.press("end")
        await pilot.pause()
        assert table.selected_key == table.row_keys[-1]
        assert table.scroll_offset.y == table.max_scroll_y > 0
        y = len(table.row_keys) - table.scroll_offset.y  # the last row's line
        assert str(table.row_keys[-1].jobid) in table.render_line(y).text
