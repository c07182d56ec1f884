"""Turning pydantic's validation errors into :class:`Problem` sentences a user can act on.

pydantic says ``Input should be a valid number`` at ``('accounts', 'production',
'refresh_interval')``; the user wants ``accounts.production.refresh_interval: expected a
number of seconds greater than 0, got "fast"``.  The phrase depends on the key, not on the
error type, so the tables below are keyed by field name: every way of getting
``refresh_interval`` wrong (a string, zero, a negative) gets the same helpful sentence.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from cfdash.config.errors import Problem
from cfdash.config.schema import (
    MIN_REFRESH_INTERVAL,
    AccountConfig,
    ConfigFile,
    ImageEntry,
    JobEntry,
)

__all__ = ["Loc", "describe_value", "key_path", "located_problems"]

Loc = tuple[str | int, ...]

_SECONDS = "a number of seconds greater than 0"
_INTERVAL = f"a number of seconds, at least {MIN_REFRESH_INTERVAL:g}"
_BOOL = "true or false"
_NOTIFY_ITEM = '"bell" or "desktop"'
# Every credential key: its value is the secret, or may be one pasted in the wrong place.
_SECRET_FIELDS = frozenset(
    f"{name}{suffix}"
    for name in ("access_key", "secret_key", "token")
    for suffix in ("", "_env", "_command")
)

# What each key should hold, by field name (the same name means the same thing everywhere).
_FIELD_EXPECTED: dict[str, str] = {
    "refresh_interval": _INTERVAL,
    "stall_after": _SECONDS,
    "connect_timeout": _SECONDS,
    "read_timeout": _SECONDS,
    "theme": "the name of a theme, as a string",
    "read_only": _BOOL,
    "track_all": _BOOL,
    "allow_insecure_http": _BOOL,
    "mirroring": _BOOL,
    "export_raw": _BOOL,
    "notify": f"a list holding {_NOTIFY_ITEM} (or both)",
    "accounts": "at least one account table, like [accounts.production]",
    "keymap": 'a table of binding id = key, like queue = "q"',
    "accountserviceid": "an account service id (a whole number greater than 0)",
    "base_url": "an http:// or https:// URL, as a string",
    "access_key": "the access key, as a string",
    "secret_key": "the secret key, as a string",
    "access_key_env": "the name of an environment variable, as a string",
    "secret_key_env": "the name of an environment variable, as a string",
    "access_key_command": 'a command line as a string, like "pass show clanforge/access-key"',
    "secret_key_command": 'a command line as a string, like "pass show clanforge/secret-key"',
    "jobs": "a list of job ids or job tables",
    "id": "a job id (a whole number greater than 0)",
    "label": "a label, as a string",
    # -- issue 15 --
    "auth": '"basic" or "bearer"',
    "token": "the bearer token, as a string",
    "token_env": "the name of an environment variable, as a string",
    "token_command": 'a command line as a string, like "pass show clanforge/token"',
    "images": "a list of image ids or image tables",
    "stage": '"install", "update", "diff" or "version"',
    "finished_retention": "a finite number of seconds greater than 0",
}
_IMAGE_ITEM = 'an image id (a whole number) or a table like { id = 1001, label = "EU build" }'
_IMAGE_ID = "an image id (a whole number greater than 0)"
_ACCOUNT_TABLE = "a table of account settings, like [accounts.production]"
_ACCOUNT_NAME = "an account name of letters, digits, _ or -, starting with a letter"
_JOB_ITEM = 'a job id (a whole number) or a table like { id = 5551002, label = "EU mirror" }'
_KEYMAP_VALUE = 'a key, as a string, like "q" or "ctrl+r"'
_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def key_path(loc: Sequence[str | int]) -> str:
    """``('accounts', 'prod', 'jobs', 1, 'id')`` → ``accounts.prod.jobs[1].id``.

    Keys that TOML would need quoted are quoted, so the path can be found in the file.
    """
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
            continue
        name = part if _BARE_KEY.match(part) else json.dumps(part)
        text += f".{name}" if text else name
    return text


def describe_value(value: Any, *, secret: bool = False) -> str:
    """A short, TOML-flavoured description of what the user wrote.

    Strings and numbers are quoted (truncated) so the user can spot them; tables, arrays and
    anything in a secret field are described by type only, as they may contain secrets.
    """
    if isinstance(value, bool):
        return "a true/false value" if secret else str(value).lower()
    if isinstance(value, int | float):
        return "a number" if secret else repr(value)
    if isinstance(value, str):
        if secret:
            return "a string"
        shown = value if len(value) <= 40 else value[:39] + "…"
        return json.dumps(shown, ensure_ascii=False)
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return "a date/time"
    return "a value of another type"


def _known_keys(loc: Sequence[str | int]) -> list[str]:
    """The valid keys of the table that holds the key at ``loc``."""
    parent = loc[:-1]
    model: type[BaseModel]
    if len(parent) == 0:
        model = ConfigFile
    elif len(parent) == 2 and parent[0] == "accounts":
        model = AccountConfig
    elif len(parent) >= 4 and parent[2] == "jobs":
        model = JobEntry
    elif len(parent) >= 4 and parent[2] == "images":
        model = ImageEntry
    else:
        return []
    return list(model.model_fields)


def _unknown_key(file: Path, loc: Sequence[str | int]) -> Problem:
    name = str(loc[-1])
    known = _known_keys(loc)
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    if close:
        got = f'an unknown key (did you mean "{close[0]}"?)'
    elif known:
        got = f"an unknown key (known keys here: {', '.join(known)})"
    else:
        got = "an unknown key"
    return Problem(file, key_path(loc), "one of the known keys", got)


def _expected_for(loc: Sequence[str | int]) -> str:
    """The "expected …" phrase for the value at ``loc``."""
    if len(loc) == 2 and loc[0] == "accounts":
        return _ACCOUNT_TABLE
    if len(loc) == 2 and loc[0] == "keymap":
        return _KEYMAP_VALUE
    if isinstance(loc[-1], int) and len(loc) >= 2:
        if loc[-2] == "notify":
            return _NOTIFY_ITEM
        if loc[-2] == "jobs":
            return _JOB_ITEM
        if loc[-2] == "images":
            return _IMAGE_ITEM
    if loc[-1] == "id" and "images" in loc:
        return _IMAGE_ID
    names = [part for part in loc if isinstance(part, str)]
    return _FIELD_EXPECTED.get(names[-1], "a value of the right type") if names else "a table"


def located_problems(file: Path, error: ValidationError) -> list[tuple[Loc, Problem]]:
    """One :class:`Problem` per pydantic error, each with the location it is about.

    The location lets the loader put problems in file order; pydantic's own order puts
    unknown keys after all the known ones.
    """
    problems: list[tuple[Loc, Problem]] = []
    for detail in error.errors():
        loc: Loc = tuple(detail["loc"])
        kind = detail["type"]
        if kind == "extra_forbidden":
            # The value is never shown: a misspelt `acess_key = "…"` holds a secret.
            problems.append((loc, _unknown_key(file, loc)))
            continue
        if loc and loc[-1] == "[key]":
            loc = loc[:-1]
            shown = describe_value(detail.get("input"))
            problems.append((loc, Problem(file, key_path(loc), _ACCOUNT_NAME, shown)))
            continue
        if kind == "missing":
            missing = "nothing (the key is missing)"
            problems.append((loc, Problem(file, key_path(loc), _expected_for(loc), missing)))
            continue
        # A cfdash_ error is the schema's own rule, its message already phrased for people.
        expected = detail["msg"] if kind.startswith("cfdash_") else _expected_for(loc)
        is_secret = any(part in _SECRET_FIELDS for part in loc)
        got: str | None = describe_value(detail.get("input"), secret=is_secret)
        if kind in ("cfdash_duplicate_job", "cfdash_duplicate_image"):
            got = None  # the phrase already says which job
        elif loc and loc[-1] == "base_url" and isinstance(detail.get("input"), str):
            got = _redact_userinfo(detail["input"])
        problems.append((loc, Problem(file, key_path(loc), expected, got)))
    return problems


def _redact_userinfo(url: str) -> str:
    """Quote a URL without any ``user:password@`` part it may carry."""
    return describe_value(re.sub(r"(?<=://)[^/@]*@", "…@", url))
