"""The job table at every width: which columns show, what folds, what stays put when scrolled.

The pure plan first (:mod:`cfdash.tui.grid_layout`), with a stub Stage column where the fold
is tested; then the dashboard itself at 80, 120, 160 and 250 columns against the simulator.
"""

from __future__ import annotations

import pytest

from cfdash.tui.grid_layout import (
    DROP_ORDER,
    FROZEN,
    fit,
    fold_stage,
    header_label,
    plan,
)
from cfdash.tui.rows import COLUMNS, Column
from cfdash.tui.widgets.job_grid import JobGrid

ALWAYS = ("mark", "account", "job", "state", "progress", "eta", "queue", "error")
#: Texts as wide as the demo's: account "production", labels up to 17, an empty Queue.
MEASURED = {"account": 10, "job": 7, "label": 17, "queue": 5}
#: A Stage column as the pipeline work adds it, placed after Job (a stub: the key is the rule).
STAGE = Column("stage", "Stage", 7, sort="stage")
WITH_STAGE = (*COLUMNS[:3], STAGE, *COLUMNS[3:])


def test_everything_shows_when_there_is_room():
    layout = plan(COLUMNS, MEASURED, 300)
    assert layout.keys == tuple(column.key for column in COLUMNS)
    assert not layout.dropped and layout.find("error").width == 80  # the Error takes its max


@pytest.mark.parametrize("available", range(60, 300, 3))
def test_columns_go_in_order_and_the_essentials_never(available):
    layout = plan(WITH_STAGE, MEASURED, available)
    assert set(ALWAYS) <= set(layout.keys)
    assert layout.dropped == DROP_ORDER[: len(layout.dropped)]  # Seen, Fail, Label, Kind
    if layout.dropped:
        assert layout.folded  # the Stage folded before anything was dropped
    if available >= 79:  # an 80-column terminal, less the scrollbar: it all fits
        assert layout.width <= available
    for placed in layout.placed:  # no header word is cut, at any width
        label = header_label(placed.column, placed.width, "▾" if placed.column.sort else "")
        assert label.split()[0] in (placed.column.label, "Acct", "Prog")


def test_the_stage_folds_into_the_job_cell_before_any_column_drops():
    wide = plan(WITH_STAGE, MEASURED, 400)
    assert "stage" in wide.keys and not wide.folded
    error = wide.find("error")
    assert error is not None
    snug = wide.width - (error.width - 12)  # the Error at its usual width: nothing to give
    assert not plan(WITH_STAGE, MEASURED, snug).folded
    narrower = plan(WITH_STAGE, MEASURED, snug - 1)
    assert narrower.folded and "stage" not in narrower.keys and not narrower.dropped
    assert narrower.find("job").width == wide.find("job").width + 2  # room for "u "
    assert fold_stage("update", "91") == "u 91"
    assert fold_stage("diff", "92") == "d 92"
    assert fold_stage("version", "93") == "v 93"
    assert fold_stage("install", "94") == "94" and fold_stage("", "95") == "95"


def test_narrow_cells_keep_their_numbers():
    bar = "███▉░░░░░░  39%"
    assert fit(bar, "progress", 9) == "█▌░░  39%"  # a shorter bar, the same percentage
    assert fit(bar, "progress", 15) == bar
    assert fit("██████████", "progress", 6) == "██████"  # Finished: a full bar, no number
    assert fit("overdue 2m05s", "eta", 7) == "-2m05s"
    assert fit("image locked by diffid: 218595", "error", 10) == "image loc…"


def test_fixed_columns_are_the_mark_account_and_job():
    layout = plan(COLUMNS, MEASURED, 60)
    frozen = [placed for placed in layout.placed if placed.x < layout.fixed]
    assert tuple(placed.key for placed in frozen) == FROZEN
    assert layout.width > 60  # too narrow even squeezed: the rest scrolls
    assert layout.stops()[0] == 0 and layout.stops() == sorted(layout.stops())


# -- the dashboard ---------------------------------------------------------------------------


def grid(app) -> JobGrid:
    return app.main.query_one(JobGrid)


def drawn(table: JobGrid, y: int) -> str:
    return "".join(segment.text for segment in table.render_line(y))


@pytest.mark.parametrize(
    ("width", "shown", "dropped"),
    [
        (80, ALWAYS, ("age", "failures", "label", "kind")),
        (120, ("kind", "label"), ("age", "failures")),
        (160, tuple(column.key for column in COLUMNS), ()),
        (250, tuple(column.key for column in COLUMNS), ()),
    ],
)
async def test_columns_drop_as_the_terminal_narrows(served, make_app, width, shown, dropped):
    app = make_app(poll=False)
    async with app.run_test(size=(width, 40)) as pilot:
        await app.engine.poll_all()
        await pilot.pause()
        table = grid(app)
        layout = table.painter.layout
        assert set(shown) <= set(layout.keys) and set(ALWAYS) <= set(layout.keys)
        assert layout.dropped == dropped
        header = drawn(table, 0)
        for placed in layout.placed[1:]:  # every header word whole ("Seen" cut to "See" was)
            assert placed.column.label in header or "Acct" in header or "Prog" in header
        assert layout.width <= table.size.width  # nothing off screen: no sideways scroll
        running = [j for j in app.engine.tracker.jobs.values() if j.phase == "running"]
        for y in range(1, table.row_count + 1):  # running jobs show their percentage
            key = table.row_keys[y - 1]
            if key in {job.key for job in running}:
                assert f"{app.engine.tracker.jobs[key].progress}%" in drawn(table, y)


async def test_account_and_job_stay_put_when_the_table_scrolls_sideways(served, make_app):
    app = make_app(poll=False)
    async with app.run_test(size=(54, 24)) as pilot:  # narrower than the squeezed table
        await app.engine.poll_all()
        await pilot.pause()
        table = grid(app)
        layout = table.painter.layout
        assert layout.width > table.size.width and layout.fixed
        key = table.row_keys[0]
        account, jobid = key[0], str(app.engine.tracker.jobs[key].jobid)
        before = drawn(table, 1)
        stops = layout.stops()
        await pilot.press("right")
        await pilot.pause()
        assert table.scroll_offset.x == stops[1] < table.max_scroll_x  # one whole column
        after = drawn(table, 1)
        assert after != before
        assert after[: layout.fixed] == before[: layout.fixed]  # mark, account and job stay
        assert account in after and jobid in after
        assert drawn(table, 0)[: layout.fixed].split()[:3] == ["✓", "Acct", "▾"]  # squeezed
        for _ in range(len(stops) + 2):  # to the far edge, not beyond
            await pilot.press("right")
        await pilot.pause()
        assert table.scroll_offset.x == table.max_scroll_x
        assert "Error" in drawn(table, 0)
        await pilot.press("left")
        await pilot.pause()
        assert table.scroll_offset.x in stops and table.scroll_offset.x < table.max_scroll_x
        for _ in range(len(stops) + 2):
            await pilot.press("left")
        await pilot.pause()
        assert table.scroll_offset.x == 0 and drawn(table, 1) == before
