"""The key names Textual understands, without importing Textual — so ``config check`` can judge.

A ``[keymap]`` value such as ``"not a key!!"`` is accepted by Textual without complaint and
simply never fires, leaving the action with no key at all.  :func:`is_key_name` says whether
a key (already in Textual's long form, see :func:`cfdash.keys.normalize_key`) is one Textual
can produce:

* modifiers joined by ``+`` (``ctrl+shift+up``), then
* a special key (``escape``, ``f5``, ``pageup``, …: :data:`SPECIAL_KEYS`), or
* one printable character (``q``, ``Q``, ``é``), or
* a character's name, as Textual spells it (``question_mark``, ``slash``, ``euro_sign``).

:func:`key_display` is how cfdash writes a key for people — in the help, the footer and the
palette alike: ``ctrl+a`` (never ``^a``), ``?``, ``/``, ``esc``, ``enter``, ``space``.

:data:`SPECIAL_KEYS` is kept by hand from ``textual.keys.Keys`` and the kitty keyboard
protocol's functional keys; a test compares it with the installed Textual.
"""

from __future__ import annotations

import re
import string
import unicodedata
from functools import lru_cache

__all__ = ["MODIFIERS", "SPECIAL_KEYS", "is_key_name", "key_display"]

MODIFIERS = frozenset({"shift", "ctrl", "alt", "meta", "super", "hyper"})

_FUNCTION_KEYS = frozenset(f"f{n}" for n in range(1, 36))
_MEDIA_KEYS = frozenset(
    {
        "media_fast_forward",
        "media_pause",
        "media_play",
        "media_play_pause",
        "media_record",
        "media_reverse",
        "media_rewind",
        "media_stop",
        "media_track_next",
        "media_track_previous",
        "lower_volume",
        "mute_volume",
        "raise_volume",
    }
)
_MODIFIER_KEYS = frozenset(
    f"{side}_{name}"
    for side in ("left", "right")
    for name in ("alt", "control", "hyper", "meta", "shift", "super")
) | {"iso_level3_shift", "iso_level5_shift", "caps_lock", "num_lock", "scroll_lock"}
_KEYPAD_KEYS = frozenset(
    {"add", "decimal", "divide", "equal", "kp_begin", "multiply", "separator", "subtract"}
)

#: Keys that are not characters: what Textual names them.
SPECIAL_KEYS: frozenset[str] = (
    frozenset(
        {
            "backspace",
            "ctrl-at",
            "delete",
            "down",
            "end",
            "enter",
            "escape",
            "home",
            "insert",
            "left",
            "menu",
            "pagedown",
            "pageup",
            "pause",
            "print_screen",
            "return",
            "right",
            "space",
            "tab",
            "up",
        }
    )
    | _FUNCTION_KEYS
    | _MEDIA_KEYS
    | _MODIFIER_KEYS
    | _KEYPAD_KEYS
    | frozenset(string.digits)
)

_NAME = re.compile(r"^[a-z0-9_]+$")

# Textual's short names for a few characters whose Unicode names are long.
_REPLACED = {
    "slash": "/",
    "backslash": "\\",
    "at": "@",
    "minus": "-",
    "plus": "+",
    "underscore": "_",
}


def _long_name(character: str) -> str:
    return unicodedata.name(character).lower().replace("-", "_").replace(" ", "_")


# ASCII punctuation by its Textual name: some Unicode names hold a hyphen ("less_than_sign"
# is LESS-THAN SIGN), which no simple rule turns back into the name unicodedata looks up.
_ASCII_NAMES = {_long_name(char): char for char in string.punctuation}


@lru_cache(maxsize=256)
def _is_character_key(key: str) -> bool:
    if len(key) == 1:
        return key.isprintable() and not key.isspace()
    if key in _REPLACED or key in _ASCII_NAMES:
        return True
    if not _NAME.match(key):  # Textual's names are lower case, with _ for spaces
        return False
    try:
        character = unicodedata.lookup(key.replace("_", " ").upper())
    except KeyError:
        return False
    return character.isprintable() and not character.isspace()


def is_key_name(key: str) -> bool:
    """Whether Textual can produce ``key``: one key in long form (``ctrl+r``, ``question_mark``)."""
    *modifiers, base = key.split("+")
    if not base or len(set(modifiers)) != len(modifiers) or not MODIFIERS.issuperset(modifiers):
        return False
    return base in SPECIAL_KEYS or _is_character_key(base)


# Special keys as people write them; every other special key is written by its name.
_DISPLAY = {
    "escape": "esc",
    "return": "enter",
    "pageup": "pgup",
    "pagedown": "pgdn",
    "delete": "del",
    "up": "↑",
    "down": "↓",
    "left": "←",
    "right": "→",
}


@lru_cache(maxsize=256)
def key_display(key: str) -> str:
    """One key (Textual's long form) as cfdash writes it everywhere: ``ctrl+a``, ``?``, ``esc``.

    Modifiers are written out and joined with ``+`` — ``ctrl+a``, not Textual's ``^a`` — so
    the help, the footer and the palette read alike and the key can be typed into a
    ``[keymap]`` as shown.  A character's name becomes the character (``question_mark`` →
    ``?``); a shifted letter stays a capital (``R``).
    """
    *modifiers, base = key.split("+")
    if base in _DISPLAY:
        shown = _DISPLAY[base]
    elif base in SPECIAL_KEYS or len(base) == 1:
        shown = base
    elif base in _REPLACED:
        shown = _REPLACED[base]
    elif base in _ASCII_NAMES:
        shown = _ASCII_NAMES[base]
    else:
        try:
            character = unicodedata.lookup(base.replace("_", " ").upper())
        except KeyError:
            character = ""
        shown = character if character.isprintable() and character.strip() else base
    return "+".join([*modifiers, shown])
