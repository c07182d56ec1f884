"""Help and the palette name what the dashboard shows: every stage letter the Job cell folds
in, a retry's answer in the Queue column, the keys of quit and help."""

from __future__ import annotations

from cfdash.tui.grid_layout import STAGE_LETTERS
from cfdash.tui.screens.help import COLUMN_HELP


def test_help_names_every_stage_letter_the_job_cell_shows():
    for stage, letter in STAGE_LETTERS.items():
        if letter:  # `v 4244` on the screen was unexplained
            assert f"{stage} ({letter})" in COLUMN_HELP["stage"]


def test_help_says_the_queue_column_also_shows_retries():
    assert "retried ✓" in COLUMN_HELP["queue"]


async def test_the_palette_names_the_keys_of_quit_and_help(served, make_app):
    """Textual's own "Quit" entry (no key) won over cfdash's; "Help" was not offered."""
    app = make_app(poll=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        commands = list(app.get_system_commands(app.main))
        titles = [command.title for command in commands]
        assert len(titles) == len(set(titles))
        palette = {command.title: command.help for command in commands}
        assert palette["Quit"].endswith("(ctrl+q)") and palette["Help"].endswith("(?)")
        [help_command] = [command for command in commands if command.title == "Help"]
        app.call_later(help_command.callback)  # as the palette runs it
        await pilot.pause()
        assert type(app.screen).__name__ == "HelpScreen"
