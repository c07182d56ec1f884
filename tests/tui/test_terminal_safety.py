"""Text from the API never drives the terminal from the dashboard.

Rich strips only BEL, BS, VT, FF and CR: an ESC in a ``joberror``, a machine name, a diff's
path or a region name went out to the terminal as it was, and ``\\x1b]2;PWNED\\x07`` retitled
it while ``\\x1b[2J`` cleared the screen (found by trying it in tmux). These tests render what
the app would write to the terminal and look for the sequences, on every screen that shows
such text; the cells and the details show them as visible escapes.
"""

from __future__ import annotations

from cfdash.config import ImageEntry, JobEntry, StateStore
from cfdash.demo import demo_settings
from cfdash.sim import Fault, FaultKind, JobState
from cfdash.tui.inert import Inert
from cfdash.tui.screens.accounts import AccountsScreen
from cfdash.tui.screens.confirm import BulkConfirmScreen, ConfirmScreen
from cfdash.tui.screens.details import DetailsScreen
from cfdash.tui.widgets.job_grid import JobGrid
from cfdash.tui.wiring import build_app

EVIL = "\x1b]2;PWNED\x07\x1b[2J\u202eevil\u202c\x9b1m"
PROD = 12345
UPDATE, DIFF, IMAGE, INSTALL = 91, 92, 1002, 5559001
SIZE = (160, 45)


def hostile_app(served, tmp_path):
    sim = served.sim
    layout = {5011: {101: (f"EU {EVIL}", 5)}}
    sim.pipeline.add_image(PROD, IMAGE, layout=layout)
    sim.pipeline.add_image(PROD, 1003)
    sim.pipeline.add_update(PROD, 1003, jobid=UPDATE, state=JobState.FAILED, error=f"u {EVIL}")
    diff = sim.pipeline.add_diff(PROD, IMAGE, jobid=DIFF, state=JobState.COMPLETE)
    diff.changes = {"added": {f"bin/{EVIL}.so": {"size": 1, "md5": "0" * 32}}}
    sim.add_job(PROD, jobid=INSTALL, state=JobState.FAILED, error=f"i {EVIL}", machine=f"m-{EVIL}")
    settings = demo_settings(served.base_url, refresh=60.0)
    production = settings.accounts["production"].model_copy(
        update={
            "jobs": (
                JobEntry(id=INSTALL),
                JobEntry(id=UPDATE, stage="update"),
                JobEntry(id=DIFF, stage="diff"),
            ),
            "images": (ImageEntry(id=IMAGE),),
        }
    )
    settings = settings.model_copy(
        update={"accounts": {**settings.accounts, "production": production}}
    )
    store = StateStore(tmp_path / "state.toml")
    return build_app(settings, store=store, clock=served.clock, poll=False, tick=False)


def terminal_output(app) -> str:
    """What the app writes to the terminal for a full redraw of the screen in front."""
    update = app.screen._compositor.render_update(full=True)
    return update.render_segments(app.console)


def assert_inert(output: str) -> None:
    assert "PWNED" not in output or "\x1b]2;PWNED" not in output
    for raw in ("\x1b]", "\x1b[2J", "\u202e", "\x9b", "\x07"):
        assert raw not in output, repr(raw)


async def test_no_screen_writes_api_control_characters_to_the_terminal(served, tmp_path):
    app = hostile_app(served, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await app.engine.poll_all()
        await pilot.pause()
        grid = app.main.query_one(JobGrid)
        assert grid.cell_text(("production", "install", INSTALL), "error").startswith(
            "i \\x1b]2;PWNED\\x07"
        )
        assert_inert(terminal_output(app))

        grid.select(("production", "diff", DIFF))
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DetailsScreen)
        assert "added     bin/\\x1b]2;PWNED\\x07\\x1b[2J\\u202eevil" in app.screen._shown
        assert_inert(terminal_output(app))
        await pilot.press("escape")

        await pilot.press("i")  # the fleets: region names
        await pilot.pause()
        assert_inert(terminal_output(app))
        await pilot.press("escape")
        await pilot.pause()

        grid.select(("production", "update", UPDATE))
        await pilot.press("q")  # the retry confirm quotes the error
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert "u \\x1b]2;PWNED" in app.screen.body_text
        assert_inert(terminal_output(app))
        await pilot.press("escape")
        await pilot.pause()

        # An account whose error envelope carries hostile text: the accounts screen (A).
        served.sim.faults.add(
            Fault(FaultKind.ERROR_ENVELOPE, endpoint="status", asid=PROD, message=EVIL, status=401)
        )
        await app.engine.poll_all()
        await pilot.press("A")
        await pilot.pause()
        assert isinstance(app.screen, AccountsScreen)
        listed = app.screen.table()
        cells = [str(cell) for column in listed.columns for cell in column.cells]
        assert any("credentials rejected" in cell for cell in cells), cells
        assert str(listed.caption).startswith("esc closes")
        assert_inert(terminal_output(app))


def test_the_line_filter_drops_control_characters_and_keeps_widths():
    from rich.segment import ControlType, Segment
    from textual.color import Color

    # A control segment is Textual's own (a cursor move, a clear): it passes as it is.
    plain = [Segment("abc"), Segment("\x1b[2J", None, [(ControlType.CLEAR,)])]
    assert Inert().apply(plain, Color(0, 0, 0)) is plain
    [cleaned, control] = Inert().apply([Segment(f"a{EVIL}b"), plain[1]], Color(0, 0, 0))
    assert cleaned.text == "a]2;PWNED[2Jevil1mb" and cleaned.cell_length == len(
        "a]2;PWNED[2Jevil1mb"
    )
    assert control is plain[1]


def test_the_bulk_confirm_key_is_named_as_its_button():
    """The footer and palette entry of ``y`` said "Queue all" on a confirm of retries."""
    for label in ("Retry all", "Send all", "Queue all"):
        screen = BulkConfirmScreen("t", "b", confirm_label=label)
        [yes] = screen._bindings.key_to_bindings["y"]
        assert yes.description == label
