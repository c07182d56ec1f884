"""Themes: the built-in theme files, the user's own, and which one is in force.

A theme is a TOML file (the format is described at the top of each file in ``themes/``) that
becomes a Textual :class:`~textual.theme.Theme`.  Job states have their own theme variables
(``state-running``, ``state-failed``, …) so a theme can colour them apart from the generic
success/warning/error; :func:`phase_styles` turns them into the styles the table draws with.

Loading follows posting's ``themes.py``: the built-ins are registered first, then every file
in the user's themes folder; a file that cannot be used is reported (one :class:`Problem`
each, shown together in one notice) and skipped, never fatal.

The built-in files live in ``themes/`` at the top of the repository.  The wheel carries them
as ``cfdash/themes/`` (a hatch ``force-include``); a source or editable checkout reads the
repository's folder.  :func:`builtin_themes_dir` finds whichever is there.

Textual is imported only where Theme objects are built or colours parsed, so that
``cfdash config check`` can list the theme names (:func:`theme_names`) without loading it.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, ValidationError

from cfdash.config.errors import ConfigError, Problem
from cfdash.config.loader import theme_problem
from cfdash.config.problems import describe_value, key_path

if TYPE_CHECKING:
    from textual.theme import Theme

__all__ = [
    "BUILTIN_THEMES",
    "DEFAULT_THEME",
    "NO_COLOR_THEME",
    "STATES",
    "LoadedThemes",
    "ThemeChoice",
    "ThemeFileError",
    "UnknownTheme",
    "builtin_themes_dir",
    "choose_theme",
    "load_themes",
    "phase_styles",
    "read_theme_file",
    "theme_names",
]

#: The shipped themes, in the order ``t`` cycles through them.
BUILTIN_THEMES = ("cfdash-dark", "cfdash-light", "ops-wall", "mono")
DEFAULT_THEME = "cfdash-dark"
#: What a non-empty ``NO_COLOR`` selects (https://no-color.org).
NO_COLOR_THEME = "mono"

#: The job states a theme colours, each read from the variable ``state-<name>``.
STATES = ("running", "queued", "pending", "complete", "failed", "squashed", "unknown", "stalled")
#: The state each table phase is drawn as (``notlisted``: never seen yet, drawn plain).
_PHASE_STATE = {
    "created": "pending",
    "pending": "pending",
    "queued": "queued",
    "running": "running",
    "complete": "complete",
    "finished": "complete",
    "failed": "failed",
    "squashed": "squashed",
    "unknown": "unknown",
}
#: A theme without cfdash's variables (or a user theme that leaves one out) still works.
_GENERIC = {
    "running": "primary",
    "queued": "secondary",
    "complete": "success",
    "failed": "error",
    "squashed": "warning",
    "unknown": "warning",
    "stalled": "warning",
}
_STYLE_WORDS = frozenset(
    {"bold", "dim", "italic", "underline", "reverse", "strike", "overline", "blink"}
)
_DEFAULT_TEXT_STYLE = "bold"

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
_A_TEXT_STYLE = f'text style words ({", ".join(sorted(_STYLE_WORDS))}) or "none"'


def builtin_themes_dir() -> Path:
    """The shipped theme files: inside the installed package, else the checkout's ``themes/``."""
    package = Path(__file__).resolve().parents[1]  # .../cfdash
    installed = package / "themes"
    return installed if installed.is_dir() else package.parent / "themes"


# -- reading files -------------------------------------------------------------------------


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


def _parse_toml(path: Path) -> dict[str, Any]:
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


def _name_of(path: Path, data: Mapping[str, Any]) -> str:
    name = data.get("name")
    return name if isinstance(name, str) and _NAME.match(name) else path.stem


def read_theme_file(path: Path) -> Theme:
    """The Textual theme in ``path``; raises :class:`ThemeFileError` naming the first problem."""
    from textual.theme import Theme

    data = _parse_toml(path)
    name = _name_of(path, data)

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
        ok = words == ["none"] or (words and all(word in _STYLE_WORDS for word in words))
        return None if ok else _A_TEXT_STYLE
    colour, _, alpha = value.strip().partition(" ")
    ok = (colour == "auto" or _is_colour(colour)) and (not alpha or _PERCENT.match(alpha.strip()))
    return None if ok else _A_COLOUR


def theme_names(user_dir: Path | None) -> list[str]:
    """The theme names on offer, without Textual: built-ins first, then the user's files.

    Only reads each file's ``name``; a file broken in other ways is still listed here, and
    reported when the dashboard loads it.
    """
    names: dict[str, None] = {}
    for path in _theme_files(user_dir):
        try:
            names[_name_of(path, _parse_toml(path))] = None
        except ThemeFileError:
            names[path.stem] = None
    return list(names)


def _theme_files(user_dir: Path | None) -> list[Path]:
    rank = {name: index for index, name in enumerate(BUILTIN_THEMES)}
    builtin = sorted(
        builtin_themes_dir().glob("*.toml"), key=lambda p: (rank.get(p.stem, len(rank)), p.name)
    )
    user: list[Path] = []
    if user_dir is not None:
        try:
            user = sorted(user_dir.glob("*.toml"))
        except OSError:
            user = []  # an unreadable folder: reported by load_themes
    return [*builtin, *user]


@dataclass
class LoadedThemes:
    """Every usable theme by name (cycle order), and what was wrong with the rest."""

    themes: dict[str, Theme] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    #: Names whose file is broken: asking for one falls back to the default, not an error.
    broken: set[str] = field(default_factory=set)

    def notice(self) -> str | None:
        """All the problems as one notice, or None."""
        if not self.problems:
            return None
        lines = [str(problem) for problem in self.problems]
        lines.append("That file was skipped." if len(lines) == 1 else "Those files were skipped.")
        return "\n".join(lines)


def load_themes(user_dir: Path | None) -> LoadedThemes:
    """The built-in themes, then the user's (a user theme may replace a built-in by name)."""
    loaded = LoadedThemes()
    if user_dir is not None and user_dir.exists() and not user_dir.is_dir():
        loaded.problems.append(Problem(user_dir, "", "a folder of theme files", "a file"))
    for path in _theme_files(user_dir):
        try:
            theme = read_theme_file(path)
        except ThemeFileError as error:
            loaded.problems.append(error.problem)
            loaded.broken.add(error.name)
            continue
        loaded.themes[theme.name] = theme
    return loaded


# -- choosing ------------------------------------------------------------------------------


class UnknownTheme(ConfigError):
    """``--theme`` or the config's ``theme`` names a theme that does not exist (exit 2)."""


@dataclass(frozen=True)
class ThemeChoice:
    """The theme to start with, and anything worth telling the user about the choice."""

    name: str
    notices: tuple[str, ...] = ()


def choose_theme(
    loaded: LoadedThemes,
    *,
    explicit: str | None,
    saved: str | None,
    configured: str,
    config_path: Path | None,
    no_color: bool,
    user_dir: Path | None = None,
) -> ThemeChoice:
    """Which theme the dashboard starts in.  Highest first:

    1. ``--theme NAME`` — asked for, for this run;
    2. a non-empty ``NO_COLOR`` — the user's standing "no colour" across programs selects
       ``mono``; only an explicit ``--theme`` overrides it (as no-color.org asks);
    3. the state file's last choice (``t`` or the palette) — picked while looking at it, so
       it beats the config's line, which is also the default when the config is silent;
    4. the config's ``theme = "…"`` (``cfdash-dark`` unless set).

    A name from ``--theme`` or the config that matches no theme raises :class:`UnknownTheme`
    listing the available ones — the user typed it and should hear about it.  A saved name
    that has gone (a user theme deleted since) is skipped with a notice.  A name whose file
    is broken falls back to the default; the broken file is already in the themes notice.
    """
    available = list(loaded.themes)
    if not available:  # a broken install: the problems are in the themes notice
        return ThemeChoice("textual-dark")
    fallback = DEFAULT_THEME if DEFAULT_THEME in loaded.themes else available[0]

    def usable(name: str, source: Path) -> ThemeChoice:
        if name in loaded.themes:
            return ThemeChoice(name)
        if name in loaded.broken:
            note = f"The theme {json.dumps(name)} could not be loaded; using {fallback}."
            return ThemeChoice(fallback, (note,))
        key = "" if source == Path("--theme") else "theme"
        raise UnknownTheme([theme_problem(source, name, available, user_dir, key=key)])

    if explicit is not None:
        return usable(explicit, Path("--theme"))
    configured_choice = usable(configured, config_path or Path("config"))  # checked always
    if no_color and NO_COLOR_THEME in loaded.themes:
        return ThemeChoice(NO_COLOR_THEME)
    if saved is not None and saved in loaded.themes:
        return ThemeChoice(saved)
    if saved is not None and saved not in loaded.broken:
        notice = (
            f"The theme last chosen, {json.dumps(saved)}, is no longer available; "
            f"using {configured_choice.name}."
        )
        return ThemeChoice(configured_choice.name, (*configured_choice.notices, notice))
    return configured_choice


# -- drawing -------------------------------------------------------------------------------


def phase_styles(variables: Mapping[str, str]) -> dict[str, str]:
    """A Rich style for each table phase, and for ``"stalled"``, from a theme's variables.

    ``variables`` is ``App.theme_variables``: the theme's own variables over the generated
    colours, so a state the theme leaves out takes the generic colour (failed → error).
    """
    from textual.color import Color, ColorParseError

    styles: dict[str, str] = {}
    for state in STATES:
        colour = variables.get(f"state-{state}") or variables.get(_GENERIC.get(state, ""), "")
        default = "none" if state == "pending" else _DEFAULT_TEXT_STYLE  # waiting: quiet
        words = variables.get(f"state-{state}-text-style", default).split()
        parts = [word for word in words if word in _STYLE_WORDS]
        try:
            if colour:
                parts.append(Color.parse(colour).hex6)
        except ColorParseError:
            pass  # a theme registered from code, unchecked: draw it without the colour
        styles[state] = " ".join(parts)
    by_phase = {phase: styles[state] for phase, state in _PHASE_STATE.items()}
    by_phase["stalled"] = styles["stalled"]
    return by_phase
