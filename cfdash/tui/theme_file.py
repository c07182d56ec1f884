"""One theme file: reading it, checking every key, and building the Textual theme.

A theme file is TOML (the format is described at the top of each file in ``themes/``).  A
bad value is caught here, with the file and key named, rather than as a CSS error when the
theme is applied, possibly long after start-up.  Textual is imported only inside
:func:`read_theme_file` and the colour check, so that :func:`name_of` works without it.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, ValidationError

from cfdash.config.errors import Problem
from cfdash.config.problems import describe_value, key_path

if TYPE_CHECKING:
    from textual.theme import Theme

__all__ = ["STATES", "STYLE_WORDS", "ThemeFileError", "name_of", "parse_toml", "read_theme_file"]

#: The job states a theme colours, each read from the variable ``state-<name>``.
STATES = ("running", "queued", "pending", "complete", "failed", "squashed", "unknown", "stalled")
#: The words a ``state-*-text-style`` variable may use.
STYLE_WORDS = frozenset(
    {"bold", "dim", "italic", "underline", "reverse", "strike", "overline", "blink"}
)

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
_PERCENT = re.compile(r"^\d+(\.\d+)?%$")
_COLOUR_KEYS = (
    "primary",
    "secondary",
    "accent",
    "foreground",
    "background",
    "surface",
    "panel",
    "success",
    "warning",
    "error",
)
_A_COLOUR = 'a colour, like "#1e90ff" or "rgb(30, 144, 255)"'
_A_TEXT_STYLE = f'text style words ({", ".join(sorted(STYLE_WORDS))}) or "none"'


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


def _expected(loc: tuple[Any, ...]) -> str:
    if loc[0] == "variables":
        return "a table of variable = value, both strings"
    if loc[0] == "dark":
        return "true or false"
    if loc[0] in ("name", "description"):
        return "a string"
    return _A_COLOUR


def parse_toml(path: Path) -> dict[str, Any]:
    def fail(expected: str, got: str) -> ThemeFileError:
        return ThemeFileError(Problem(path, "", expected, got), path.stem)

    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise fail("a readable theme file", (exc.strerror or type(exc).__name__).lower()) from None
    except UnicodeDecodeError as exc:
        raise fail("a UTF-8 text file", f"a byte that is not UTF-8 at offset {exc.start}") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise fail("valid TOML", f"a syntax error: {exc}") from None


def name_of(path: Path, data: Mapping[str, Any]) -> str:
    name = data.get("name")
    return name if isinstance(name, str) and _NAME.match(name) else path.stem


def read_theme_file(path: Path) -> Theme:
    """The Textual theme in ``path``; raises :class:`ThemeFileError` naming the first problem."""
    from textual.theme import Theme

    data = parse_toml(path)
    name = name_of(path, data)

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
    for key in _COLOUR_KEYS:
        value = getattr(spec, key)
        if value is not None and not _is_colour(value):
            raise fail(key, _A_COLOUR, describe_value(value))
    for key, value in spec.variables.items():
        expected = _variable_problem(key, value)
        if expected is not None:
            raise fail(key_path(("variables", key)), expected, describe_value(value))
    colours = {key: getattr(spec, key) for key in _COLOUR_KEYS}
    theme = Theme(name=name, dark=spec.dark, variables=dict(spec.variables), **colours)
    try:
        theme.to_color_system().generate()  # the last word on whether Textual can use it
    except Exception as exc:
        raise fail("", "a theme Textual can use", f"{type(exc).__name__}: {exc}") from None
    return theme


def _is_colour(value: str) -> bool:
    from textual.color import Color, ColorParseError

    try:
        Color.parse(value)
    except ColorParseError:
        return False
    return True


def _variable_problem(key: str, value: str) -> str | None:
    """What a ``[variables]`` entry should hold, or None when it is fine.

    Checked here because a bad value would otherwise surface as a CSS error when the theme
    is applied, possibly long after start-up, instead of as a notice naming the file.
    """
    state_key = key.removeprefix("state-").removesuffix("-text-style")
    if key.startswith("state-") and state_key not in STATES:
        return f"a state variable (state-{', state-'.join(STATES)})"
    if key.endswith("style"):
        words = value.split()
        ok = words == ["none"] or bool(words and all(word in STYLE_WORDS for word in words))
        return None if ok else _A_TEXT_STYLE
    colour, _, alpha = value.strip().partition(" ")
    alpha_ok = not alpha or _PERCENT.match(alpha.strip()) is not None
    return None if (colour == "auto" or _is_colour(colour)) and alpha_ok else _A_COLOUR
