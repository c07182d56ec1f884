"""Issue 16's polish, on the real app: one key notation, a palette without noise or twins,
read-only keys that say why they do nothing, every column explained, an export path that can
be read and pasted."""

from __future__ import annotations

from pathlib import Path

import pytest

from cfdash.keys import BINDINGS, in_scope
from cfdash.tui.app import READ_ONLY_REPLY
from cfdash.tui.rows import COLUMNS
from cfdash.tui.screens.confirm import ConfirmScreen
from cfdash.tui.screens.help import COLUMN_HELP, HelpScreen
from cfdash.tui.screens.main import WRITES
from cfdash.tui.toasts import STATUS_TIMEOUT, text_width

from .conftest import notices_of

SIZE = (150, 32)


async def polled(app, pilot) -> None:
    await app.engine.poll_all()
    await pilot.pause()


async def test_one_key_notation_in_footer_help_and_palette(served, make_app):
    app = make_app(poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        footer = {key.key: key.key_display for key in app.main.query("FooterKey")}
        assert footer["ctrl+q"] == "ctrl+q" and footer["ctrl+p"] == "ctrl+p"
        assert footer["slash"] == "/" and footer["question_mark"] == "?"
        help_keys = dict((description, key) for key, description in app.help_rows())
        assert help_keys["Mark all in view"] == "ctrl+a"
        assert help_keys["Quit"] == "ctrl+q" and help_keys["Command palette"] == "ctrl+p"
        assert help_keys["Details"] == "enter" and help_keys["Back"] == "esc"
        palette = {command.title: command.help for command in app.get_system_commands(app.main)}
        assert palette["Mark all in view"].endswith("(ctrl+a)")
        everything = [*footer.values(), *help_keys.values(), *palette.values()]
        assert not [text for text in everything if "^" in text]  # never Textual's caret


async def test_the_palette_lists_each_command_once_and_none_of_textuals_noise(served, make_app):
    app = make_app(poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        titles = [command.title for command in app.get_system_commands(app.main)]
        assert len(titles) == len(set(titles)), titles
        assert not {"Keys", "Maximize", "Minimize"} & set(titles)
        dashboard = {b.description for b in in_scope("main") if b.action != "fleets"}
        assert dashboard <= set(titles)  # every dashboard key, titled as in the footer
        assert {"Theme", "Quit"} <= set(titles)  # Textual's that mean something here
        for command in app.get_system_commands(app.main):
            assert command.help != command.title  # never "Add" over "Add"


async def test_read_only_keys_answer_why_they_do_nothing(served, make_app):
    app = make_app(poll=False, read_only=True)
    shown = notices_of(app)
    async with app.run_test(size=SIZE) as pilot:
        await polled(app, pilot)
        writes = [b for b in BINDINGS if b.scope == "main" and b.action in WRITES]
        assert {b.keys for b in writes} >= {"q", "a", "d", "space", "ctrl+a", "x"}
        for binding in writes:
            shown.clear()
            await pilot.press(binding.keys.split(",")[0])
            await pilot.pause()
            assert shown == [READ_ONLY_REPLY], binding.id
            assert app.screen is app.main  # nothing opened
        replies = [t for t in app.toaster.shown if t.message == READ_ONLY_REPLY]
        assert replies and {t.timeout for t in replies} == {STATUS_TIMEOUT}  # short toasts
        assert replies[-1].title == writes[-1].description  # it names what was refused
        assert served.sim.requests.count("queue") == 0 and not app.main.table.marked
        shown.clear()
        await pilot.press("r", "question_mark")  # keys that change nothing say nothing
        await pilot.pause()
        assert READ_ONLY_REPLY not in shown


async def test_queueing_keys_say_nothing_of_read_only_when_it_is_off(served, make_app):
    app = make_app(poll=False)
    shown = notices_of(app)
    async with app.run_test(size=SIZE) as pilot:
        await polled(app, pilot)
        job = next(j for j in app.engine.tracker.jobs.values() if j.phase == "pending")
        app.main.table.select(job.key)
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen) and READ_ONLY_REPLY not in shown


async def test_help_explains_every_column(served, make_app):
    app = make_app(poll=False)
    async with app.run_test(size=(120, 60)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        lines = [line.strip() for line in app.screen.plain().splitlines()]
        columns = [(column.label, COLUMN_HELP.get(column.key, "")) for column in COLUMNS]
        for label, meaning in [*columns, ("Stage", COLUMN_HELP["stage"])]:
            assert meaning, f"column {label!r} is not explained"
            opening = " ".join(meaning.split()[:3])
            assert any(
                line.startswith(f"{label} ") and opening in " ".join(line.split()) for line in lines
            ), label
        text = " ".join(" ".join(lines).split())
        assert "Stage" in text and "the release step" in text  # folded into Job when narrow
        assert "✓" in text and "marked for a bulk action" in text


@pytest.mark.parametrize("width", [80, 150])
async def test_the_export_path_is_shown_whole_and_copied(served, make_app, tmp_path, width):
    app = make_app(poll=False)
    target = tmp_path / "a-rather-long-folder-for-exports" / "deeper" / "cfdash-20260101.csv"
    target.parent.mkdir(parents=True)
    app.main.export_path = lambda now: target
    async with app.run_test(size=(width, 32)) as pilot:
        await polled(app, pilot)
        await pilot.press("e")
        await pilot.pause()
        assert target.exists()
        assert app.clipboard == str(target)
        [toast] = [t for t in app.toaster.shown if t.title == "Export"]
        lines = toast.message.splitlines()
        assert target.name in lines  # the file name on a line of its own, never broken
        path_lines = lines[1 : lines.index(target.name) + 1]
        assert "".join(path_lines) == str(target)
        assert all(len(line) <= text_width(width) for line in path_lines[:-1])
        assert "clipboard" in lines[-1]
        assert Path("".join(path_lines)).exists()
