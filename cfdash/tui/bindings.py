"""cfdash's key table (:mod:`cfdash.keys`) turned into what Textual and the user see.

Screens and widgets declare ``BINDINGS = bindings_for("<scope>")``; the help screen's rows and
the palette's commands are built here from the same table, with the keymap in force.  Nothing
is read back from Textual's binding maps, so the three can never disagree with the table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from functools import partial
from typing import Any

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType

from cfdash.keys import KeyBinding, in_scope, keys_in_force

__all__ = ["bindings_for", "help_rows", "palette_commands"]

#: The scopes the help screen lists, in its order: the dashboard's keys, then the app's.
HELP_SCOPES = ("main", "app")


def bindings_for(scope: str) -> list[BindingType]:
    """The Textual bindings of one scope, for a ``BINDINGS`` class attribute."""
    return [
        Binding(
            binding.keys,
            binding.action,
            binding.description,
            show=binding.show,
            priority=binding.priority,
            tooltip=binding.tooltip,
            id=binding.id or None,
        )
        for binding in in_scope(scope)
    ]


def _shown_keys(app: App[Any], binding: KeyBinding, force: Mapping[str, tuple[str, ...]]) -> str:
    """The keys a binding has now, as the footer writes them: ``"q"``, ``"ctrl+a"``, ``"esc"``."""
    keys = force.get(binding.id) or tuple(binding.keys.split(","))
    shown = (app.get_key_display(Binding(key, binding.action)) for key in keys)
    return " / ".join(dict.fromkeys(shown))


def help_rows(
    app: App[Any], keymap: Mapping[str, str], allowed: Callable[[str], bool]
) -> list[tuple[str, str]]:
    """(keys, description) for every dashboard and app key that ``allowed`` lets through."""
    force = keys_in_force(keymap)
    rows = [
        (_shown_keys(app, binding, force), binding.description)
        for scope in HELP_SCOPES
        for binding in in_scope(scope)
        if allowed(binding.action)
    ]
    rows.append(("ctrl+p", "Command palette"))
    rows.append(("↑ ↓ pgup pgdn", "Move through the table"))
    return rows


def palette_commands(
    app: App[Any],
    keymap: Mapping[str, str],
    allowed: Callable[[str], bool],
    run: Callable[[str], object],
) -> Iterator[SystemCommand]:
    """One palette command per dashboard key, titled as in the footer, with its keys; the
    app's own keys (quit, help) too, so "Quit" says ``(ctrl+q)`` like every other entry."""
    force = keys_in_force(keymap)
    for binding in (*in_scope("main"), *in_scope("app")):
        if not allowed(binding.action):
            continue  # hidden (e.g. queueing in read-only mode)
        act = app.run_action if binding.scope == "app" else run
        yield SystemCommand(
            binding.description,
            f"{binding.tooltip or binding.description} ({_shown_keys(app, binding, force)})",
            partial(act, binding.action),
        )
