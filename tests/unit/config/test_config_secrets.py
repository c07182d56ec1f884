"""Credentials: one source each, resolved to SecretStr, and never repeated in any text."""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from cfdash.config import COMMAND_TIMEOUT, ConfigError, Settings, find_problems, load_settings

WriteConfig = Callable[..., Path]
SECRET = "s3cr3t-VALUE-never-shown"


def account(**sources: str) -> str:
    lines = ["[accounts.production]", "accountserviceid = 1"]
    lines += [f"{key} = {_toml_string(value)}" for key, value in sources.items()]
    return "\n".join(lines) + "\n"


def _toml_string(value: str) -> str:
    return json.dumps(value)  # a JSON string is a valid TOML basic string


def python_command(code: str) -> str:
    """A command line running ``code`` with this interpreter: portable, no shell needed."""
    return shlex.join([sys.executable, "-c", code])


def assert_no_secret(settings_or_error: Settings | ConfigError, secret: str = SECRET) -> None:
    texts = [repr(settings_or_error), str(settings_or_error)]
    if isinstance(settings_or_error, Settings):
        texts += [str(settings_or_error.model_dump()), settings_or_error.model_dump_json()]
        for acct in settings_or_error.accounts.values():
            texts += [repr(acct), str(acct), str(acct.model_dump()), acct.model_dump_json()]
    else:
        texts += ["".join(traceback.format_exception(settings_or_error))]
        texts += [repr(problem) for problem in settings_or_error.problems]
    for text in texts:
        assert secret not in text


# --- the three sources ------------------------------------------------------------------------


def test_literal_secrets(write_config: WriteConfig) -> None:
    path = write_config(account(access_key=SECRET, secret_key="other"))
    settings = load_settings(path, {})
    assert settings.accounts["production"].access_key.get_secret_value() == SECRET
    assert_no_secret(settings)


def test_env_secrets(write_config: WriteConfig) -> None:
    path = write_config(account(access_key_env="A", secret_key_env="B"))
    settings = load_settings(path, {"A": SECRET, "B": "other"})
    assert settings.accounts["production"].access_key.get_secret_value() == SECRET
    assert settings.accounts["production"].secret_key.get_secret_value() == "other"
    assert_no_secret(settings)


def test_command_secrets_strip_the_trailing_newline(write_config: WriteConfig) -> None:
    path = write_config(
        account(
            access_key_command=python_command(f"print({SECRET!r})"),
            secret_key_command=python_command("import sys; sys.stdout.write('other\\r\\n')"),
        )
    )
    settings = load_settings(path, {})
    assert settings.accounts["production"].access_key.get_secret_value() == SECRET
    assert settings.accounts["production"].secret_key.get_secret_value() == "other"
    assert_no_secret(settings)


def test_command_is_split_without_a_shell(write_config: WriteConfig) -> None:
    calls: list[tuple[list[str], float]] = []

    def runner(argv: Sequence[str], timeout: float) -> subprocess.CompletedProcess[str]:
        calls.append((list(argv), timeout))
        return subprocess.CompletedProcess(argv, 0, stdout="value\n", stderr="")

    path = write_config(
        account(access_key_command='pass show "clanforge/prod key" | x', secret_key="s")
    )
    load_settings(path, {}, run_command=runner)
    assert calls == [(["pass", "show", "clanforge/prod key", "|", "x"], COMMAND_TIMEOUT)]
    assert COMMAND_TIMEOUT == 10


# --- one source, exactly ----------------------------------------------------------------------


def test_two_sources_for_one_secret(write_config: WriteConfig) -> None:
    path = write_config(account(access_key=SECRET, access_key_env="A", secret_key_env="B"))
    (problem,) = find_problems(path, {"A": "a", "B": "b"})
    assert str(problem) == (
        f"{path}: accounts.production.access_key: expected exactly one of access_key, "
        "access_key_env or access_key_command, got access_key and access_key_env"
    )


def test_no_source_for_a_secret(write_config: WriteConfig) -> None:
    path = write_config(account(access_key_env="A"))
    (problem,) = find_problems(path, {"A": "a"})
    assert str(problem) == (
        f"{path}: accounts.production.secret_key: expected exactly one of secret_key, "
        "secret_key_env or secret_key_command, got none of them"
    )


def test_empty_literal_secret(write_config: WriteConfig) -> None:
    path = write_config(account(access_key="", secret_key_env="B"))
    (problem,) = find_problems(path, {"B": "b"})
    assert problem.key == "accounts.production.access_key"
    assert problem.got == "an empty string"


# --- environment variables --------------------------------------------------------------------


def test_env_variable_not_set(write_config: WriteConfig) -> None:
    path = write_config(account(access_key_env="CFDASH_X_ACCESS", secret_key="s"))
    (problem,) = find_problems(path, {})
    assert str(problem) == (
        f"{path}: accounts.production.access_key_env: expected the environment variable "
        "it names to hold the access key, got nothing (that variable is not set)"
    )


@pytest.mark.parametrize("value", ["", "  \n"])
def test_env_variable_empty(write_config: WriteConfig, value: str) -> None:
    path = write_config(account(access_key_env="CFDASH_X_ACCESS", secret_key="s"))
    (problem,) = find_problems(path, {"CFDASH_X_ACCESS": value})
    assert problem.got == "an empty value"


def test_env_variable_name_must_be_a_non_empty_string(write_config: WriteConfig) -> None:
    path = write_config(account(secret_key="s") + "access_key_env = ''\n")
    (problem,) = find_problems(path, {})
    assert problem.key == "accounts.production.access_key_env"
    assert problem.expected == "the name of an environment variable, as a string"


# --- commands ---------------------------------------------------------------------------------


def command_problem(write_config: WriteConfig, command: str, **kwargs: object) -> str:
    path = write_config(account(access_key_command=command, secret_key="s"))
    problems = find_problems(path, {}, **kwargs)  # type: ignore[arg-type]
    assert [p.key for p in problems] == ["accounts.production.access_key_command"]
    message = str(problems[0])
    assert SECRET not in message
    assert message.startswith(f"{path}: accounts.production.access_key_command: expected ")
    return message


def test_command_that_fails_does_not_echo_its_output(write_config: WriteConfig) -> None:
    code = (
        f"import sys; print({SECRET!r}); "
        f"sys.stderr.write('bad password: ' + {SECRET!r}); sys.exit(3)"
    )
    message = command_problem(write_config, python_command(code))
    assert message.endswith(
        f'expected a command that prints the access key and exits 0, got exit status 3 from "'
        f'{sys.executable}"'
    )


def test_command_not_found(write_config: WriteConfig) -> None:
    message = command_problem(write_config, "cfdash-no-such-program-xyz show key")
    assert message.endswith(
        "got a program that was not found (not repeated here in case it is the key)"
    )
    assert "cfdash-no-such-program-xyz" not in message  # it might have been the key


def test_command_timeout(write_config: WriteConfig) -> None:
    def runner(argv: Sequence[str], timeout: float) -> subprocess.CompletedProcess[str]:
        # What subprocess raises: it carries the partial output, which may hold the secret.
        raise subprocess.TimeoutExpired(list(argv), timeout, output=SECRET, stderr=SECRET)

    message = command_problem(write_config, "slow-vault read key", run_command=runner)
    assert message.endswith('got no answer from "slow-vault" within 10 seconds')


def test_command_that_prints_nothing(write_config: WriteConfig) -> None:
    message = command_problem(write_config, python_command("print()"))
    assert message.endswith(f'got no output from "{sys.executable}"')


def test_command_that_prints_several_lines(write_config: WriteConfig) -> None:
    message = command_problem(write_config, python_command(f"print({SECRET!r}); print('url')"))
    assert "expected a command that prints only the access key, got 2 lines from" in message


def test_command_killed_by_a_signal(write_config: WriteConfig) -> None:
    def runner(argv: Sequence[str], timeout: float) -> subprocess.CompletedProcess[str]:
        return subprocess.CompletedProcess(argv, -9, stdout=SECRET, stderr="")

    message = command_problem(write_config, "vault read", run_command=runner)
    assert message.endswith('got "vault" killed by signal 9')


def test_command_line_that_cannot_be_split(write_config: WriteConfig) -> None:
    message = command_problem(write_config, f'pass show "{SECRET}')
    assert message.endswith(
        "expected a command line that shlex can split, got no closing quotation"
    )


# --- secrets never leak -----------------------------------------------------------------------


def test_secret_under_a_misspelt_key_is_not_repeated(write_config: WriteConfig) -> None:
    path = write_config(account(acess_key=SECRET, access_key="a", secret_key="s"))
    with pytest.raises(ConfigError) as caught:
        load_settings(path, {})
    assert [p.key for p in caught.value.problems] == ["accounts.production.acess_key"]
    assert_no_secret(caught.value)


def test_secret_of_the_wrong_type_is_not_repeated(write_config: WriteConfig) -> None:
    path = write_config(account(secret_key="s") + "access_key = 987654321\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(path, {})
    (problem,) = caught.value.problems
    assert str(problem).endswith("expected the access key, as a string, got a number")
    assert_no_secret(caught.value, "987654321")


def test_errors_from_a_failing_command_carry_no_secret(write_config: WriteConfig) -> None:
    path = write_config(
        account(
            access_key_command=python_command(f"import sys; print({SECRET!r}); sys.exit(1)"),
            secret_key_command=python_command(f"print({SECRET!r})"),
        )
        + "track_all = 'maybe'\n"
    )
    with pytest.raises(ConfigError) as caught:
        load_settings(path, {})
    assert len(caught.value.problems) == 2
    assert_no_secret(caught.value)


# --- a secret pasted where a name or a command belongs (issue 17) ------------------------------


@pytest.mark.parametrize("pasted", [SECRET, "AKIAEXAMPLESECRETKEY42", "c2VjcmV0Cg=="])
@pytest.mark.parametrize("key", ["secret_key_env", "secret_key_command", "access_key_env"])
def test_a_secret_pasted_into_an_env_or_command_key_is_not_repeated(
    write_config: WriteConfig, key: str, pasted: str
) -> None:
    other = "access_key" if key.startswith("secret") else "secret_key"
    path = write_config(account(**{key: pasted, other: "kkkk"}))
    with pytest.raises(ConfigError) as caught:
        load_settings(path, {})
    (problem,) = caught.value.problems
    assert problem.key == f"accounts.production.{key}"  # the key is named...
    assert_no_secret(caught.value, pasted)  # ...its value never repeated
    assert "\n" not in str(problem)


def test_a_name_that_cannot_be_a_variable_is_called_out(write_config: WriteConfig) -> None:
    path = write_config(account(secret_key_env=SECRET, access_key="kkkk"))
    (problem,) = find_problems(path, {})
    assert problem.expected == "the name of an environment variable (letters, digits and _)"
    assert problem.got == "something else, not repeated here in case it is the key itself"


def test_a_command_that_never_stops_printing_is_stopped_at_64_kib(
    write_config: WriteConfig,
) -> None:
    """`secret_key_command = "yes"` grew to 16 GB before its 10 s timeout; now it stops at once."""
    endless = python_command("import sys\nwhile True: sys.stdout.write('y' * 65536)")
    message = command_problem(write_config, endless)
    assert message.endswith(
        f"expected a command that prints only the access key, got more than 64 KiB of output "
        f'from "{sys.executable}" (it was stopped)'
    )


@pytest.mark.skipif(shutil.which("yes") is None, reason="no yes(1)")
def test_yes_as_a_credential_command(write_config: WriteConfig) -> None:
    message = command_problem(write_config, "yes")
    assert 'got more than 64 KiB of output from "yes"' in message


def test_output_of_exactly_the_cap_is_still_read(write_config: WriteConfig) -> None:
    """A long single line up to the cap is a key (odd, but not refused)."""
    code = "import sys; sys.stdout.write('k' * (64 * 1024 - 1) + '\\n')"
    path = write_config(account(access_key_command=python_command(code), secret_key="s"))
    settings = load_settings(path, {})
    assert len(settings.accounts["production"].access_key.get_secret_value()) == 64 * 1024 - 1


def test_the_real_runner_times_out_a_silent_command(monkeypatch: pytest.MonkeyPatch) -> None:
    from cfdash.config import secrets

    argv = [sys.executable, "-c", "import time; time.sleep(60)"]
    with pytest.raises(subprocess.TimeoutExpired):
        secrets.run_command(argv, 0.5)
