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
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from cfdash.config.errors import ConfigError, Problem
from cfdash.config.loader import theme_problem
from cfdash.config.themefile import (
    BUILTIN_THEMES,
    STATES,
    STYLE_WORDS,
    ThemeFileError,
    builtin_themes_dir,
    check_theme_file,
    parse_theme_toml,
    theme_files,
    theme_name_of,
)

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

DEFAULT_THEME = "cfdash-dark"
#: What a non-empty ``NO_COLOR`` selects (https://no-color.org).
NO_COLOR_THEME = "mono"

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
_DEFAULT_TEXT_STYLE = "bold"


# -- reading files: the TOML-level checks live in the core (cfdash.config.themefile) ---------


def read_theme_file(path: Path) -> Theme:
    """The Textual theme in ``path``; raises :class:`ThemeFileError` naming the first problem.

    Everything but Textual's own last word is checked by
    :func:`~cfdash.config.themefile.check_theme_file`, which ``config check`` uses too.
    """
    from textual.theme import Theme

    spec = check_theme_file(path)
    theme = Theme(name=spec.name, dark=spec.dark, variables=dict(spec.variables), **spec.colours)
    try:
        theme.to_color_system().generate()  # the last word on whether Textual can use it
    except Exception as exc:
        problem = Problem(path, "", "a theme Textual can use", f"{type(exc).__name__}: {exc}")
        raise ThemeFileError(problem, spec.name) from None
    return theme


def theme_names(user_dir: Path | None) -> list[str]:
    """The theme names on offer, without Textual: built-ins first, then the user's files.

    Only reads each file's ``name``; a file broken in other ways is still listed here, and
    reported when the dashboard loads it (or by ``config check``).
    """
    names: dict[str, None] = {}
    for path in theme_files(user_dir):
        try:
            names[theme_name_of(path, parse_theme_toml(path))] = None
        except ThemeFileError:
            names[path.stem] = None
    return list(names)


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
    for path in theme_files(user_dir):
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
        parts = [word for word in words if word in STYLE_WORDS]
        try:
            if colour:
                parts.append(Color.parse(colour).hex6)
        except ColorParseError:
            pass  # a theme registered from code, unchecked: draw it without the colour
        styles[state] = " ".join(parts)
    by_phase = {phase: styles[state] for phase, state in _PHASE_STATE.items()}
    by_phase["stalled"] = styles["stalled"]
    return by_phase
