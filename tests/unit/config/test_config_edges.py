"""Edge values the config used to accept (issue 17): each is now one clear problem.

``refresh_interval = 0.0001`` made 13 polls a second; ``inf`` never polled; ``https://a b``
was a base URL; ``watch --interval nan`` was taken; ``"not a key!!"`` was a key; broken user
themes passed ``config check``; a ``stall_after`` shorter than two polls flagged healthy jobs.
"""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from cfdash.cli import main
from cfdash.config import check_config, find_problems, load_settings, user_themes_dir

ACCOUNT = """
[accounts.production]
accountserviceid = 1
access_key = "kkkkkkkk"
secret_key = "ssssssss"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text)
    path.chmod(0o600)
    return path


def messages(tmp_path: Path, text: str) -> list[str]:
    return [str(problem) for problem in find_problems(write(tmp_path, text), {})]


# -- refresh_interval and other seconds ------------------------------------------------------


@pytest.mark.parametrize("value", ["0.0001", "0.49", "inf", "+inf", "nan", "-inf"])
@pytest.mark.parametrize("where", ["top", "account"])
def test_refresh_interval_must_be_finite_and_at_least_half_a_second(
    tmp_path: Path, value: str, where: str
) -> None:
    line = f"refresh_interval = {value}\n"
    text = line + ACCOUNT if where == "top" else ACCOUNT + line
    (message,) = messages(tmp_path, text)
    key = "refresh_interval" if where == "top" else "accounts.production.refresh_interval"
    assert f": {key}: expected a number of seconds, at least 0.5, got " in message


def test_half_a_second_is_allowed(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, "refresh_interval = 0.5\n" + ACCOUNT), {})
    assert settings.accounts["production"].refresh_interval == 0.5


@pytest.mark.parametrize("key", ["connect_timeout", "read_timeout", "stall_after"])
def test_other_seconds_must_be_finite(tmp_path: Path, key: str) -> None:
    (message,) = messages(tmp_path, ACCOUNT + f"{key} = inf\n")
    assert f"accounts.production.{key}: expected a number of seconds greater than 0" in message


# -- stall_after against the refresh interval ------------------------------------------------


def test_stall_after_must_cover_two_polls_of_its_account(tmp_path: Path) -> None:
    (message,) = messages(tmp_path, ACCOUNT + "refresh_interval = 60\nstall_after = 90\n")
    assert message.endswith(
        "accounts.production.stall_after: expected a number of seconds at least twice the "
        "account's refresh interval (at least 120), got 90"
    )


def test_a_top_level_stall_after_names_the_account_it_is_too_short_for(tmp_path: Path) -> None:
    text = (
        "stall_after = 100\n"
        + ACCOUNT
        + ACCOUNT.replace("production", "slow").replace(
            "access_key", "refresh_interval = 300\naccess_key"
        )
    )
    (message,) = messages(tmp_path, text)
    assert ": stall_after: expected a number of seconds at least twice each account's " in message
    assert "(at least 600 for accounts.slow, or set stall_after there), got 100" in message


def test_an_account_with_its_own_stall_after_is_judged_by_that(tmp_path: Path) -> None:
    text = "stall_after = 100\n" + ACCOUNT + "refresh_interval = 300\nstall_after = 900\n"
    assert messages(tmp_path, text) == []


# -- base_url --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://a b",
        "https://exa mple.com",
        "https://host/pa th",
        "https://-bad-.example",
        "https://a..b",
    ],
)
def test_base_url_must_have_a_valid_host(tmp_path: Path, url: str) -> None:
    (message,) = messages(tmp_path, ACCOUNT + f'base_url = "{url}"\n')
    assert "accounts.production.base_url: expected an http:// or https:// URL" in message


@pytest.mark.parametrize(
    "url",
    [
        "https://api.multiplay.co.uk",
        "https://bücher.example",
        "https://10.0.0.7:8443/cfp",
        "http://127.0.0.1:8642",
        "http://[::1]:8642",
        "https://my_host.internal",
    ],
)
def test_real_base_urls_are_accepted(tmp_path: Path, url: str) -> None:
    assert messages(tmp_path, ACCOUNT + f'base_url = "{url}"\n') == []


# -- keymap key names, checked against Textual's ---------------------------------------------


def test_a_keymap_value_that_is_no_key_is_reported(tmp_path: Path) -> None:
    path = write(tmp_path, ACCOUNT + '[keymap]\nqueue = "not a key!!"\nrefresh = "ctrl+r,f5"\n')
    code, text = check_config(path, {})
    assert code == 2
    assert text == (
        f'{path}: keymap.queue: expected a key name, like "q", "ctrl+r", "f5" or '
        '"question_mark", got "not a key!!", which is not a key Textual knows'
    )


def test_a_refused_key_keeps_its_default_binding() -> None:
    from cfdash.keys import usable_keymap

    assert usable_keymap({"queue": "not a key!!", "refresh": "f5"}) == {"refresh": "f5"}


def test_the_core_key_names_match_textuals() -> None:
    from textual._keyboard_protocol import FUNCTIONAL_KEYS
    from textual.keys import Keys, _character_to_key, key_to_character

    from cfdash.keynames import SPECIAL_KEYS, is_key_name

    textual_special = {
        key.value for key in Keys if "+" not in key.value and not key.value.startswith("<")
    } | set(FUNCTIONAL_KEYS.values())
    assert textual_special == SPECIAL_KEYS
    for char in string.ascii_letters + string.digits + string.punctuation + " \t":
        assert is_key_name(_character_to_key(char)), repr(char)
    for name in ("question_mark", "less_than_sign", "euro_sign", "full_stop"):
        assert is_key_name(name) and key_to_character(name) is not None
    for wrong in ("not a key!!", "ctrl+", "hyper+drive", "ctrl+ctrl+a", "question mark", ""):
        assert not is_key_name(wrong)
    # Every modifier Textual's key parser can report.
    import inspect

    from textual import _xterm_parser

    source = inspect.getsource(_xterm_parser)
    (listed,) = re.findall(r"MODIFIERS = \(([^)]*)\)", source)
    from cfdash.keynames import MODIFIERS

    assert {"shift", *re.findall(r'"(\w+)"', listed)} == MODIFIERS


# -- theme files, judged without Textual ----------------------------------------------------


def test_the_core_colour_grammar_is_textuals() -> None:
    from textual._color_constants import COLOR_NAME_TO_RGB
    from textual.color import RE_COLOR, Color, ColorParseError

    from cfdash.config.colours import COLOUR_NAMES, COLOUR_PATTERN, is_colour

    assert (COLOUR_PATTERN.pattern, COLOUR_PATTERN.flags) == (RE_COLOR.pattern, RE_COLOR.flags)
    assert set(COLOR_NAME_TO_RGB) | {"ansi_default"} == COLOUR_NAMES
    samples = ["#fff", "#12345", "rgb(1,2,3)", "hsl(10, 50%, 50%)", "bluish", "ansi_red", "red "]
    for sample in samples:
        try:
            Color.parse(sample)
            parses = True
        except ColorParseError:
            parses = False
        assert is_colour(sample) == parses, sample


def test_config_check_reports_a_broken_user_theme(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    themes = user_themes_dir()
    themes.mkdir(parents=True)
    (themes / "neon.toml").write_text('primary = "bluish"\n')
    (themes / "fine.toml").write_text('primary = "#1e90ff"\n')
    (themes / "deep.toml").write_text("x = " + "[" * 5000 + "]" * 5000 + "\n")
    path = write(tmp_path, ACCOUNT)
    assert main(["config", "check", "--config", str(path)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == [
        f"{themes / 'deep.toml'}: expected TOML nested less deeply, got tables or arrays nested "
        "too deeply to read",
        f'{themes / "neon.toml"}: primary: expected a colour, like "#1e90ff" or '
        '"rgb(30, 144, 255)", got "bluish"',
    ]


def test_config_check_never_imports_textual_to_judge_themes(tmp_path: Path) -> None:
    import subprocess
    import sys

    path = write(tmp_path, ACCOUNT)
    code = (
        "import sys\nfrom cfdash.config import check_config\n"
        f"from pathlib import Path\nprint(check_config(Path({str(path)!r}), {{}}, "
        f"themes_dir=Path({str(tmp_path / 'themes')!r}))[0])\n"
        "assert 'textual' not in sys.modules\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "0"


# -- watch --interval -------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["nan", "inf", "0.2", "-1"])
def test_watch_interval_must_be_finite_and_not_too_short(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    path = write(tmp_path, ACCOUNT)
    assert main(["watch", "1", "--interval", value, "--config", str(path)]) == 2
    err = capsys.readouterr().err
    assert err == "cfdash: --interval must be at least 1 second\n"
