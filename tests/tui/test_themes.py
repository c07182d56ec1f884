"""Themes: the shipped files, user files good and bad, which one wins, and switching live."""

from __future__ import annotations

import colorsys
import tomllib
from pathlib import Path

import pytest
from textual.color import Color

from cfdash.config import StateStore
from cfdash.config.errors import ConfigError
from cfdash.demo import demo_settings
from cfdash.textfmt import STATE_SYMBOLS
from cfdash.tui.themes import (
    BUILTIN_THEMES,
    STATES,
    LoadedThemes,
    UnknownTheme,
    builtin_themes_dir,
    choose_theme,
    load_themes,
    phase_styles,
    read_theme_file,
    theme_names,
)
from cfdash.tui.widgets.job_grid import JobGrid
from cfdash.tui.wiring import build_app

from .conftest import notices_of, wait_for

SIZE = (150, 32)
GOOD = 'name = "{name}"\nprimary = "#336699"\n[variables]\nstate-failed = "#ff00ff"\n'


@pytest.fixture
def themes_dir(tmp_path) -> Path:
    path = tmp_path / "user-themes"
    path.mkdir()
    return path


@pytest.fixture
def make(served, tmp_path, themes_dir):
    """The dashboard as the CLI builds it, with its own state file and user themes folder."""

    def build(*, theme: str | None = None, environ=None, **settings_update):
        settings = demo_settings(served.base_url, refresh=60)
        if settings_update:
            settings = settings.model_copy(update=settings_update)
        return build_app(
            settings,
            store=StateStore(tmp_path / "state.toml"),
            clock=served.clock,
            poll=False,
            tick=False,
            theme=theme,
            themes_dir=themes_dir,
            environ={} if environ is None else environ,
        )

    return build


# -- the shipped files -------------------------------------------------------------------------


def test_every_shipped_theme_loads_with_every_state_colour():
    loaded = load_themes(None)
    assert loaded.problems == []
    assert list(loaded.themes) == list(BUILTIN_THEMES)
    for name in BUILTIN_THEMES:
        path = builtin_themes_dir() / f"{name}.toml"
        assert tomllib.loads(path.read_text())["name"] == name  # file name = theme name
        assert path.read_text().startswith("# A cfdash theme."), "the format comment"
        variables = loaded.themes[name].variables
        assert {f"state-{state}" for state in STATES} <= set(variables)


def hue_and_saturation(colour: str) -> tuple[float, float]:
    rgb = Color.parse(colour)
    hue, _, saturation = colorsys.rgb_to_hls(rgb.r / 255, rgb.g / 255, rgb.b / 255)
    return hue * 360, saturation


def colours_of(name: str) -> dict[str, str]:
    theme = read_theme_file(builtin_themes_dir() / f"{name}.toml")
    generated = theme.to_color_system().generate()
    keys = ["primary", "secondary", "accent", "success", "warning", "error", "background"]
    picked = {key: generated[key] for key in keys}
    picked |= {k: v for k, v in theme.variables.items() if not k.endswith("style")}
    return picked


def test_ops_wall_uses_no_red_and_no_green():
    for key, colour in colours_of("ops-wall").items():
        hue, saturation = hue_and_saturation(colour)
        if saturation < 0.15:
            continue  # black, white and greys
        assert not (hue < 20 or hue > 330), f"{key} {colour} is red"
        assert not (75 < hue < 165), f"{key} {colour} is green"


def test_ops_wall_draws_trouble_as_a_block():
    theme = load_themes(None).themes["ops-wall"]
    styles = phase_styles({**theme.to_color_system().generate(), **theme.variables})
    assert "reverse" in styles["failed"].split() and "reverse" in styles["stalled"].split()


def test_mono_has_no_colour_at_all():
    for key, colour in colours_of("mono").items():
        assert hue_and_saturation(colour)[1] == 0, f"{key} {colour} is not a grey"


def test_every_state_reads_without_colour():
    # Each phase has its own symbol (complete and finished share ✔, with different words).
    symbols = {phase: symbol for phase, symbol in STATE_SYMBOLS.items() if phase != "finished"}
    assert len(set(symbols.values())) == len(symbols)


# -- user files --------------------------------------------------------------------------------


def test_a_user_theme_is_added_after_the_built_ins(themes_dir):
    (themes_dir / "night.toml").write_text(GOOD.format(name="night-shift"))
    loaded = load_themes(themes_dir)
    assert list(loaded.themes) == [*BUILTIN_THEMES, "night-shift"]
    assert theme_names(themes_dir) == [*BUILTIN_THEMES, "night-shift"]
    assert phase_styles(loaded.themes["night-shift"].variables)["failed"] == "bold #FF00FF"


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ('primary = "#123456"\nprimray = "#000000"\n', "primray: expected one of the theme keys"),
        ('primary = "blu"\n', 'primary: expected a colour, like "#1e90ff"'),
        ('dark = "yes"\nprimary = "#123456"\n', 'dark: expected true or false, got "yes"'),
        ("name = 'x'\n", "primary: expected a colour"),
        ('primary = "#123456"\n[variables]\nstate-failed = "reddish"\n', "variables.state-failed"),
        ('primary = "#123456"\n[variables]\nstate-failed-text-style = "loud"\n', "text style"),
        ('primary = "#123456"\n[variables]\nstate-exploded = "#ff0000"\n', "a state variable"),
        ('primary = "#123456"\nname = ', "expected valid TOML, got a syntax error"),
    ],
)
def test_a_broken_user_theme_is_one_problem_naming_the_file(themes_dir, text, says):
    (themes_dir / "broken.toml").write_text(text)
    loaded = load_themes(themes_dir)
    assert list(loaded.themes) == list(BUILTIN_THEMES)
    [problem] = loaded.problems
    assert "broken.toml" in str(problem) and says in str(problem)
    assert loaded.broken == {"broken"} or loaded.broken == {"x"}


async def test_a_broken_user_theme_falls_back_with_one_notice(make, themes_dir):
    (themes_dir / "broken.toml").write_text('primary = "blu"\n')
    (themes_dir / "also-bad.toml").write_text("primary = \n")
    app = make(theme="broken")
    assert app.theme == "cfdash-dark"
    shown = notices_of(app)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        theme_notices = [text for text in shown if "broken.toml" in text]
        assert len(theme_notices) == 1
        [notice] = theme_notices
        assert "also-bad.toml" in notice and "primary: expected a colour" in notice
        assert "Those files were skipped." in notice
        assert notice.endswith('The theme "broken" could not be loaded; using cfdash-dark.')


# -- choosing ----------------------------------------------------------------------------------


def choose(**kwargs):
    options = {"explicit": None, "saved": None, "configured": "cfdash-dark", "config_path": None,
               "no_color": False} | kwargs  # fmt: skip
    return choose_theme(load_themes(None), **options).name


def test_precedence_explicit_then_no_color_then_saved_then_config():
    assert choose(configured="cfdash-light") == "cfdash-light"
    assert choose(configured="cfdash-light", saved="ops-wall") == "ops-wall"
    assert choose(configured="cfdash-light", saved="ops-wall", no_color=True) == "mono"
    assert choose(saved="ops-wall", no_color=True, explicit="cfdash-light") == "cfdash-light"


def test_a_saved_theme_that_has_gone_is_skipped_with_a_notice():
    choice = choose_theme(load_themes(None), explicit=None, saved="deleted-one",
                          configured="ops-wall", config_path=None, no_color=False)  # fmt: skip
    assert choice.name == "ops-wall"
    assert choice.notices == ('The theme last chosen, "deleted-one", is no longer available; '
                              "using ops-wall.",)  # fmt: skip


def test_an_unknown_theme_name_lists_the_available_ones(themes_dir):
    with pytest.raises(UnknownTheme) as raised:
        choose_theme(load_themes(None), explicit="ops-wal", saved=None, configured="cfdash-dark",
                     config_path=None, no_color=False, user_dir=themes_dir)  # fmt: skip
    assert isinstance(raised.value, ConfigError)  # so the CLI prints it and exits 2
    assert str(raised.value) == (
        "--theme: expected a theme name (cfdash-dark, cfdash-light, ops-wall, mono) or the "
        f'name of a theme file in {themes_dir}, got "ops-wal"'
    )
    config = Path("/etc/cfdash.toml")
    with pytest.raises(UnknownTheme, match=r'^/etc/cfdash.toml: theme: expected .*got "nope"$'):
        choose_theme(load_themes(None), explicit=None, saved="ops-wall", configured="nope",
                     config_path=config, no_color=False)  # fmt: skip


def test_no_themes_at_all_still_starts():
    assert choose_theme(LoadedThemes(), explicit=None, saved=None, configured="cfdash-dark",
                        config_path=None, no_color=False).name == "textual-dark"  # fmt: skip


def test_the_cli_says_one_sentence_and_exits_2_for_an_unknown_theme(tmp_path, monkeypatch, capsys):
    import platformdirs

    from cfdash.cli import main

    for kind in ("config", "state", "log"):
        monkeypatch.setattr(
            platformdirs, f"user_{kind}_dir", lambda *a, _k=kind, **k: str(tmp_path / _k)
        )
    config = tmp_path / "config.toml"
    config.write_text('[accounts.production]\naccountserviceid = 1\naccess_key = "a"\n'
                      'secret_key = "b"\nbase_url = "http://127.0.0.1:9"\n')  # fmt: skip
    config.chmod(0o600)
    assert main(["--config", str(config), "--theme", "ops-wal"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("cfdash: --theme: expected a theme name (cfdash-dark, cfdash-light, ")
    assert err.rstrip().endswith('got "ops-wal"')


def test_no_color_selects_mono(make):
    assert make(environ={"NO_COLOR": "1"}).theme == "mono"
    assert make(environ={"NO_COLOR": ""}).theme == "cfdash-dark"  # empty counts as unset
    assert make(environ={"NO_COLOR": "1"}, theme="ops-wall").theme == "ops-wall"


# -- switching ---------------------------------------------------------------------------------


def state_cell_style(app, phase: str) -> str:
    job = next(j for j in app.engine.tracker.jobs.values() if j.phase == phase)
    return str(app.main.query_one(JobGrid).cell_style(job.key, "state")).lower()


def header_style(app, words: str) -> str:
    content = app.main.header.content
    spans = [span for span in content.spans if words in content.plain[span.start : span.end]]
    return str(spans[0].style)


async def test_t_cycles_restyles_and_is_remembered(make, tmp_path):
    app = make(theme=None)
    async with app.run_test(size=SIZE) as pilot:
        await app.engine.poll_all()
        await pilot.pause()
        assert app.theme == "cfdash-dark"
        assert "#ff6b63" in state_cell_style(app, "failed")
        await pilot.press("t")
        await pilot.pause()
        assert app.theme == "cfdash-light"
        assert "#c21c28" in state_cell_style(app, "failed")  # the table re-read its colours
        await pilot.press("t")
        await pilot.pause()
        assert app.theme == "ops-wall"
        assert state_cell_style(app, "failed") == "bold reverse #ff9f1c"
        assert header_style(app, "1 failed") == "bold #FE9F1C"  # the header was rebuilt too
    assert StateStore(tmp_path / "state.toml").load().theme == "ops-wall"

    again = make()
    assert again.theme == "ops-wall"  # the last choice beats the config's default
    assert make(theme="mono").theme == "mono"  # and --theme beats the last choice


async def test_the_palette_previews_themes_and_escape_undoes_it(make, tmp_path):
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        app.action_change_theme()
        await pilot.pause()
        await pilot.press(*"wall")
        await wait_for(lambda: app.theme == "ops-wall", pilot)  # highlighted: previewed
        await pilot.press("escape")
        await wait_for(lambda: app.theme == "cfdash-dark", pilot)
        assert StateStore(tmp_path / "state.toml").load().theme is None

        app.action_change_theme()
        await pilot.pause()
        await pilot.press(*"mono")
        await wait_for(lambda: app.theme == "mono", pilot)
        await pilot.press("enter")
        await pilot.pause()
        assert app.theme == "mono"
    assert StateStore(tmp_path / "state.toml").load().theme == "mono"


async def test_the_palette_offers_the_users_themes_too(make, themes_dir):
    (themes_dir / "night.toml").write_text(GOOD.format(name="night-shift"))
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        assert app.cfdash_themes == (*BUILTIN_THEMES, "night-shift")
        titles = {command.title for command in app.get_system_commands(app.main)}
        assert {"Theme", "Next theme"} <= titles  # the picker, and what t does
        app.action_change_theme()
        await pilot.pause()
        await pilot.press(*"night")
        await wait_for(lambda: app.theme == "night-shift", pilot)
        await pilot.press("enter")
        await pilot.pause()
        assert app.saved_theme == "night-shift"
