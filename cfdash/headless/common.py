"""What the headless commands share: exit statuses, the expected error, choosing accounts.

The commands run in pipelines, so their exit statuses are a contract, kept in one place:

====  =====================================================================================
0     everything asked for happened (all queued; all watched jobs finished)
1     a queue request was refused, by the API or by cfdash (not found, skipped); a watched
      job failed (``watch --exit-status``)
2     the command could not run as asked (unknown account, read-only, bad arguments);
      for ``watch --exit-status`` also "a job was squashed", as the product defines it
3     the API could not be read: credentials rejected, unreachable, server errors; for
      ``queue`` also "a request's outcome is unknown"
4     ``watch --exit-status``: a job was never found in its account's list
130   interrupted (Ctrl-C)
====  =====================================================================================
"""

from __future__ import annotations

from cfdash.api.errors import AuthError, ClanforgeError, TransportError
from cfdash.config.schema import Settings
from cfdash.safetext import safe_text

__all__ = [
    "EXIT_API",
    "EXIT_FAILED",
    "EXIT_NOT_FOUND",
    "EXIT_OK",
    "EXIT_SQUASHED",
    "EXIT_USAGE",
    "HeadlessError",
    "describe",
    "health_word",
    "only_account",
]

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_API = 0, 1, 2, 3
EXIT_SQUASHED = 2
EXIT_NOT_FOUND = 4


class HeadlessError(Exception):
    """An expected failure: one sentence for stderr and the exit status it stands for.

    The sentence may quote the API (an error message, say), so it is escaped here, once, and
    stays one inert line wherever it is printed.
    """

    def __init__(self, message: str, code: int = EXIT_USAGE) -> None:
        super().__init__(safe_text(message))
        self.code = code


def describe(error: ClanforgeError) -> str:
    """``credentials rejected (Forbidden (HTTP 401))`` — the short reason, then the detail.

    Client errors never carry a credential (see :mod:`cfdash.api.errors`), so this is safe to
    print.
    """
    if error.reason == error.message:
        return error.message
    return f"{error.reason} ({error.message})"


def health_word(error: ClanforgeError | None) -> str:
    """A stable word for scripts reading ``status --json``: ok, auth, unreachable or error."""
    if error is None:
        return "ok"
    if isinstance(error, AuthError):
        return "auth"
    if isinstance(error, TransportError):
        return "unreachable"
    return "error"


def only_account(settings: Settings, name: str | None) -> Settings:
    """``settings`` limited to account ``name`` (all of them for None), so no other is polled."""
    if name is None:
        return settings
    if name not in settings.accounts:
        known = ", ".join(settings.accounts) or "none"
        raise HeadlessError(f"there is no account named {name!r} in the config (it has: {known})")
    return settings.model_copy(update={"accounts": {name: settings.accounts[name]}})
