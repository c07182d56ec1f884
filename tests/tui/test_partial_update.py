"""A frame that updates some lines asks only the widgets on those lines, and draws them as a
whole-screen render would (cfdash.tui.textual_compat.render_only_lines_updated)."""

from __future__ import annotations

from textual.geometry import Region
from textual.strip import Strip
from textual.widgets import Footer

from cfdash.tui.widgets.status_header import StatusHeader

SIZE = (160, 24)


def updated_lines(update) -> dict[int, list[tuple[str, object]]]:
    """The cells a partial update writes, by line: (character, style), span by span."""
    lines: dict[int, list[tuple[str, object]]] = {}
    for y, x1, x2 in update.spans:
        strip = Strip.join(strip for strip in update.chops[y].values() if strip is not None)
        cells = [(char, style) for text, style, _ in strip for char in text]
        lines[y] = cells[x1 : x2 + 1]
    return lines


async def test_an_update_of_table_lines_draws_them_as_the_whole_screen_does(
    served, make_app, monkeypatch
):
    app = make_app(poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await app.engine.poll_all()
        await pilot.pause()
        compositor = app.screen._compositor
        asked: list[str] = []
        for kind in (Footer, StatusHeader):
            original = kind.render_lines

            def spy(widget, crop, original=original, name=kind.__name__):
                asked.append(name)
                return original(widget, crop)

            monkeypatch.setattr(kind, "render_lines", spy)
        table = app.main.table.region
        compositor._dirty_regions.add(Region(0, table.y + 2, table.width, 3))
        update = compositor.render_partial_update()
        assert update is not None and not asked  # neither header nor footer was asked
        whole = compositor.render_strips()
        lines = updated_lines(update)
        assert sorted(lines) == [table.y + 2, table.y + 3, table.y + 4]
        for y, cells in lines.items():
            assert cells == [(char, style) for text, style, _ in whole[y] for char in text]
            assert any(char.isdigit() for char, _ in cells)  # a job's row, not a blank

        footer = app.screen.query_one(Footer).region
        compositor._dirty_regions.add(Region(0, footer.y, footer.width, 1))
        update = compositor.render_partial_update()
        assert "Footer" in asked  # a widget on an updated line is asked, as before
        assert updated_lines(update)[footer.y] == [
            (char, style) for text, style, _ in compositor.render_strips()[footer.y]
            for char in text
        ]  # fmt: skip
