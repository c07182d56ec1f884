"""Config problems, and the exceptions that carry them.

A config file usually holds several mistakes at once; reporting them one per run makes the
user edit, rerun, edit, rerun.  So the loader collects every :class:`Problem` it finds and
raises them together in one :class:`ConfigError`::

    ConfigError            one or more problems in the user's config, each one sentence
    └── ConfigNotFound     the file is not there (the CLI says where it looked, offers --demo)

    StateError             cfdash's own state file could not be read or written

Every sentence names the file, the key path and what was expected.  None of them ever holds a
secret: the loader only puts the *type* of a secret's value into ``got``, never the value.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["ConfigError", "ConfigNotFound", "Problem", "StateError", "display_path"]


def display_path(path: Path) -> str:
    """Show ``path`` the way a user would type it: ``~/.config/…`` rather than ``/home/me/…``."""
    try:
        home = Path.home()
    except RuntimeError:  # no HOME, no passwd entry: fall back to the plain path
        return str(path)
    try:
        relative = path.relative_to(home)
    except ValueError:
        return str(path)
    return f"~/{relative}" if relative.parts else "~"


@dataclass(frozen=True, slots=True)
class Problem:
    """One mistake in a config file, rendered as one sentence by ``str()``.

    ``key`` is a dotted key path (``accounts.production.jobs[1].id``), or ``""`` when the
    problem is the file itself.  ``expected`` is the phrase that follows "expected" and ``got``
    the one that follows "got", so every sentence reads the same way::

        ~/.config/cfdash/config.toml: accounts.production.refresh_interval: expected a number
        of seconds greater than 0, got "fast"

    ``line`` and ``column`` are set for TOML syntax errors, which have a place but no key.
    """

    file: Path
    key: str
    expected: str
    got: str | None = None
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        parts = [display_path(self.file)]
        if self.line is not None:
            parts.append(
                f"line {self.line}, column {self.column}"
                if self.column is not None
                else f"line {self.line}"
            )
        if self.key:
            parts.append(self.key)
        sentence = f"expected {self.expected}"
        if self.got is not None:
            sentence += f", got {self.got}"
        parts.append(sentence)
        return ": ".join(parts)


class ConfigError(Exception):
    """The config could not be used; ``problems`` lists every mistake found, in file order."""

    def __init__(self, problems: list[Problem]) -> None:
        if not problems:
            raise ValueError("a ConfigError needs at least one problem")
        self.problems = list(problems)
        super().__init__(str(self))

    @property
    def path(self) -> Path:
        """The config file the problems are about."""
        return self.problems[0].file

    def __str__(self) -> str:
        return "\n".join(str(problem) for problem in self.problems)


class ConfigNotFound(ConfigError):
    """The config file does not exist: a first run, not a mistake, so the CLI words it kindly."""

    def __init__(self, path: Path) -> None:
        super().__init__(
            [
                Problem(
                    file=path,
                    key="",
                    expected="a config file here",
                    got=(
                        "no such file (copy config.example.toml there and edit it, "
                        "or try cfdash --demo)"
                    ),
                )
            ]
        )


class StateError(Exception):
    """cfdash's own state file could not be read, set aside or written; one sentence."""
