"""Theme files as TOML: reading and judging them, without Textual.

The dashboard turns a theme file into a Textual ``Theme`` (:mod:`cfdash.tui.themes`); this
module does everything before that — read the file safely, check its keys, types, colours,
state variables and text styles — so ``cfdash config check`` reports a broken user theme
in the same run as the config's own mistakes, without loading Textual.  The colour grammar
is Textual's, kept in :mod:`cfdash.config.colours` and tested against it.

A theme file::

    name = "my-theme"          # optional; the file's stem otherwise
    dark = true
    primary = "#1e90ff"        # the one colour every theme must set
    [variables]
    state-failed = "#ff5555"
    state-failed-text-style = "bold"
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypedDict

from pydantic import BaseModel, ConfigDict, ValidationError

from cfdash.config.colours import is_colour
from cfdash.config.errors import Problem
from cfdash.config.files import THEME_MAX_BYTES, TooDeep, UnreadableFile, parse_toml, read_capped
from cfdash.config.problems import describe_value, key_path

__all__ = [
    "BUILTIN_THEMES",
    "COLOUR_KEYS",
    "STATES",
    "ThemeFileError",
    "ThemeSpec",
    "builtin_themes_dir",
    "check_theme_file",
    "parse_theme_toml",
    "theme_files",
    "theme_name_of",
    "theme_problems",
]

#: The shipped themes, in the order ``t`` cycles through them.
BUILTIN_THEMES = ("cfdash-dark", "cfdash-light", "ops-wall", "mono")

#: The job states a theme colours, each read from the variable ``state-<name>``.
STATES = ("running", "queued", "pending", "complete", "failed", "squashed", "unknown", "stalled")

STYLE_WORDS = frozenset(
    {"bold", "dim", "italic", "underline", "reverse", "strike", "overline", "blink"}
)


class ThemeColours(TypedDict):
    """A theme's colours, as Textual's ``Theme`` takes them: only ``primary`` is required."""

    primary: str
    secondary: str | None
    accent: str | None
    foreground: str | None
    background: str | None
    surface: str | None
    panel: str | None
    success: str | None
    warning: str | None
    error: str | None


#: The colour keys of a theme file.
COLOUR_KEYS = tuple(ThemeColours.__annotations__)

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
_PERCENT = re.compile(r"^\d+(\.\d+)?%$")
_A_COLOUR = 'a colour, like "#1e90ff" or "rgb(30, 144, 255)"'
_A_TEXT_STYLE = f'text style words ({", ".join(sorted(STYLE_WORDS))}) or "none"'


def builtin_themes_dir() -> Path:
    """The shipped theme files: inside the installed package, else the checkout's ``themes/``."""
    package = Path(__file__).resolve().parents[1]  # .../cfdash
    installed = package / "themes"
    return installed if installed.is_dir() else package.parent / "themes"


class ThemeFileError(Exception):
    """A theme file that cannot be used; ``problem`` says where and why, ``name`` whose it is."""

    def __init__(self, problem: Problem, name: str) -> None:
        super().__init__(str(problem))
        self.problem = problem
        self.name = name


class _ThemeFile(BaseModel):
    """A theme file, as written.  Unknown keys are mistakes (a misspelt ``primray``)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    name: str | None = None
    description: str | None = None
    dark: bool = True
    primary: str
    secondary: str | None = None
    accent: str | None = None
    foreground: str | None = None
    background: str | None = None
    surface: str | None = None
    panel: str | None = None
    success: str | None = None
    warning: str | None = None
    error: str | None = None
    variables: dict[str, str] = {}


@dataclass(frozen=True)
class ThemeSpec:
    """A theme file that passed every check: what a Textual ``Theme`` is built from."""

    name: str
    dark: bool
    colours: ThemeColours
    variables: dict[str, str]


def _expected(loc: tuple[Any, ...]) -> str:
    if loc[0] == "variables":
        return "a table of variable = value, both strings"
    if loc[0] == "dark":
        return "true or false"
    if loc[0] in ("name", "description"):
        return "a string"
    return _A_COLOUR


def parse_theme_toml(path: Path) -> dict[str, Any]:
    """The file's TOML; raises :class:`ThemeFileError` for a file that cannot be read."""

    def fail(expected: str, got: str) -> ThemeFileError:
        return ThemeFileError(Problem(path, "", expected, got), path.stem)

    try:
        raw = read_capped(path, THEME_MAX_BYTES, "theme file")
    except UnreadableFile as unreadable:
        raise fail(unreadable.expected, unreadable.got) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise fail("a UTF-8 text file", f"a byte that is not UTF-8 at offset {exc.start}") from None
    try:
        return parse_toml(text)
    except TooDeep as deep:
        raise fail(deep.expected, deep.got) from None
    except tomllib.TOMLDecodeError as exc:
        raise fail("valid TOML", f"a syntax error: {exc}") from None


def theme_name_of(path: Path, data: Mapping[str, Any]) -> str:
    """The theme's name: its ``name`` key when that is a usable name, else the file's stem."""
    name = data.get("name")
    return name if isinstance(name, str) and _NAME.match(name) else path.stem


def check_theme_file(path: Path) -> ThemeSpec:
    """Read and judge ``path``; raises :class:`ThemeFileError` naming the first problem."""
    data = parse_theme_toml(path)
    name = theme_name_of(path, data)

    def fail(key: str, expected: str, got: str | None) -> ThemeFileError:
        return ThemeFileError(Problem(path, key, expected, got), name)

    try:
        spec = _ThemeFile.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = tuple(error["loc"])
        if error["type"] == "extra_forbidden":
            known = ", ".join(_ThemeFile.model_fields)
            raise fail(
                key_path(loc), f"one of the theme keys ({known})", "an unknown key"
            ) from None
        if error["type"] == "missing":
            raise fail(key_path(loc), _expected(loc), "nothing (the key is missing)") from None
        raise fail(key_path(loc), _expected(loc), describe_value(error.get("input"))) from None
    if spec.name is not None and not _NAME.match(spec.name):
        raise fail("name", "a theme name of letters, digits, - or _", describe_value(spec.name))
    for key in COLOUR_KEYS:
        value = getattr(spec, key)
        if value is not None and not is_colour(value):
            raise fail(key, _A_COLOUR, describe_value(value))
    for key, value in spec.variables.items():
        expected = variable_problem(key, value)
        if expected is not None:
            raise fail(key_path(("variables", key)), expected, describe_value(value))
    colours = ThemeColours(
        primary=spec.primary,
        secondary=spec.secondary,
        accent=spec.accent,
        foreground=spec.foreground,
        background=spec.background,
        surface=spec.surface,
        panel=spec.panel,
        success=spec.success,
        warning=spec.warning,
        error=spec.error,
    )
    return ThemeSpec(name=name, dark=spec.dark, colours=colours, variables=dict(spec.variables))


def variable_problem(key: str, value: str) -> str | None:
    """What a ``[variables]`` entry should hold, or None when it is fine.

    Checked here because a bad value would otherwise surface as a CSS error when the theme
    is applied, possibly long after start-up, instead of as a notice naming the file.
    """
    state_key = key.removeprefix("state-").removesuffix("-text-style")
    if key.startswith("state-") and state_key not in STATES:
        return f"a state variable (state-{', state-'.join(STATES)})"
    if key.endswith("style"):
        words = value.split()
        styled = words == ["none"] or (bool(words) and all(word in STYLE_WORDS for word in words))
        return None if styled else _A_TEXT_STYLE
    colour, _, alpha = value.strip().partition(" ")
    coloured = colour == "auto" or is_colour(colour)
    return None if coloured and (not alpha or _PERCENT.match(alpha.strip())) else _A_COLOUR


def theme_files(user_dir: Path | None) -> list[Path]:
    """The built-in theme files (in cycle order), then the user's, sorted by name."""
    rank = {name: index for index, name in enumerate(BUILTIN_THEMES)}
    builtin = sorted(
        builtin_themes_dir().glob("*.toml"), key=lambda p: (rank.get(p.stem, len(rank)), p.name)
    )
    user: list[Path] = []
    if user_dir is not None:
        try:
            user = sorted(user_dir.glob("*.toml"))
        except OSError:
            user = []  # an unreadable folder: reported by theme_problems / load_themes
    return [*builtin, *user]


def theme_problems(user_dir: Path | None) -> list[Problem]:
    """What ``config check`` says about the theme files: one problem per broken file.

    Textual's last word (can it generate the theme's colour system?) is left to the
    dashboard, which shows it as a notice; every other mistake is found here.
    """
    problems: list[Problem] = []
    if user_dir is not None and user_dir.exists() and not user_dir.is_dir():
        problems.append(Problem(user_dir, "", "a folder of theme files", "a file"))
    for path in theme_files(user_dir):
        try:
            check_theme_file(path)
        except ThemeFileError as error:
            problems.append(error.problem)
    return problems
