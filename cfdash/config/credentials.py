"""Which credentials an account needs, by how it signs in, and resolving them.

An account is either Basic — an access key and a secret key — or, on the newer operator,
Bearer — one token; never both::

    auth = "bearer"                          # default: "basic"
    token_env = "CFDASH_PROD_TOKEN"          # or token = "…", or token_command = "…"

Each credential comes from exactly one of its three sources, on the rules of
:func:`cfdash.config.secrets.resolve_secret`, which does the resolving. What this module adds
is the fit between ``auth`` and the keys given: keys on a bearer account, or a token on a basic
one, is one sentence naming the keys — never their values.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from cfdash.config.errors import Problem
from cfdash.config.secrets import CommandRunner, resolve_secret, run_command

__all__ = ["CREDENTIALS", "credential_keys", "resolve_credentials"]

#: The credentials each way of signing in needs.
CREDENTIALS: dict[str, tuple[str, ...]] = {
    "basic": ("access_key", "secret_key"),
    "bearer": ("token",),
}


def credential_keys(name: str) -> tuple[str, str, str]:
    """The three keys a credential may come from: ``token``, ``token_env``, ``token_command``."""
    return (name, f"{name}_env", f"{name}_command")


def _given(account: Mapping[str, Any], names: tuple[str, ...]) -> list[str]:
    return [key for name in names for key in credential_keys(name) if key in account]


def resolve_credentials(
    *,
    file: Path,
    account_key: str,
    account: Mapping[str, Any],
    env: Mapping[str, str],
    runner: CommandRunner = run_command,
) -> tuple[dict[str, SecretStr], list[Problem]]:
    """The credentials of the raw account table ``account``, by name, and the problems found.

    ``account_key`` is the account's key path (``accounts.production``) for the messages.
    An ``auth`` that is neither "basic" nor "bearer" resolves nothing: the schema reports it,
    and guessing which keys were meant would only add sentences about the wrong ones.
    """
    auth = account.get("auth", "basic")
    if auth not in CREDENTIALS:
        return {}, []
    wanted = CREDENTIALS[auth]
    misfits = _given(account, CREDENTIALS["basic" if auth == "bearer" else "bearer"])
    problems: list[Problem] = []
    if misfits and auth == "bearer":
        problems.append(
            Problem(
                file,
                f"{account_key}.{misfits[0]}",
                'no access or secret key when auth = "bearer" (a bearer account signs in with '
                "its token alone)",
                " and ".join(misfits),
            )
        )
    elif misfits:
        got = '"basic"' if "auth" in account else 'nothing (the default is "basic")'
        problems.append(
            Problem(
                file,
                f"{account_key}.auth",
                f'"bearer" for an account that gives {" and ".join(misfits)} (a "basic" account '
                "signs in with access_key and secret_key)",
                got,
            )
        )
        if not _given(account, wanted):
            return {}, problems  # a token alone: that one sentence says what to change
    secrets: dict[str, SecretStr] = {}
    for name in wanted:
        value, found = resolve_secret(
            file=file, account_key=account_key, account=account, name=name, env=env, runner=runner
        )
        problems.extend(found)
        if value is not None:
            secrets[name] = value
    return secrets, problems
