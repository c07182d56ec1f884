"""The job table's own way to the screen draws exactly what Textual's would.

The job table's ``render_lines`` (``GridView``, cfdash/tui/widgets/grid_view.py) hands the
compositor its cached, filtered lines instead of sending each through Textual's
``StylesCache`` and line filters. These
tests draw the whole screen both ways, cell by cell, after the changes that must redraw a line:
a poll, a mark, the cursor, a sort, a narrow screen scrolled sideways, another theme. The
Textual way is drawn with a fresh painter, so a stale cache on the short way shows as a
difference, not as the same stale line twice.
"""

from __future__ import annotations

import pytest
from rich.color import Color as RichColor
from rich.segment import Segment

from cfdash.engine.tracking import TrackedJob
from cfdash.tui.colourless import Colourless
from cfdash.tui.widgets import grid_view
from cfdash.tui.widgets.grid_paint import GridPainter

SIZE = (160, 20)


def screen_cells(app) -> list[list[tuple[str, object]]]:
    """Every cell of the screen as the compositor puts it together: (character, style)."""
    lines = app.screen._compositor.render_strips()
    return [[(char, style) for text, style, _ in line for char in text] for line in lines]


def both_ways(app, monkeypatch) -> tuple[list, list]:
    """The screen drawn the short way (with its caches as they are), then Textual's way."""
    grid = app.main.table
    short = screen_cells(app)
    assert grid._plain_drawn is True
    kept = grid.painter
    fresh = GridPainter(grid.rows)
    fresh.set_theme(app.theme_variables)
    fresh.fit(kept._available)
    grid.painter = fresh
    try:
        with monkeypatch.context() as patched:
            patched.setattr(grid_view, "plain", lambda widget: False)
            textual = screen_cells(app)
        assert grid._plain_drawn is False
    finally:
        grid.painter = kept
    return short, textual


async def test_the_short_way_draws_what_textual_draws(served, make_app, monkeypatch):
    app = make_app(poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await app.engine.poll_all()
        await pilot.pause()
        grid = app.main.table
        short, textual = both_ways(app, monkeypatch)
        assert short == textual
        assert any("Progress" in "".join(char for char, _ in line) for line in short)

        served.clock.advance(2)  # every running job moves
        await app.engine.poll_all()
        await pilot.pause()
        short, textual = both_ways(app, monkeypatch)
        assert short == textual

        await pilot.press("space", "down", "down")  # a mark, and the cursor moves
        await pilot.pause()
        short, textual = both_ways(app, monkeypatch)
        assert short == textual

        first = grid.row_keys[0]
        new = TrackedJob(first.account, 1)  # sorts first: every row below moves down a line
        app.engine.tracker.add(new)
        grid.apply([new.key], (), ())
        await pilot.pause()
        assert grid.row_keys[0] == new.key
        short, textual = both_ways(app, monkeypatch)
        assert short == textual

        grid.reverse_sort()  # laid out again
        await pilot.pause()
        short, textual = both_ways(app, monkeypatch)
        assert short == textual

        app.theme = "mono"  # no colour: the Colourless filter joins the filters
        await pilot.pause()
        short, textual = both_ways(app, monkeypatch)
        assert short == textual
        assert any(isinstance(each, Colourless) for each in app.get_line_filters())
        colours = {style.color for line in short for _, style in line if style is not None}
        assert colours <= {None, RichColor.default()}, colours

        app.theme = "cfdash-light"
        await pilot.pause()
        short, textual = both_ways(app, monkeypatch)
        assert short == textual


async def test_scrolled_sideways_the_short_way_draws_what_textual_draws(
    served, make_app, monkeypatch
):
    app = make_app(poll=False)
    async with app.run_test(size=(54, 12)) as pilot:  # narrower than the squeezed table
        await app.engine.poll_all()
        await pilot.pause()
        grid = app.main.table
        assert grid.show_horizontal_scrollbar
        await pilot.press("right", "right")
        await pilot.pause()
        assert grid.scroll_offset.x > 0
        short, textual = both_ways(app, monkeypatch)
        assert short == textual


@pytest.mark.parametrize("raw", ["\x1b]2;PWNED\x07", "\u202eevil", "\x9b1m"])
async def test_a_raw_control_character_in_a_cell_never_reaches_the_screen(served, make_app, raw):
    # Cells escape API text themselves (cfdash.safetext); the app's Inert filter is the guard
    # for whatever a cell forgot, and the short way must keep it for every line it draws.
    from cfdash.tui.rows import Cell

    app = make_app(poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await app.engine.poll_all()
        await pilot.pause()
        grid = app.main.table
        key = grid.row_keys[0]
        grid.rows.cells[key]["error"] = Cell(f"x{raw}y")
        grid.painter.forget([key])
        lines = grid.render_lines(grid.size.region)
        text = "".join(text for line in lines for text, _, _ in line)
        assert "xy" in text.replace("]2;PWNED", "").replace("evil", "").replace("1m", "")
        for char in raw:
            if char.isprintable() and char.isascii():
                continue
            assert char not in text, repr(char)
        assert all(isinstance(segment, Segment) for line in lines for segment in line)


async def test_the_styles_kept_between_frames_follow_focus_theme_and_classes(served, make_app):
    """The table keeps its own, odd-row, cursor and header styles and its background from frame
    to frame; each restyling (the cursor's colour follows focus, every style the theme, an
    ancestor's class) must give what Textual works out afresh."""
    from cfdash.tui.widgets.grid_view import COMPONENTS

    def fresh(grid) -> tuple:
        grid._rich_style_cache.clear()
        odd, cursor, header = (grid.get_component_rich_style(name) for name in COMPONENTS)
        return (grid.rich_style, odd, cursor, header, grid.background_colors[1])

    app = make_app(poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await app.engine.poll_all()
        await pilot.pause()
        grid = app.main.table
        grid.focus()
        await pilot.pause()
        focused = grid._styles()
        assert focused == fresh(grid) and grid._styles() is focused  # kept while unchanged

        app.screen.set_focus(None)
        await pilot.pause()
        blurred = grid._styles()
        assert blurred == fresh(grid) and blurred[2] != focused[2]  # the cursor's colour

        app.theme = "cfdash-light"
        await pilot.pause()
        light = grid._styles()
        assert light == fresh(grid) and light[0] != blurred[0] and light[4] != blurred[4]

        app.screen.add_class("-restyled")  # an ancestor restyled: the table is too
        await pilot.pause()
        assert grid._styles() == fresh(grid) and grid._styles() is not light
        assert "job-grid--header" in COMPONENTS and grid._styles()[3] == light[3]
