"""Keys and mouse: the keymap in force (and in the help), and clicks on the table."""

from __future__ import annotations

import pytest

from cfdash.config import StateStore
from cfdash.demo import demo_settings
from cfdash.keys import BINDINGS, MAIN_SCOPES, in_scope, normalize_keys
from cfdash.tui.app import CfdashApp
from cfdash.tui.rows import COLUMNS
from cfdash.tui.screens.add_job import AddJobScreen
from cfdash.tui.screens.confirm import ConfirmScreen
from cfdash.tui.screens.details import DetailsScreen
from cfdash.tui.screens.fleets import FleetsScreen
from cfdash.tui.screens.help import HelpScreen
from cfdash.tui.screens.main import MainScreen
from cfdash.tui.screens.wall import WallScreen
from cfdash.tui.textual_compat import normalize_key_list
from cfdash.tui.widgets.job_grid import JobGrid
from cfdash.tui.widgets.release_panel import ReleasePanel
from cfdash.tui.wiring import build_app

from .conftest import notices_of

SIZE = (150, 32)


@pytest.fixture
def make(served, tmp_path):
    def build(keymap: dict[str, str] | None = None):
        # pipeline: an image is watched, so every key is offered (fleets is only then).
        settings = demo_settings(served.base_url, refresh=60, pipeline=True)
        settings = settings.model_copy(update={"keymap": keymap or {}, "path": tmp_path / "c.toml"})
        return build_app(
            settings,
            store=StateStore(tmp_path / "state.toml"),
            clock=served.clock,
            poll=False,
            tick=False,
            themes_dir=tmp_path / "themes",
            environ={},
        )

    return build


async def test_footer_help_and_palette_show_what_the_key_table_says(make):
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        dashboard = [b for b in BINDINGS if b.scope in MAIN_SCOPES]
        footer = {(k.key, k.action, k.description) for k in app.main.query("FooterKey")}
        footer.discard(("ctrl+p", "command_palette", "palette"))  # Textual's own
        # Every shown key, worded as in the table; the hidden ones are in help and palette.
        assert footer == {(b.keys, b.action, b.description) for b in dashboard if b.show}
        help_rows = app.help_rows()
        assert [description for _, description in help_rows[: len(dashboard)]] == [
            b.description for b in dashboard if b.scope == "main"
        ] + [b.description for b in dashboard if b.scope == "app"]
        palette = {c.title: c.help for c in app.get_system_commands(app.main)}
        for binding in (b for b in dashboard if b.scope == "main"):
            assert palette[binding.description].startswith(binding.tooltip)
        # Each screen and widget declares exactly its scope's rows, ids included.
        for owner, scope in [
            (CfdashApp, "app"),
            (MainScreen, "main"),
            (HelpScreen, "help"),
            (ConfirmScreen, "confirm"),
            (AddJobScreen, "add"),
            (DetailsScreen, "details"),
            (FleetsScreen, "fleets"),
            (ReleasePanel, "releases"),
            (WallScreen, "wall"),
            (JobGrid, "table"),
        ]:
            declared = [(b.id, b.key, b.action) for b in owner.BINDINGS]  # type: ignore[union-attr]
            assert declared == [(b.id or None, b.keys, b.action) for b in in_scope(scope)]


@pytest.mark.parametrize("keys", ["?", "/", "q", "ctrl+r", "escape,?", "@", "-", "+", "_"])
def test_keys_are_normalised_as_textual_normalises_them(keys):
    assert ",".join(normalize_keys(keys)) == normalize_key_list(keys)


async def test_a_remapped_key_works_and_the_help_shows_it(make):
    app = make({"queue": "z", "refresh": "q"})  # no clash: z is free, q is freed
    shown = notices_of(app)
    async with app.run_test(size=SIZE) as pilot:
        await app.engine.poll_all()
        await pilot.pause()
        job = next(j for j in app.engine.tracker.jobs.values() if j.phase == "pending")
        app.main.query_one(JobGrid).select(job.key)
        await pilot.press("z")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("escape")
        await pilot.press("q")  # now refresh, not queue
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen)
        assert "Refreshing…" in shown

        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        rows = {description: key for key, description in app.help_rows()}
        assert rows["Queue"] == "z" and rows["Refresh"] == "q"
        palette = {command.title: command.help for command in app.get_system_commands(app.main)}
        assert palette["Queue"].endswith("(z)") and palette["Refresh"].endswith("(q)")
        help_text = app.screen.plain()
        assert "z  " in help_text and "Queue" in help_text


async def test_a_clashing_remap_is_not_applied_and_one_notice_says_why(make, tmp_path):
    app = make({"queue": "r", "qeue": "z"})
    shown = notices_of(app)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        [notice] = [text for text in shown if "keymap" in text]
        assert f"{tmp_path / 'c.toml'}: keymap.queue: expected a key nothing else" in notice
        assert "keymap.qeue" in notice and "keep their default bindings" in notice
        rows = {description: key for key, description in app.help_rows()}
        assert rows["Queue"] == "q" and rows["Refresh"] == "r"  # both still reachable


def header_x(table: JobGrid, column: str) -> int:
    """The x offset of a column's header cell (just inside it)."""
    return table.column_x(column) + 1


async def test_clicking_a_header_sorts_and_clicking_again_reverses(make):
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await app.engine.poll_all()
        await pilot.pause()
        table = app.main.query_one(JobGrid)
        for column in (c for c in COLUMNS if c.sort):  # every column but the mark sorts
            await pilot.click(JobGrid, offset=(header_x(table, column.key), 0))
            await pilot.pause()
            assert table.sort == column.key
        await pilot.click(JobGrid, offset=(header_x(table, "progress"), 0))
        await pilot.pause()
        assert table.sort_label == "progress"
        shown = [table.cell_text(key, "progress") for key in table.row_keys]
        percents = [int(text.split()[-1].rstrip("%")) for text in shown]
        assert percents == sorted(percents, reverse=True) and len(set(percents)) > 1
        await pilot.click(JobGrid, offset=(header_x(table, "progress"), 0))
        await pilot.pause()
        assert table.sort_label == "progress, reversed"
        shown = [table.cell_text(key, "progress") for key in table.row_keys]
        assert [int(text.split()[-1].rstrip("%")) for text in shown] == sorted(percents)
        await pilot.press("s")  # the key goes on from the header's sort, unreversed
        assert table.sort_label == "ETA"


async def test_clicking_a_row_selects_it(make):
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await app.engine.poll_all()
        await pilot.pause()
        table = app.main.query_one(JobGrid)
        assert table.cursor_row == 0
        await pilot.click(JobGrid, offset=(2, 3))  # header row, then rows 0, 1, 2
        await pilot.pause()
        assert table.cursor_row == 2
        assert not isinstance(app.screen, DetailsScreen)  # a first click only selects
