"""NO_COLOR and the mono theme: the terminal gets no colour codes at all, on every screen.

Each screen is turned into the bytes a terminal would get, the way Textual's own display path
does it (the compositor's full update, rendered by a Rich console with a real colour system),
and those bytes are searched for colour codes.  Textual's answer to NO_COLOR, its Monochrome
filter, sends 256-colour or true-colour greys (``38;5;250``), which this catches.
"""

from __future__ import annotations

import io
import re

import pytest
from rich.console import Console
from rich.segment import Segment
from rich.style import Style

from cfdash.config import StateStore
from cfdash.demo import demo_settings
from cfdash.tui.colourless import QUIET_BELOW, Colourless, ColourSwitch, is_colourless
from cfdash.tui.contrast import MUTED_MINIMUM, theme_contrast
from cfdash.tui.themes import load_themes
from cfdash.tui.widgets.job_grid import JobGrid
from cfdash.tui.wiring import build_app

from .conftest import wait_for

SIZE = (150, 36)
_SGR = re.compile(r"\x1b\[([0-9;:]*)m")


def colour_codes(ansi: str) -> list[str]:
    """Every colour code in ``ansi``: 38/48 (256 and true colour) and the 16 ANSI colours.

    39 and 49 (the terminal's own default colours) are not colour codes.
    """
    found: list[str] = []
    for match in _SGR.finditer(ansi):
        params = match.group(1).replace(":", ";").split(";") if match.group(1) else ["0"]
        index = 0
        while index < len(params):
            param = params[index]
            if param in ("38", "48", "58"):
                kind = params[index + 1] if index + 1 < len(params) else ""
                width = 3 if kind == "5" else 5 if kind == "2" else 2
                found.append(";".join(params[index : index + width]))
                index += width
                continue
            if param.isdigit() and (
                30 <= int(param) <= 37
                or 40 <= int(param) <= 47
                or 90 <= int(param) <= 97
                or 100 <= int(param) <= 107
            ):
                found.append(param)
            index += 1
    return found


def test_colour_codes_finds_every_kind():
    assert colour_codes("\x1b[38;5;250mx\x1b[0m") == ["38;5;250"]
    assert colour_codes("\x1b[1;48;2;1;2;3;7mx") == ["48;2;1;2;3"]
    assert colour_codes("\x1b[31mx\x1b[101mx\x1b[39;49;1;2;4;7m") == ["31", "101"]


def screen_lines(app):
    """The whole screen as Textual would send it: one list of segments per line.

    Uses ``Screen._compositor`` (private, as ``App.export_screenshot`` does): a headless
    driver writes nothing, so this is the nearest a test gets to the terminal's bytes.
    """
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    return [[segment for strip in line for segment in strip] for line in update.strips]


def screen_ansi(app, color_system: str) -> str:
    """The screen as escape codes, as a terminal with ``color_system`` would receive them."""
    console = Console(
        file=io.StringIO(), force_terminal=True, color_system=color_system, legacy_windows=False
    )
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    return update.render_segments(console)


def line_with(app, text: str) -> list[Segment]:
    lines = screen_lines(app)
    found = [line for line in lines if text in "".join(segment.text for segment in line)]
    assert found, f"{text!r} is not on screen"
    return found[0]


@pytest.fixture
def make(served, tmp_path, monkeypatch):
    """The dashboard as the CLI builds it; ``no_color`` sets NO_COLOR for cfdash and Textual."""

    def build(*, no_color: bool = False, theme: str | None = None):
        if no_color:
            monkeypatch.setenv("NO_COLOR", "1")
        else:
            monkeypatch.delenv("NO_COLOR", raising=False)
        return build_app(
            demo_settings(served.base_url, refresh=60),
            store=StateStore(tmp_path / "state.toml"),
            clock=served.clock,
            poll=False,
            tick=False,
            theme=theme,
            themes_dir=tmp_path / "no-user-themes",
        )

    return build


def assert_colourless(app, where: str) -> None:
    for system in ("truecolor", "256", "standard"):
        codes = colour_codes(screen_ansi(app, system))
        assert codes == [], f"{where} ({system}): colour codes {sorted(set(codes))[:8]}"


async def polled(app, pilot) -> None:
    await app.engine.poll_all()
    await pilot.pause()


@pytest.mark.parametrize(
    ("no_color", "theme"), [(True, None), (False, "mono")], ids=["NO_COLOR", "mono"]
)
async def test_no_screen_sends_a_colour_code(make, no_color, theme):
    app = make(no_color=no_color, theme=theme)
    assert app.theme == "mono"
    async with app.run_test(size=SIZE) as pilot:
        await polled(app, pilot)
        assert_colourless(app, "the dashboard")
        grid = app.main.query_one(JobGrid)
        failed = next(j for j in app.engine.tracker.jobs.values() if j.phase == "failed")

        grid.select(failed.key)
        await pilot.press("enter")
        await wait_for(lambda: app.screen is not app.main, pilot)
        assert_colourless(app, "the details screen")
        await pilot.press("escape")
        await wait_for(lambda: app.screen is app.main, pilot)

        await pilot.press("question_mark")
        await wait_for(lambda: app.screen is not app.main, pilot)
        assert_colourless(app, "help")
        await pilot.press("escape")
        await wait_for(lambda: app.screen is app.main, pilot)

        await pilot.press("ctrl+p")
        await wait_for(lambda: app.screen is not app.main, pilot)
        await pilot.pause()
        assert_colourless(app, "the command palette")
        await pilot.press("escape")
        await wait_for(lambda: app.screen is app.main, pilot)

        await pilot.press("a")
        await wait_for(lambda: app.screen is not app.main, pilot)
        assert_colourless(app, "the add dialog")
        await pilot.press("escape")
        await wait_for(lambda: app.screen is app.main, pilot)

        await pilot.press("v")
        await pilot.pause()
        assert_colourless(app, "the releases panel")
        await pilot.press("escape")
        await pilot.press("slash")
        await pilot.pause()
        assert_colourless(app, "the filter box")
        await pilot.press("escape")
        await pilot.press("w")
        await pilot.pause()
        assert_colourless(app, "the wall")


async def test_what_colour_said_is_said_by_reverse_and_dim(make):
    app = make(no_color=True)
    async with app.run_test(size=SIZE) as pilot:
        await polled(app, pilot)
        grid = app.main.query_one(JobGrid)
        jobs = app.engine.tracker.jobs.values()
        running = next(j for j in jobs if j.phase == "running")
        failed = next(j for j in jobs if j.phase == "failed")
        grid.select(running.key)
        await pilot.pause()

        def styles_of(text: str, line: list[Segment]) -> list[Style]:
            return [seg.style for seg in line if text in seg.text and seg.style is not None]

        cursor_line = line_with(app, f"{running.jobid} ")
        words = [seg for seg in cursor_line if seg.text.strip() and seg.style is not None]
        assert words and all(seg.style.reverse for seg in words), "the cursor row is a block"
        # A failed row says so in glyph and word, and draws it as a block (the theme's reverse).
        failed_line = line_with(app, f"{failed.jobid} ")
        [state] = styles_of("✖ Failed", failed_line)
        assert state.reverse and state.bold
        running_line = line_with(app, str(next(j for j in jobs if j.phase == "running"
                                                and j.key != running.key).jobid))  # fmt: skip
        [word] = styles_of("▶ Running", running_line)
        assert word.bold and not word.reverse
        # The header's badges are blocks too.
        [badge] = styles_of(" cfdash ", line_with(app, " cfdash "))
        assert badge.reverse
        # A placeholder is quiet: dim, not colour.
        await pilot.press("slash")
        await pilot.pause()
        [hint] = styles_of("ilter: account", line_with(app, "filter: account"))  # f: the cursor
        assert hint.dim and not hint.reverse


async def test_a_theme_asked_for_keeps_its_colours_and_mono_drops_them_again(make):
    # --theme outranks NO_COLOR (no-color.org), and then it is that theme's colours, not
    # Textual's greys.
    app = make(no_color=True, theme="cfdash-dark")
    async with app.run_test(size=SIZE) as pilot:
        await polled(app, pilot)
        assert has_failed_red(colour_codes(screen_ansi(app, "truecolor")))
        for _ in range(3):  # t: cfdash-light, ops-wall, mono
            await pilot.press("t")
        await pilot.pause()
        assert app.theme == "mono"
        assert_colourless(app, "mono, chosen with t")
        await pilot.press("t")
        await pilot.pause()
        assert app.theme == "cfdash-dark"
        assert has_failed_red(colour_codes(screen_ansi(app, "truecolor")))


def has_failed_red(codes: list[str]) -> bool:
    """cfdash-dark's state-failed (#ff6b63) is drawn: a foreground within 1 of it in each
    channel, since Textual's blending may round a channel (255 comes out 254 after some
    earlier app in the same process has warmed its colour caches)."""
    for code in codes:
        parts = code.split(";")
        if parts[:2] == ["38", "2"] and len(parts) == 5:
            rgb = [int(part) for part in parts[2:]]
            if all(abs(a - b) <= 1 for a, b in zip(rgb, (255, 107, 99), strict=True)):
                return True
    return False


# -- the filter on its own -----------------------------------------------------------------


def restyle(style: Style, background=(18, 18, 18)) -> Style:
    from textual.color import Color

    [segment] = Colourless(Color(224, 224, 224), dark=True).apply(
        [Segment("text", style)], Color(*background)
    )
    assert segment.style is not None
    return segment.style


def test_the_filter_turns_colours_into_attributes():
    plain = restyle(Style(color="#e0e0e0", bgcolor="#121212", bold=True))
    assert (plain.bold, plain.reverse, plain.dim) == (True, False, None)
    assert plain.color is not None and plain.color.is_default and plain.bgcolor.is_default
    block = restyle(Style(color="#000000", bgcolor="#e0e0e0"))  # the cursor row
    assert block.reverse and not block.dim
    drawn_reversed = restyle(Style(color="#ffffff", bgcolor="#121212", reverse=True))
    assert drawn_reversed.reverse  # a reversed light colour is a block too
    quiet = restyle(Style(color="#8c8c8c", bgcolor="#121212", underline=True))
    assert quiet.dim and quiet.underline and not quiet.reverse
    defaults = restyle(Style(italic=True), background=(18, 18, 18))  # colours from the widget
    assert defaults.italic and not defaults.reverse and not defaults.dim
    linked = restyle(Style(color="#e0e0e0", meta={"@click": "app.bell"}))
    assert linked.meta == {"@click": "app.bell"}  # clicks still work


def test_textual_greys_are_dropped_in_every_theme():
    from rich.terminal_theme import MONOKAI
    from textual.filter import ANSIToTruecolor, Monochrome, NoColor

    themes = load_themes(None).themes
    switch = ColourSwitch()
    textual = [ANSIToTruecolor(MONOKAI), Monochrome(), NoColor()]
    assert [type(f) for f in switch.filters(textual, themes["ops-wall"])] == [ANSIToTruecolor]
    kinds = [type(f) for f in switch.filters(textual, themes["mono"])]
    assert kinds == [ANSIToTruecolor, Colourless]
    assert is_colourless("mono") and not is_colourless("cfdash-dark")


def test_mono_keeps_text_above_the_dim_line_and_muted_text_below_it():
    """The filter draws text below QUIET_BELOW dim; mono's greys are chosen around it."""
    for check in theme_contrast(load_themes(None).themes["mono"]):
        if check.minimum == MUTED_MINIMUM:
            assert check.ratio < QUIET_BELOW, f"{check.element} would not come out dim"
        else:
            assert check.ratio >= QUIET_BELOW, f"{check.element} would come out dim"
