"""Every key binding of cfdash in one table — no Textual here.

This table is the one source of truth for keys: the screens' and widgets' Textual
``BINDINGS`` are generated from it (:func:`cfdash.tui.bindings.bindings_for`), and the help
screen, the footer and the command palette read it.  Adding a key is one row here and one
``action_*`` method where the row's ``scope`` says.

It also lets a ``[keymap]`` be judged without starting a screen: ``cfdash config check``
reports unknown ids and clashing keys as config problems, and the dashboard shows the same
problems as one notice and applies only the remaps that are safe.

Why refuse a clash rather than pass it on: Textual resolves a keymap that puts two actions on
one key by silently dropping the older binding, so ``queue = "r"`` would leave "refresh" with
no key at all.  A refused remap keeps its default key, and the user is told.

Keys are written the way Textual writes them: ``"q"``, ``"ctrl+r"``, ``"question_mark"``,
several separated by commas.  A single punctuation character (``"?"``, ``"/"``) is accepted
and means its named key, as it does in Textual's keymap.
"""

from __future__ import annotations

import difflib
import json
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from cfdash.keynames import is_key_name

__all__ = [
    "BINDINGS",
    "MAIN_SCOPES",
    "NAVIGATION",
    "TABLE_KEYS",
    "KeyBinding",
    "KeymapIssue",
    "in_scope",
    "keymap_issues",
    "keys_in_force",
    "normalize_key",
    "normalize_keys",
    "usable_keymap",
]


@dataclass(frozen=True, slots=True)
class KeyBinding:
    """One binding: its id (the ``[keymap]`` key), default keys, action and where it works.

    ``scope`` is ``"app"`` for keys that work on every screen, ``"main"`` for the dashboard
    screen, ``"table"`` for the job table's own movement keys, or the name of the dialog or
    panel the key belongs to.  ``description`` is the short word the footer, the help and the
    palette show; ``tooltip`` the sentence the palette (and a hover on the footer) adds.
    ``show`` False keeps a key out of the footer only: the help and the palette list it.
    """

    id: str
    keys: str
    action: str
    description: str
    scope: str
    tooltip: str = ""
    show: bool = True
    priority: bool = False


def _main(id: str, keys: str, description: str, tooltip: str, *, show: bool = True,
          action: str | None = None) -> KeyBinding:  # fmt: skip
    return KeyBinding(id, keys, action or id, description, "main", tooltip, show)


BINDINGS: tuple[KeyBinding, ...] = (
    KeyBinding("quit", "ctrl+q", "quit", "Quit", "app", priority=True),
    KeyBinding("help", "question_mark", "help", "Help", "app"),
    # The dashboard, in footer order.
    _main("queue", "q", "Queue", "Queue the selected job, or every marked job"),
    _main("add", "a", "Add", "Add a job"),
    _main("remove", "d", "Untrack", "Stop tracking the selected job"),
    _main("refresh", "r", "Refresh", "Refresh now"),
    _main("retry_auth", "R", "Retry auth", "Retry accounts whose credentials were rejected",
          show=False),
    _main("accounts", "A", "Accounts",
          "Every account's health: the ones in trouble first, with what went wrong",
          show=False),
    _main("pause", "p", "Pause", "Pause or resume polling"),
    _main("filter", "slash", "Filter", "Filter the table"),
    _main("sort", "s", "Sort", "Change the sort order"),
    _main("reverse_sort", "S", "Reverse sort", "Reverse the sort order", show=False),
    _main("failed_only", "f", "Failed only", "Show failed jobs only"),
    _main("hide_finished", "h", "Hide finished",
          "Hide jobs that ended: Finished (left the list), Complete or Squashed", show=False),
    _main("details", "enter", "Details", "Details of the selected job", show=False),
    _main("export", "e", "Export", "Export the rows in view to CSV", show=False),
    _main("mark", "space", "Mark", "Mark or unmark the selected job", show=False),
    _main("mark_all", "ctrl+a", "Mark all in view", "Mark every job in view", show=False),
    _main("mark_failed", "x", "Mark failed",
          "Mark every failed job in view, ready to queue them again", show=False),
    # The id is kept from when escape only cleared marks: users' keymaps name it.
    _main("clear_marks", "escape", "Back",
          "Undo one view setting: close the panel, clear the filter, then the release filter, "
          "then failed-only and hide-finished, then the marks", show=False, action="back_out"),
    _main("wall", "w", "Wall", "The ops wall: every state counted in big digits, per account "
          "and in total", show=False),
    _main("releases", "v", "Releases",
          "Jobs rolled up by image version; choose one to filter the table"),
    # Offered only while an image is watched (MainScreen.check_action); the image line under
    # the header names its key, so the footer keeps its room.
    _main("fleets", "i", 'Fleets ("failed" = disabled)',
          'Fleet readiness of each watched image, per fleet and region; "failed" counts '
          "machines that were disabled", show=False),
    _main("events", "l", "Events",
          "The event feed: each job that finished, failed, stalled or was queued, newest "
          "first; beside the table on a wide screen (opening it dismisses a failure toast)"),
    # The app owns themes (and saves the pick); the key is the dashboard's, so help, footer
    # and palette list it with the others.
    _main("theme", "t", "Next theme", "Switch to the next theme; it is kept for the next start",
          show=False, action="app.cycle_theme"),
    # Dialogs and panels.
    KeyBinding("help.close", "escape,question_mark,q", "dismiss", "Close", "help"),
    KeyBinding("confirm.yes", "enter,y", "answer(True)", "Confirm", "confirm"),
    KeyBinding("confirm.no", "escape,n", "answer(False)", "Cancel", "confirm"),
    # A confirm that sends several requests: Enter, pressed by reflex, cancels; only y sends.
    KeyBinding("bulk_confirm.yes", "y", "answer(True)", "Queue all", "bulk_confirm"),
    KeyBinding("bulk_confirm.no", "escape,n,enter", "answer(False)", "Cancel", "bulk_confirm"),
    KeyBinding("add.cancel", "escape", "cancel", "Cancel", "add"),
    KeyBinding("add.add_selected", "ctrl+s", "add_selected", "Add selected", "add",
               "Add the jobs ticked in the list"),
    KeyBinding("releases.close", "escape", "close", "Close releases", "releases"),
    KeyBinding("details.back", "escape,enter,backspace", "back", "Back", "details"),
    KeyBinding("details.copy_id", "c", "copy_id", "Copy id", "details",
               "Copy the job id to the clipboard"),
    KeyBinding("details.copy_json", "j", "copy_json", "Copy JSON", "details",
               "Copy the job's raw JSON, as last seen, to the clipboard"),
    KeyBinding("details.linked", "g", "linked", "Linked job", "details",
               "Open the job linked by an image lock (a diff and the jobs it holds up)"),
    KeyBinding("fleets.close", "escape,i,backspace", "close", "Back", "fleets"),
    KeyBinding("events.close", "escape,l", "close", "Close events", "events"),
    KeyBinding("wall.close", "escape,w", "close", "Back to the table", "wall"),
    KeyBinding("accounts.close", "escape,A,backspace", "close", "Close", "accounts"),
)  # fmt: skip

#: The job table's movement keys: fixed (no id, so no keymap moves them), listed here so the
#: clash check below and the table widget read the same keys.
NAVIGATION: tuple[KeyBinding, ...] = (
    KeyBinding("", "up,k", "cursor(-1)", "Up", "table", show=False),
    KeyBinding("", "down,j", "cursor(1)", "Down", "table", show=False),
    KeyBinding("", "pageup", "page(-1)", "Page up", "table", show=False),
    KeyBinding("", "pagedown", "page(1)", "Page down", "table", show=False),
    KeyBinding("", "home", "jump(0)", "First", "table", show=False),
    KeyBinding("", "end", "jump(-1)", "Last", "table", show=False),
    # Sideways by one whole column; Account and Job stay put (cfdash/tui/grid_layout.py).
    KeyBinding("", "left", "column(-1)", "Column left", "table", show=False),
    KeyBinding("", "right", "column(1)", "Column right", "table", show=False),
    # Enter on the table means what "details" means on the dashboard: not a clash.
    KeyBinding("", "enter", "choose", "Details", "table", show=False),
)


def in_scope(scope: str) -> tuple[KeyBinding, ...]:
    """The bindings of one scope, in table order (what a screen or widget declares)."""
    return tuple(binding for binding in BINDINGS + NAVIGATION if binding.scope == scope)


#: The scopes whose keys share the dashboard screen: a key may mean only one thing there.
MAIN_SCOPES = frozenset({"app", "main"})

#: Keys the table (focused on the dashboard) uses itself; a binding put there never fires.
TABLE_KEYS = frozenset(
    key for binding in NAVIGATION if binding.action != "choose" for key in binding.keys.split(",")
)

_BY_ID = {binding.id: binding for binding in BINDINGS}
_A_KEY_NAME = 'a key name, like "q", "ctrl+r", "f5" or "question_mark"'

# Textual's names for characters whose Unicode names are long (textual.keys).
_KEY_NAME_REPLACEMENTS = {
    "solidus": "slash",
    "reverse_solidus": "backslash",
    "commercial_at": "at",
    "hyphen_minus": "minus",
    "plus_sign": "plus",
    "low_line": "underscore",
}


def normalize_key(key: str) -> str:
    """One key in Textual's long form: ``"?"`` → ``"question_mark"``, ``"q"`` stays ``"q"``."""
    key = key.strip()
    if len(key) != 1 or key.isalnum():
        return key
    try:
        name = unicodedata.name(key).lower().replace("-", "_").replace(" ", "_")
    except ValueError:  # a control character has no name; Textual keeps it as it is
        return key
    return _KEY_NAME_REPLACEMENTS.get(name, name)


def normalize_keys(keys: str) -> tuple[str, ...]:
    """A comma-separated key list, each in long form, without blanks."""
    return tuple(normalize_key(key) for key in keys.split(",") if key.strip())


def keys_in_force(keymap: Mapping[str, str]) -> dict[str, tuple[str, ...]]:
    """Every binding id with the keys it has once ``keymap`` is applied."""
    return {
        binding.id: normalize_keys(keymap.get(binding.id, binding.keys)) for binding in BINDINGS
    }


@dataclass(frozen=True, slots=True)
class KeymapIssue:
    """A ``[keymap]`` entry that is not applied: ``keymap.<id>: expected …, got …``."""

    id: str
    expected: str
    got: str


def keymap_issues(keymap: Mapping[str, str]) -> list[KeymapIssue]:
    """What is wrong with ``keymap``: unknown ids, and remaps that clash on the dashboard.

    A clash is reported against the remapped id(s) only — the defaults never clash with each
    other (a test proves it) — and a swap (``queue = "r"``, ``refresh = "q"``) is no clash.
    """
    issues: list[KeymapIssue] = []
    for binding_id in keymap:
        if binding_id not in _BY_ID:
            issues.append(_unknown(binding_id))
        elif not normalize_keys(keymap[binding_id]):
            issues.append(KeymapIssue(binding_id, 'a key, like "q" or "ctrl+r"', "no key"))
        elif unknown := [k for k in normalize_keys(keymap[binding_id]) if not is_key_name(k)]:
            shown = json.dumps(unknown[0], ensure_ascii=False)
            issues.append(
                KeymapIssue(binding_id, _A_KEY_NAME, f"{shown}, which is not a key Textual knows")
            )
    # Only well-formed remaps can clash; a refused one keeps its default key.
    known = {
        name: keys
        for name, keys in keymap.items()
        if name in _BY_ID and all(is_key_name(key) for key in normalize_keys(keys))
    }
    for binding_id, key, others in _clashes(known):
        if binding_id in known:
            issues.append(
                KeymapIssue(
                    binding_id,
                    "a key nothing else on the dashboard uses",
                    f'"{key}", which {others} already uses',
                )
            )
    order = {name: index for index, name in enumerate(keymap)}
    issues.sort(key=lambda issue: order.get(issue.id, len(order)))  # file order, stable
    return issues


def usable_keymap(keymap: Mapping[str, str]) -> dict[str, str]:
    """``keymap`` without the entries :func:`keymap_issues` objects to; safe to hand Textual.

    Dropping a remap restores that binding's default key, which may clash with another remap
    in turn, so this repeats until nothing clashes.
    """
    usable = dict(keymap)
    while issues := keymap_issues(usable):
        for issue in issues:
            usable.pop(issue.id, None)
    return usable


def _unknown(binding_id: str) -> KeymapIssue:
    close = difflib.get_close_matches(binding_id, list(_BY_ID), n=1, cutoff=0.6)
    hint = f'did you mean "{close[0]}"?' if close else f"binding ids: {', '.join(_BY_ID)}"
    return KeymapIssue(binding_id, "the id of a binding", f"an unknown id ({hint})")


def _clashes(keymap: Mapping[str, str]) -> Iterable[tuple[str, str, str]]:
    """(id, key, "who else") for every id sharing a key on the dashboard screen."""
    force = keys_in_force(keymap)
    holders: dict[str, list[str]] = {}
    for binding in BINDINGS:
        if binding.scope in MAIN_SCOPES:
            for key in force[binding.id]:
                holders.setdefault(key, []).append(binding.id)
    for key, ids in holders.items():
        if key in TABLE_KEYS:
            for binding_id in ids:
                yield binding_id, key, "the table (moving the cursor)"
        elif len(ids) > 1:
            for binding_id in ids:
                others = " and ".join(f'"{other}"' for other in ids if other != binding_id)
                yield binding_id, key, others
