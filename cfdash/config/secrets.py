"""Resolving an account's credentials from the file, the environment or a command.

Each of ``access_key`` and ``secret_key`` comes from exactly one source::

    access_key = "…"                       # literal (the loader warns if the file is readable)
    access_key_env = "CFDASH_PROD_ACCESS"  # an environment variable
    access_key_command = "pass show …"     # a command's standard output

This works on the *raw* account table rather than the validated model, so a missing
credential is reported alongside any other mistake in the same account.  Values are wrapped in
``SecretStr`` the moment they are read, and no problem text quotes them: a failing command is
described by its program name and exit status only, since its output may hold the secret.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from cfdash.config.errors import Problem

__all__ = [
    "COMMAND_TIMEOUT",
    "MAX_OUTPUT",
    "SECRET_NAMES",
    "CommandRunner",
    "OutputTooLarge",
    "resolve_secret",
    "run_command",
]

SECRET_NAMES = ("access_key", "secret_key")
# Long enough for a password manager to unlock, short enough that a hung one is noticed.
COMMAND_TIMEOUT = 10.0
#: A key is a line of text; 64 KiB is far more than any, and little enough to hold.
MAX_OUTPUT = 64 * 1024

_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

CommandRunner = Callable[[Sequence[str], float], "subprocess.CompletedProcess[str]"]


class OutputTooLarge(Exception):
    """A credential command printed more than :data:`MAX_OUTPUT` bytes (it was stopped)."""


def run_command(argv: Sequence[str], timeout: float) -> subprocess.CompletedProcess[str]:
    """Run a credential command without a shell and capture what it prints.

    stdin is closed so a command that wants to prompt fails at once rather than waiting,
    unseen, for the timeout; stderr is discarded so it cannot scribble over the terminal (it
    is never shown anyway: it may hold the secret).  At most :data:`MAX_OUTPUT` bytes of
    stdout are read: ``secret_key_command = "yes"`` is stopped there, with
    :class:`OutputTooLarge`, instead of filling memory until the timeout.
    """
    process = subprocess.Popen(
        list(argv),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert process.stdout is not None
    chunks: list[bytes] = []
    done = threading.Event()

    def read() -> None:  # a thread, so the timeout holds on every platform (no select on pipes)
        total = 0
        try:
            while total <= MAX_OUTPUT:
                chunk = process.stdout.read1(MAX_OUTPUT + 1 - total)  # type: ignore[union-attr]
                if not chunk:
                    break
                chunks.append(chunk)
                total += len(chunk)
        except (OSError, ValueError):
            pass  # the pipe was closed under us: the caller kills the process anyway
        finally:
            done.set()

    deadline = time.monotonic() + timeout
    reader = threading.Thread(target=read, name="credential command", daemon=True)
    reader.start()
    try:
        if not done.wait(timeout):
            raise subprocess.TimeoutExpired(list(argv), timeout)
        output = b"".join(chunks)
        if len(output) > MAX_OUTPUT:
            raise OutputTooLarge()
        returncode = process.wait(max(0.0, deadline - time.monotonic()))
    except BaseException:
        process.kill()
        process.wait()
        raise
    finally:
        reader.join(1.0)  # the process is gone or done writing: its pipe is at an end
        if not reader.is_alive():  # (a grandchild may hold it open: then leave it be)
            process.stdout.close()
    text = output.decode("utf-8", errors="replace")
    return subprocess.CompletedProcess(list(argv), returncode, stdout=text, stderr="")


def resolve_secret(
    *,
    file: Path,
    account_key: str,
    account: Mapping[str, Any],
    name: str,
    env: Mapping[str, str],
    runner: CommandRunner = run_command,
) -> tuple[SecretStr | None, list[Problem]]:
    """Find ``name`` (``access_key`` or ``secret_key``) in ``account`` from its one source.

    ``account_key`` is the account's key path (``accounts.production``) for the messages.
    Returns the secret, or ``None`` with the problems found.  Sources whose value has the
    wrong type are skipped here: the schema has already reported them.
    """
    sources = [key for key in (name, f"{name}_env", f"{name}_command") if key in account]
    if len(sources) != 1:
        options = f"{name}, {name}_env or {name}_command"
        got = "none of them" if not sources else " and ".join(sources)
        problem = Problem(file, f"{account_key}.{name}", f"exactly one of {options}", got)
        return None, [problem]

    source = sources[0]
    value = account[source]
    key = f"{account_key}.{source}"
    if not isinstance(value, str | SecretStr):
        return None, []
    text = value.get_secret_value() if isinstance(value, SecretStr) else value
    if source == name:
        if not text.strip():
            return None, [Problem(file, key, f"the {name.replace('_', ' ')}", "an empty string")]
        return SecretStr(text), []
    if source.endswith("_env"):
        return _from_env(file, key, name.replace("_", " "), text, env)
    return _from_command(file, key, name, text, runner)


def _from_env(
    file: Path, key: str, what: str, variable: str, env: Mapping[str, str]
) -> tuple[SecretStr | None, list[Problem]]:
    # The variable's name is never repeated: it is the key's value, and a key pasted here by
    # mistake is the one thing that must not be printed.  The key path says where to look.
    if not variable:
        return None, []  # empty name: reported by the schema
    if not _ENV_NAME.match(variable):
        return None, [
            Problem(
                file,
                key,
                "the name of an environment variable (letters, digits and _)",
                "something else, not repeated here in case it is the key itself",
            )
        ]
    expected = f"the environment variable it names to hold the {what}"
    if variable not in env:
        return None, [Problem(file, key, expected, "nothing (that variable is not set)")]
    value = env[variable]
    if not value.strip():
        return None, [Problem(file, key, expected, "an empty value")]
    return SecretStr(value), []


def _from_command(
    file: Path, key: str, name: str, command: str, runner: CommandRunner
) -> tuple[SecretStr | None, list[Problem]]:
    if not command.strip():
        return None, []  # empty command: reported by the schema
    what = name.replace("_", " ")

    def fail(
        got: str, expected: str = f"a command that prints the {what} and exits 0"
    ) -> tuple[SecretStr | None, list[Problem]]:
        return None, [Problem(file, key, expected, got)]

    try:
        argv = shlex.split(command)
    except ValueError as exc:  # e.g. "No closing quotation": about syntax, never the text
        return fail(str(exc).lower(), "a command line that shlex can split")
    program = argv[0]
    # A program that could not be started is not named: a key pasted here by mistake would be
    # "the program".  One that ran is a real file, and naming it helps.
    try:
        result = runner(argv, COMMAND_TIMEOUT)
    except FileNotFoundError:
        return fail("a program that was not found (not repeated here in case it is the key)")
    except PermissionError:
        return fail("a program that may not be run (permission denied)")
    except subprocess.TimeoutExpired:
        return fail(f'no answer from "{program}" within {COMMAND_TIMEOUT:g} seconds')
    except OutputTooLarge:
        return fail(
            f'more than {MAX_OUTPUT // 1024} KiB of output from "{program}" (it was stopped)',
            f"a command that prints only the {what}",
        )
    except OSError as exc:
        return fail(f"a program that could not start ({exc.strerror or type(exc).__name__})")
    # Neither stdout nor stderr is quoted below: either may contain the secret.
    if result.returncode < 0:
        return fail(f'"{program}" killed by signal {-result.returncode}')
    if result.returncode != 0:
        return fail(f'exit status {result.returncode} from "{program}"')
    output = (result.stdout or "").rstrip("\r\n")
    if not output.strip():
        return fail(f'no output from "{program}"')
    if "\n" in output:
        lines = output.count("\n") + 1
        return fail(f'{lines} lines from "{program}"', f"a command that prints only the {what}")
    return SecretStr(output), []
