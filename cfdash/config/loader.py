"""Loading the user's config file into :class:`Settings`, or saying everything wrong with it.

The steps, each adding to one list of problems rather than stopping at the first:

1. read the file (missing → :class:`ConfigNotFound`; a directory or unreadable → a problem);
2. parse TOML (a syntax error stops here: nothing after it can be trusted);
3. validate against the schema (types, unknown keys, required keys, URL rules);
4. resolve each account's credentials — two keys, or a bearer token — each from its one source
   (literal, env var or command), and check they fit the account's ``auth``.

Steps 3 and 4 both run even when the other finds mistakes, so ``cfdash config check``
reports a misspelt key and an unset ``CFDASH_PRODUCTION_ACCESS_KEY`` in the same run.
"""

from __future__ import annotations

import os
import re
import shlex
import stat
import tomllib
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any, NoReturn

from pydantic import SecretStr, ValidationError

from cfdash.config.credentials import resolve_credentials
from cfdash.config.errors import ConfigError, ConfigNotFound, Problem, display_path
from cfdash.config.files import CONFIG_MAX_BYTES, TooDeep, UnreadableFile, parse_toml, read_capped
from cfdash.config.problems import Loc, describe_value, key_path, located_problems
from cfdash.config.schema import AccountSettings, ConfigFile, Settings
from cfdash.config.secrets import CommandRunner
from cfdash.config.secrets import run_command as _run_command
from cfdash.config.themefile import theme_problems
from cfdash.keys import keymap_issues
from cfdash.redact import register_basic_auth, register_secret

__all__ = ["check_config", "find_problems", "keymap_problems", "load_settings", "theme_problem"]

_TOML_POSITION = re.compile(r"^(?P<reason>.*?)\s*\(at line (?P<line>\d+), column (?P<col>\d+)\)$")


def load_settings(
    path: Path,
    env: Mapping[str, str] | None = None,
    run_command: CommandRunner | None = None,
) -> Settings:
    """Load and resolve the config at ``path``.

    ``env`` defaults to ``os.environ`` and ``run_command`` to running the command for real;
    tests pass both.  Raises :class:`ConfigNotFound` if there is no file, otherwise
    :class:`ConfigError` listing every problem found.
    """
    path = Path(path)
    data = _read_toml(path)
    problems, config, secrets = _validate(
        path, data, os.environ if env is None else env, run_command or _run_command
    )
    if problems:
        raise ConfigError(problems)
    assert config is not None  # no problems means the schema accepted the file
    return _build(path, config, secrets)


def find_problems(
    path: Path,
    env: Mapping[str, str] | None = None,
    run_command: CommandRunner | None = None,
) -> list[Problem]:
    """Every problem with the config at ``path``; an empty list means it loads."""
    try:
        load_settings(path, env, run_command)
    except ConfigError as exc:
        return exc.problems
    return []


def check_config(
    path: Path,
    env: Mapping[str, str] | None = None,
    run_command: CommandRunner | None = None,
    *,
    themes: Collection[str] | None = None,
    themes_dir: Path | None = None,
) -> tuple[int, str]:
    """What ``cfdash config check`` prints, and its exit status (0 fine, 2 problems).

    Beyond loading, it judges what only the dashboard uses: the ``[keymap]`` (unknown binding
    ids, key names Textual does not know, two actions on one key), given the names of the
    available ``themes`` the theme, and given ``themes_dir`` every theme file in it.  The
    dashboard itself shows those as a notice and carries on, so :func:`load_settings` does
    not raise for them.
    """
    path = Path(path)
    broken_themes = theme_problems(themes_dir) if themes_dir is not None else []
    try:
        settings = load_settings(path, env, run_command)
    except ConfigError as exc:
        # The keymap and themes may be fine even when other keys are not: say so in one run.
        found = [*exc.problems, *_raw_keymap_problems(path), *broken_themes]
        return 2, "\n".join(str(p) for p in found)
    problems = keymap_problems(path, settings.keymap) + broken_themes
    if themes is not None and settings.theme not in themes:
        problems.insert(0, theme_problem(path, settings.theme, themes))
    if problems:
        return 2, "\n".join(str(problem) for problem in problems)
    count = len(settings.accounts)
    lines = [f"ok: {display_path(Path(path))} ({count} account{'' if count == 1 else 's'})"]
    lines += [f"warning: {warning}" for warning in settings.warnings]
    return 0, "\n".join(lines)


def keymap_problems(path: Path, keymap: Mapping[str, str]) -> list[Problem]:
    """The ``[keymap]`` entries the dashboard will not apply, as config problems."""
    return [
        Problem(path, key_path(("keymap", issue.id)), issue.expected, issue.got)
        for issue in keymap_issues(keymap)
    ]


def theme_problem(
    path: Path, name: str, themes: Collection[str], user_dir: Path | None = None, key: str = "theme"
) -> Problem:
    """``theme = "…"`` names no available theme (for ``--theme``: path "--theme", key "")."""
    expected = f"a theme name ({', '.join(themes)})"
    if user_dir is not None:
        expected += f" or the name of a theme file in {display_path(user_dir)}"
    return Problem(path, key, expected, describe_value(name))


def _raw_keymap_problems(path: Path) -> list[Problem]:
    """Keymap problems of a file that did not load, when its ``[keymap]`` itself is sound."""
    try:
        keymap = _read_toml(path).get("keymap")
    except ConfigError:
        return []
    if not isinstance(keymap, dict) or not all(isinstance(v, str) for v in keymap.values()):
        return []  # its shape is already reported by the schema
    return keymap_problems(path, keymap)


def _read_toml(path: Path) -> dict[str, Any]:
    def fail(expected: str, got: str, line: int | None = None, col: int | None = None) -> NoReturn:
        raise ConfigError([Problem(path, "", expected, got, line, col)]) from None

    # Not a regular file (a FIFO, /dev/zero) or over 1 MB: refused before a byte is parsed.
    try:
        raw = read_capped(path, CONFIG_MAX_BYTES, "config file")
    except UnreadableFile as unreadable:
        if unreadable.missing:
            raise ConfigNotFound(path) from None
        fail(unreadable.expected, unreadable.got)
    try:
        text = raw.decode("utf-8-sig")  # tolerate the BOM some Windows editors add
    except UnicodeDecodeError as exc:
        fail("a UTF-8 text file", f"a byte that is not UTF-8 at offset {exc.start}")
    try:
        return parse_toml(text)
    except TooDeep as deep:
        fail(deep.expected, deep.got)
    except tomllib.TOMLDecodeError as exc:
        # tomllib's messages name a construct, never the value, so they are safe to show.
        message = str(exc)
        match = _TOML_POSITION.match(message)
        if match is None:
            fail("valid TOML", f"a syntax error: {_lower_first(message)}")
        reason = _lower_first(match["reason"])
        fail("valid TOML", f"a syntax error: {reason}", int(match["line"]), int(match["col"]))


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _validate(
    path: Path, data: dict[str, Any], env: Mapping[str, str], runner: CommandRunner
) -> tuple[list[Problem], ConfigFile | None, dict[str, dict[str, SecretStr]]]:
    found: list[tuple[Loc, Problem]] = []
    config: ConfigFile | None = None
    try:
        config = ConfigFile.model_validate(data)
    except ValidationError as exc:
        found.extend(located_problems(path, exc))

    secrets: dict[str, dict[str, SecretStr]] = {}
    accounts = data.get("accounts")
    if isinstance(accounts, dict):
        for name, account in accounts.items():
            if not isinstance(account, dict):
                continue  # reported by the schema
            resolved, problems = resolve_credentials(
                file=path,
                account_key=key_path(("accounts", name)),
                account=account,
                env=env,
                runner=runner,
            )
            # A credential's problem key always ends in a plain field name.
            found.extend((("accounts", name, p.key.rsplit(".", 1)[1]), p) for p in problems)
            secrets[name] = resolved
    if config is not None:
        found.extend(_stall_problems(path, config))
    # Stable sort: problems at the same place keep the order they were found in.
    found.sort(key=lambda item: _file_position(data, item[0]))
    return [problem for _, problem in found], config, secrets


def _stall_problems(path: Path, config: ConfigFile) -> list[tuple[Loc, Problem]]:
    """``stall_after`` must be at least twice the refresh interval of each account it covers.

    A job's progress is only seen once a poll; with less than two polls in the window, one
    slow answer would flag a healthy job as stalled.
    """
    found: list[tuple[Loc, Problem]] = []
    tightest: tuple[float, str] | None = None  # for the top-level value: the account it fails
    for name, account in config.accounts.items():
        interval = account.refresh_interval or config.refresh_interval
        if account.stall_after is not None:
            if account.stall_after < 2 * interval:
                loc: Loc = ("accounts", name, "stall_after")
                expected = (
                    f"a number of seconds at least twice the account's refresh interval "
                    f"(at least {2 * interval:g})"
                )
                got = f"{account.stall_after:g}"
                found.append((loc, Problem(path, key_path(loc), expected, got)))
        elif config.stall_after < 2 * interval and (tightest is None or interval > tightest[0]):
            tightest = (interval, name)
    if tightest is not None:
        interval, name = tightest
        expected = (
            "a number of seconds at least twice each account's refresh interval (at least "
            f"{2 * interval:g} for {key_path(('accounts', name))}, or set stall_after there)"
        )
        found.append(
            (
                ("stall_after",),
                Problem(path, "stall_after", expected, f"{config.stall_after:g}"),
            )
        )
    return found


def _file_position(data: Any, loc: Loc) -> tuple[int, ...]:
    """Where ``loc`` sits in the document (tomllib keeps keys in file order).

    A key that is absent (a missing required key) sorts after its table's present keys.
    """
    position: list[int] = []
    node = data
    for part in loc:
        if isinstance(node, dict):
            keys = list(node)
            if part not in node:
                position.append(len(keys))
                break
            position.append(keys.index(part))
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            position.append(part)
            node = node[part]
        else:
            break
    return tuple(position)


def _build(
    path: Path,
    config: ConfigFile,
    secrets: dict[str, dict[str, SecretStr]],
) -> Settings:
    for keys in secrets.values():  # blanked in every text from the moment they are known
        if "access_key" in keys and "secret_key" in keys:
            register_basic_auth(
                keys["access_key"].get_secret_value(), keys["secret_key"].get_secret_value()
            )
        if "token" in keys:
            register_secret(keys["token"].get_secret_value())
    accounts = {
        name: AccountSettings(
            name=name,
            accountserviceid=account.accountserviceid,
            base_url=account.base_url.rstrip("/"),
            access_key=secrets[name].get("access_key"),
            secret_key=secrets[name].get("secret_key"),
            auth=account.auth,
            token=secrets[name].get("token"),
            images=tuple(account.images),
            finished_retention=(
                account.finished_retention
                if account.finished_retention is not None
                else config.finished_retention
            ),
            refresh_interval=(
                account.refresh_interval
                if account.refresh_interval is not None
                else config.refresh_interval
            ),
            track_all=account.track_all,
            jobs=tuple(account.jobs),
            allow_insecure_http=account.allow_insecure_http,
            connect_timeout=account.connect_timeout,
            read_timeout=account.read_timeout,
            # Read-only anywhere wins: the ops monitor's safety must not be undone per account.
            read_only=config.read_only or account.read_only,
            notify=tuple(account.notify if account.notify is not None else config.notify),
            stall_after=(
                account.stall_after if account.stall_after is not None else config.stall_after
            ),
        )
        for name, account in config.accounts.items()
    }
    return Settings(
        path=path,
        refresh_interval=config.refresh_interval,
        theme=config.theme,
        read_only=config.read_only,
        notify=tuple(config.notify),
        stall_after=config.stall_after,
        keymap=dict(config.keymap),
        export_raw=config.export_raw,
        finished_retention=config.finished_retention,
        accounts=accounts,
        warnings=_permission_warnings(path, config),
    )


def _permission_warnings(path: Path, config: ConfigFile) -> tuple[str, ...]:
    """Warn when literal secrets sit in a file other users can read (POSIX only)."""
    if os.name != "posix":
        return ()  # Windows ACLs do not map onto these mode bits
    inline = any(
        account.access_key is not None
        or account.secret_key is not None
        or account.token is not None
        for account in config.accounts.values()
    )
    if not inline:
        return ()
    try:
        mode = path.stat().st_mode
    except OSError:
        return ()
    if not mode & (stat.S_IRGRP | stat.S_IROTH):
        return ()
    return (
        f"{display_path(path)} holds inline secrets and other users can read it; "
        f"run chmod 600 {shlex.quote(str(path))}",
    )
