"""Loading a config: the resolved settings, and every kind of mistake, reported together."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from pydantic import ValidationError

from cfdash.config import (
    ConfigError,
    ConfigNotFound,
    JobEntry,
    Problem,
    check_config,
    files,
    find_problems,
    load_settings,
)

WriteConfig = Callable[..., Path]

# An account whose credentials come from GOOD_ENV: most tests start from this and break one thing.
ACCOUNT = """
[accounts.production]
accountserviceid = 12345
access_key_env = "PROD_ACCESS"
secret_key_env = "PROD_SECRET"
"""
GOOD_ENV = {"PROD_ACCESS": "access-value-123", "PROD_SECRET": "secret-value-456"}


def messages(path: Path, env: dict[str, str] | None = None) -> list[str]:
    return [str(problem) for problem in find_problems(path, GOOD_ENV if env is None else env)]


def only_message(path: Path) -> str:
    found = messages(path)
    assert len(found) == 1, found
    return found[0]


# --- what a good file becomes ---------------------------------------------------------------


def test_minimal_config_takes_defaults(write_config: WriteConfig) -> None:
    settings = load_settings(write_config(ACCOUNT), GOOD_ENV)
    assert settings.refresh_interval == 5
    assert settings.theme == "cfdash-dark"
    assert settings.read_only is False
    assert settings.notify == ()
    assert settings.keymap == {}
    assert settings.warnings == ()
    account = settings.accounts["production"]
    assert account.name == "production"
    assert account.accountserviceid == 12345
    assert account.base_url == "https://api.multiplay.co.uk"
    assert account.refresh_interval == 5
    assert account.jobs == ()
    assert (account.connect_timeout, account.read_timeout) == (5, 10)
    assert account.access_key.get_secret_value() == "access-value-123"
    assert account.secret_key.get_secret_value() == "secret-value-456"


def test_settings_remember_their_path(write_config: WriteConfig) -> None:
    path = write_config(ACCOUNT)
    assert load_settings(path, GOOD_ENV).path == path


def test_account_values_are_merged_with_top_level(write_config: WriteConfig) -> None:
    path = write_config(
        """
        refresh_interval = 7.5
        notify = ["bell"]
        read_only = true

        [accounts.production]
        accountserviceid = 1
        base_url = "https://example.test/api/"
        access_key_env = "PROD_ACCESS"
        secret_key_env = "PROD_SECRET"
        refresh_interval = 2
        notify = ["desktop"]
        track_all = true
        connect_timeout = 1
        read_timeout = 30

        [accounts.staging]
        accountserviceid = 2
        access_key_env = "PROD_ACCESS"
        secret_key_env = "PROD_SECRET"
        read_only = false

        [keymap]
        queue = "Q"
        """
    )
    settings = load_settings(path, GOOD_ENV)
    production, staging = settings.accounts["production"], settings.accounts["staging"]
    assert production.base_url == "https://example.test/api"  # trailing slash stripped
    assert (production.refresh_interval, staging.refresh_interval) == (2, 7.5)
    assert (production.notify, staging.notify) == (("desktop",), ("bell",))
    assert production.track_all is True
    assert (production.connect_timeout, production.read_timeout) == (1, 30)
    # read_only at the top cannot be undone by an account
    assert production.read_only is staging.read_only is True
    assert settings.keymap == {"queue": "Q"}


def test_jobs_in_both_forms_become_job_entries(write_config: WriteConfig) -> None:
    path = write_config(
        ACCOUNT + 'jobs = [11, { id = 12, mirroring = false, label = "canary" }, { id = 13 }]\n'
    )
    jobs = load_settings(path, GOOD_ENV).accounts["production"].jobs
    assert jobs == (
        JobEntry(id=11),
        JobEntry(id=12, mirroring=False, label="canary"),
        JobEntry(id=13),
    )
    assert isinstance(jobs, tuple)


def test_settings_are_immutable(write_config: WriteConfig) -> None:
    settings = load_settings(write_config(ACCOUNT), GOOD_ENV)
    with pytest.raises(ValidationError):
        settings.theme = "other"  # type: ignore[misc]
    with pytest.raises(ValidationError):
        settings.accounts["production"].read_only = True  # type: ignore[misc]


def test_with_overrides_reaches_every_account(write_config: WriteConfig) -> None:
    settings = load_settings(write_config(ACCOUNT), GOOD_ENV)
    changed = settings.with_overrides(read_only=True, theme="cfdash-light")
    assert changed.read_only and changed.accounts["production"].read_only
    assert changed.theme == "cfdash-light"
    assert settings.read_only is False  # the original is untouched
    assert settings.with_overrides() == settings


def test_export_raw_is_a_top_level_switch_off_by_default(write_config: WriteConfig) -> None:
    assert load_settings(write_config(ACCOUNT), GOOD_ENV).export_raw is False
    raw = write_config("export_raw = true\n" + ACCOUNT)
    assert load_settings(raw, GOOD_ENV).export_raw is True
    wrong = write_config('export_raw = "yes"\n' + ACCOUNT)
    assert only_message(wrong) == f'{wrong}: export_raw: expected true or false, got "yes"'


# --- the sentence format ----------------------------------------------------------------------


def test_message_names_file_key_and_expectation(write_config: WriteConfig) -> None:
    path = write_config(ACCOUNT + 'refresh_interval = "fast"\n')
    assert only_message(path) == (
        f"{path}: accounts.production.refresh_interval: "
        'expected a number of seconds, at least 0.5, got "fast"'
    )


def test_file_under_home_is_shown_with_tilde(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    problem = Problem(tmp_path / ".config/cfdash/config.toml", "theme", "a theme", "3")
    assert str(problem) == "~/.config/cfdash/config.toml: theme: expected a theme, got 3"


def test_all_problems_are_collected_and_reported_one_per_line(write_config: WriteConfig) -> None:
    path = write_config(
        """
        refresh_interval = 0
        colour = "red"

        [accounts.production]
        accountserviceid = "12345"
        access_key_env = "PROD_ACCESS"
        jobs = [1, { id = "two" }]

        [accounts.staging]
        accountserviceid = 2
        access_key_env = "UNSET_VARIABLE"
        secret_key_env = "PROD_SECRET"
        """
    )
    with pytest.raises(ConfigError) as caught:
        load_settings(path, GOOD_ENV)
    keys = [problem.key for problem in caught.value.problems]
    assert keys == [
        "refresh_interval",
        "colour",
        "accounts.production.accountserviceid",
        "accounts.production.jobs[1].id",
        "accounts.production.secret_key",
        "accounts.staging.access_key_env",
    ]
    lines = str(caught.value).splitlines()
    assert lines == [str(problem) for problem in caught.value.problems]
    assert all(line.startswith(f"{path}: ") for line in lines)


# --- one test per kind of mistake -------------------------------------------------------------


def test_toml_syntax_error_gives_line_and_column(write_config: WriteConfig) -> None:
    path = write_config('theme = "dark"\nrefresh_interval = = 5\n')
    (problem,) = find_problems(path, GOOD_ENV)
    assert (problem.line, problem.column) == (2, 20)
    assert str(problem) == (
        f"{path}: line 2, column 20: expected valid TOML, got a syntax error: invalid value"
    )


def test_unknown_key_suggests_the_nearest(write_config: WriteConfig) -> None:
    path = write_config("refresh_intervall = 3\n" + ACCOUNT)
    assert only_message(path) == (
        f"{path}: refresh_intervall: expected one of the known keys, "
        'got an unknown key (did you mean "refresh_interval"?)'
    )


def test_unknown_key_in_account_and_job(write_config: WriteConfig) -> None:
    path = write_config(ACCOUNT + "trackall = true\njobs = [{ id = 1, mirorring = true }]\n")
    assert [p.key for p in find_problems(path, GOOD_ENV)] == [
        "accounts.production.trackall",
        "accounts.production.jobs[0].mirorring",
    ]
    assert all('did you mean "' in m for m in messages(path))


def test_unknown_key_far_from_any_lists_the_known_ones(write_config: WriteConfig) -> None:
    path = write_config("zzz = 1\n" + ACCOUNT)
    assert "known keys here: refresh_interval, theme, read_only" in only_message(path)


@pytest.mark.parametrize(
    ("line", "key", "expected"),
    [
        ("track_all = 1", "track_all", "expected true or false, got 1"),
        ('refresh_interval = "5"', "refresh_interval", 'got "5"'),
        ("refresh_interval = -1", "refresh_interval", "at least 0.5, got -1"),
        ("read_timeout = 0", "read_timeout", "greater than 0, got 0"),
        ('notify = ["beep"]', "notify[0]", 'expected "bell" or "desktop", got "beep"'),
        ('notify = "bell"', "notify", 'got "bell"'),
        ("jobs = [1, true]", "jobs[1]", "expected a job id (a whole number) or a table"),
        ("jobs = 5", "jobs", "expected a list of job ids or job tables, got 5"),
        (
            'jobs = [{ id = "7" }]',
            "jobs[0].id",
            "expected a job id (a whole number greater than 0)",
        ),
        ("jobs = [{ label = 'x' }]", "jobs[0].id", "got nothing (the key is missing)"),
        ("jobs = [1, 2, 1]", "jobs", "expected each job id once, but 1 is listed twice"),
        ("base_url = 5", "base_url", "expected an http:// or https:// URL, as a string, got 5"),
        ("timeout = 5", "timeout", 'did you mean "read_timeout"?'),
    ],
)
def test_wrong_values_in_an_account(
    write_config: WriteConfig, line: str, key: str, expected: str
) -> None:
    path = write_config(ACCOUNT + line + "\n")
    message = only_message(path)
    assert message.startswith(f"{path}: accounts.production.{key}: "), message
    assert expected in message


def test_wrong_type_at_top_level(write_config: WriteConfig) -> None:
    path = write_config('theme = 3\nread_only = "yes"\n' + ACCOUNT)
    assert messages(path) == [
        f"{path}: theme: expected the name of a theme, as a string, got 3",
        f'{path}: read_only: expected true or false, got "yes"',
    ]


def test_dates_and_tables_are_described_not_dumped(write_config: WriteConfig) -> None:
    path = write_config('theme = 2024-05-01\nkeymap = { queue = { key = "q" } }\n' + ACCOUNT)
    assert messages(path) == [
        f"{path}: theme: expected the name of a theme, as a string, got a date/time",
        f'{path}: keymap.queue: expected a key, as a string, like "q" or "ctrl+r", got a table',
    ]


def test_missing_required_key(write_config: WriteConfig) -> None:
    path = write_config(
        '[accounts.production]\naccess_key_env = "PROD_ACCESS"\nsecret_key_env = "PROD_SECRET"\n'
    )
    assert only_message(path) == (
        f"{path}: accounts.production.accountserviceid: expected an account service id "
        "(a whole number greater than 0), got nothing (the key is missing)"
    )


def test_missing_accounts(write_config: WriteConfig) -> None:
    path = write_config('theme = "cfdash-dark"\n')
    assert only_message(path) == (
        f"{path}: accounts: expected at least one account table, like [accounts.production], "
        "got nothing (the key is missing)"
    )


def test_account_that_is_not_a_table(write_config: WriteConfig) -> None:
    path = write_config("[accounts]\nproduction = 5\n")
    assert only_message(path) == (
        f"{path}: accounts.production: expected a table of account settings, "
        "like [accounts.production], got 5"
    )


def test_account_name_must_be_simple(write_config: WriteConfig) -> None:
    path = write_config(ACCOUNT.replace("[accounts.production]", '[accounts."prod env"]'))
    assert only_message(path) == (
        f'{path}: accounts."prod env": expected an account name of letters, digits, _ or -, '
        'starting with a letter, got "prod env"'
    )


# --- the file itself --------------------------------------------------------------------------


def test_missing_file_is_config_not_found(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.toml"
    with pytest.raises(ConfigNotFound) as caught:
        load_settings(path, GOOD_ENV)
    assert isinstance(caught.value, ConfigError)
    assert caught.value.path == path
    assert str(caught.value).startswith(f"{path}: expected a config file here")
    assert "cfdash --demo" in str(caught.value)


def test_directory_instead_of_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(tmp_path, GOOD_ENV)
    assert not isinstance(caught.value, ConfigNotFound)
    assert str(caught.value) == f"{tmp_path}: expected a config file, got a directory"


def test_unreadable_file(write_config: WriteConfig, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_config(ACCOUNT)

    def refuse(name: object, flags: int, mode: int = 0o777) -> int:
        raise PermissionError(13, "Permission denied", str(name))

    # chmod 000 would not stop root (tests may run as root), so fail the open itself.
    monkeypatch.setattr(files.os, "open", refuse)
    assert messages(path) == [
        f"{path}: expected a config file cfdash may read, got permission denied"
    ]


def test_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b'theme = "caf\xe9"\n')
    assert messages(path) == [
        f"{path}: expected a UTF-8 text file, got a byte that is not UTF-8 at offset 12"
    ]


def test_utf8_bom_is_tolerated(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b"\xef\xbb\xbf" + textwrap.dedent(ACCOUNT).encode())
    assert find_problems(path, GOOD_ENV) == []


# --- config check -----------------------------------------------------------------------------


def test_check_ok(write_config: WriteConfig) -> None:
    path = write_config(ACCOUNT + ACCOUNT.replace("production", "staging"))
    assert check_config(path, GOOD_ENV) == (0, f"ok: {path} (2 accounts)")


def test_check_ok_singular(write_config: WriteConfig) -> None:
    path = write_config(ACCOUNT)
    assert check_config(path, GOOD_ENV) == (0, f"ok: {path} (1 account)")


def test_check_reports_problems_with_exit_2(write_config: WriteConfig) -> None:
    path = write_config(ACCOUNT + 'refresh_interval = "fast"\ntrack_all = 3\n')
    code, text = check_config(path, GOOD_ENV)
    assert code == 2
    assert text.splitlines() == messages(path)


def test_check_missing_file(tmp_path: Path) -> None:
    code, text = check_config(tmp_path / "none.toml", GOOD_ENV)
    assert code == 2
    assert "none.toml: expected a config file here" in text


# --- inline secrets in a readable file --------------------------------------------------------

INLINE = """
[accounts.production]
accountserviceid = 1
access_key = "inline-access"
secret_key_env = "PROD_SECRET"
"""


def test_inline_secret_in_readable_file_warns(write_config: WriteConfig) -> None:
    path = write_config(INLINE)
    path.chmod(0o644)
    settings = load_settings(path, GOOD_ENV)
    assert settings.warnings == (
        f"{path} holds inline secrets and other users can read it; run chmod 600 {path}",
    )
    code, text = check_config(path, GOOD_ENV)
    assert code == 0
    assert text.splitlines()[1] == f"warning: {settings.warnings[0]}"


def test_inline_secret_in_private_file_is_quiet(write_config: WriteConfig) -> None:
    assert load_settings(write_config(INLINE), GOOD_ENV).warnings == ()


def test_readable_file_without_inline_secrets_is_quiet(write_config: WriteConfig) -> None:
    path = write_config(ACCOUNT)
    path.chmod(0o644)
    assert load_settings(path, GOOD_ENV).warnings == ()
