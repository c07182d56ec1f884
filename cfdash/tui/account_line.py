"""The header's second line: each account's health, made to fit one line at any width.

An account whose credentials were rejected must be *named* on screen at 80 columns as at
300: cut off by the edge, it is as good as unsaid. So the line is tried in ever more compact
forms until one fits — every account with the whole story; then the accounts in trouble with
a few words each and a count of those that are fine; then only their names, as many as fit,
``+N more`` and the key that lists them all (:class:`~cfdash.tui.screens.accounts.AccountsScreen`).

Pure apart from Rich's ``Text``: the header passes each account's words and its width.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from rich.text import Text

from cfdash.engine.health import AccountHealth
from cfdash.textfmt import clock_time, duration

__all__ = ["AccountWords", "account_line", "words_for"]

_SEP = "  ·  "


@dataclass(frozen=True, slots=True)
class AccountWords:
    """One account as the line can say it."""

    name: str
    #: "ok", "waiting" or "trouble".
    kind: str
    #: The whole story: ``credentials rejected — press R to retry, unconfirmed since 10:04``.
    detail: str = ""
    #: A few words: ``credentials rejected``.
    short: str = ""


def words_for(
    health: AccountHealth, now: float, *, paused: bool, unconfirmed_since: float | None
) -> AccountWords:
    """What the line says of one account, from its health."""
    if health.state == "ok":
        bad = health.bad_items  # items left out of its list: only this line says so
        return AccountWords(health.account, "ok", f", {bad} bad item{'' if bad == 1 else 's'}"
                            if bad else "")  # fmt: skip
    if health.state == "waiting":
        return AccountWords(health.account, "waiting")
    short = health.summary
    detail = short
    if health.state == "auth":
        detail += " — press R to retry"
    elif health.next_poll is not None and not paused:
        detail += f", retry in {duration(max(0, health.next_poll - now))}"
    if unconfirmed_since is not None:
        detail += f", unconfirmed since {clock_time(unconfirmed_since)}"
    return AccountWords(health.account, "trouble", detail, short)


def _full(accounts: Sequence[AccountWords], styles: Mapping[str, str]) -> Text:
    line = Text()
    for index, account in enumerate(accounts):
        if index:
            line.append(_SEP)
        line.append(account.name, style="bold")
        line.append(" ")
        if account.kind == "ok":
            line.append("✔ ok", style=styles.get("ok", ""))
            if account.detail:
                line.append(account.detail, style=styles.get("warning", ""))
        elif account.kind == "waiting":
            line.append("… connecting")
        else:
            line.append(f"✖ {account.detail}", style=styles.get("error", ""))
    return line


def _others(accounts: Sequence[AccountWords]) -> str:
    """``✔ 3 ok, 1 connecting``: the accounts not in trouble, counted."""
    ok = sum(1 for account in accounts if account.kind == "ok")
    waiting = sum(1 for account in accounts if account.kind == "waiting")
    parts = [f"{ok} ok"] if ok else []
    parts += [f"{waiting} connecting"] if waiting else []
    return f"✔ {', '.join(parts)}" if parts else ""


def _compact(
    trouble: Sequence[AccountWords], others: str, styles: Mapping[str, str], retry_key: str
) -> Text:
    line = Text()
    for index, account in enumerate(trouble):
        if index:
            line.append(_SEP)
        line.append(f"✖ {account.name}", style=f"bold {styles.get('error', '')}".strip())
        line.append(f": {account.short}")
    if any(account.short == "credentials rejected" for account in trouble):
        line.append(f" ({retry_key} retries)", style="dim")
    if others:
        line.append(f"{_SEP}{others}", style=styles.get("ok", ""))
    return line


def _names(
    trouble: Sequence[AccountWords],
    others: str,
    width: int,
    styles: Mapping[str, str],
    list_key: str,
) -> Text:
    """``✖ staging, eu-test +3 more (A lists all)``: as many names as fit, at least one."""
    error = f"bold {styles.get('error', '')}".strip()
    reasons = {account.short for account in trouble}
    # One reason for all of them ("credentials rejected") is worth its room; else the key.
    common = f": {reasons.pop()}" if len(reasons) == 1 else ""
    for shown in range(len(trouble), 0, -1):
        rest = len(trouble) - shown
        names = ", ".join(account.name for account in trouble[:shown])
        more = f" +{rest} more" if rest else ""
        for why in dict.fromkeys((common, "")):
            line = Text()
            line.append(f"✖ {names}{more}", style=error)
            line.append(why)
            line.append(f" ({list_key} lists all)", style="dim")
            if others and line.cell_len + len(_SEP) + len(others) <= width:
                line.append(f"{_SEP}{others}", style=styles.get("ok", ""))
            if line.cell_len <= width or (shown == 1 and not why):
                return line
    return Text()  # not reached: there is at least one account in trouble


def account_line(
    accounts: Sequence[AccountWords],
    width: int,
    styles: Mapping[str, str] | None = None,
    *,
    keys: Callable[[str], str] = lambda name: {"retry_auth": "R", "accounts": "A"}[name],
) -> Text:
    """The line in the most complete form that fits ``width`` cells.

    ``styles`` maps "ok" and "error" to Rich styles; ``keys`` names the keys in force.
    """
    styles = styles or {}
    full = _full(accounts, styles)
    if full.cell_len <= width:
        return full
    trouble = [account for account in accounts if account.kind == "trouble"]
    others = _others(accounts)
    if not trouble:
        return Text(others, style=styles.get("ok", ""))
    compact = _compact(trouble, others, styles, keys("retry_auth"))
    if compact.cell_len <= width:
        hint = f"   {keys('accounts')}: the whole story"  # what the compact words left out
        if compact.cell_len + len(hint) <= width:
            compact.append(hint, style="dim")
        return compact
    return _names(trouble, others, width, styles, keys("accounts"))
