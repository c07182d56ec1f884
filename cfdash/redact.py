"""Blanking secrets in text that leaves the process: one registry, one function.

Whoever learns a secret registers it — the config loader for the keys it resolves, the engine
for every client it builds, a token source for its bearer token — and every exit point passes
text through :func:`redact`: the log's formatter, the engine as API text comes in (error
bodies, ``joberror`` and every other job field, so the screen, ``status --json``, CSV and
events only ever see the blanked text), and the crash message.

Redacting by value rather than by shape is what catches the side doors: a service that echoes
the ``Authorization`` header back in an error body, a ``joberror`` that quotes the account's
own secret.  So each secret is registered in every form it travels in:

* the raw value;
* base64 of it and, for HTTP Basic, base64 of ``access:secret`` — each with and without its
  ``=`` padding;
* any of those with ``/`` escaped as ``\\/``, as some JSON encoders write it.

An excerpt cut short with ``…`` may end in the first characters of a form; those are blanked
too (at least four characters, so an ordinary word is not mistaken for the start of a key).
"""

from __future__ import annotations

import base64
import re
import threading
from collections.abc import Iterable

__all__ = [
    "MASK",
    "Redactor",
    "contains_secret",
    "forget_secrets",
    "redact",
    "register_basic_auth",
    "register_secret",
]

MASK = "***"
#: Shorter strings are not registered: blanking every "abc" would garble the text and a key
#: that short protects nothing anyway.
MIN_SECRET_LENGTH = 4
#: The shortest cut-off start of a form (before "…") that is blanked.
_MIN_PREFIX = 4
_ELLIPSIS = "…"
# An Authorization header or its value, whatever the secret: a last line of defence for a
# credential nobody registered.
_AUTH = re.compile(
    r"(authorization['\"]?\s*[:=]\s*['\"]?)(?:(?:basic|bearer)\s+)?[^\s'\",}]+", re.I
)


def _b64(data: str) -> str:
    return base64.b64encode(data.encode("utf-8")).decode("ascii")


class Redactor:
    """A set of secret strings and the one compiled pattern that finds any of them.

    Registration is rare (start-up, a new client) and redaction frequent, so the pattern is
    rebuilt on each registration and swapped in whole: readers on other threads (the log
    handler) see the old pattern or the new one, never half of one.
    """

    def __init__(self) -> None:
        self._forms: frozenset[str] = frozenset()
        self._pattern: re.Pattern[str] | None = None
        self._lock = threading.Lock()

    @property
    def forms(self) -> frozenset[str]:
        """Every registered form (for tests and scans: never print it)."""
        return self._forms

    @property
    def version(self) -> object:
        """A token that is another object (``is not``) whenever the set of secrets changes:
        "this text holds no secret" stays true only under the same version."""
        return self._forms

    def register(self, secret: str) -> None:
        """Blank ``secret`` (raw and base64) from now on: a key, a bearer token, a password."""
        if not secret or len(secret) < MIN_SECRET_LENGTH:
            return
        self._add([secret, *_padded_and_not(_b64(secret))])

    def register_basic_auth(self, access: str, secret: str) -> None:
        """Blank both keys and the ``access:secret`` pair as HTTP Basic sends it (base64)."""
        self.register(access)
        self.register(secret)
        if access or secret:
            self._add(_padded_and_not(_b64(f"{access}:{secret}")))

    def forget(self) -> None:
        """Forget every secret (tests only: a process never un-learns a secret)."""
        with self._lock:
            self._forms, self._pattern = frozenset(), None

    def _add(self, forms: Iterable[str]) -> None:
        new = {form for form in forms if len(form) >= MIN_SECRET_LENGTH}
        new |= {form.replace("/", "\\/") for form in new if "/" in form}
        with self._lock:
            if new <= self._forms:
                return
            merged = self._forms | new
            # Longest first, so a padded form wins over its unpadded prefix.
            ordered = sorted(merged, key=lambda form: (-len(form), form))
            self._pattern = re.compile("|".join(re.escape(form) for form in ordered))
            self._forms = frozenset(merged)

    def contains(self, text: str) -> bool:
        """Whether :meth:`redact` would change ``text``: one search, for text that mostly won't."""
        pattern = self._pattern
        # Three cheap looks (a case-insensitive regex alternative would cost four times more).
        if pattern is not None and pattern.search(text) is not None:
            return True
        if _ELLIPSIS in text or "authorization" in text.lower():
            return self.redact(text) != text
        return False

    def redact(self, text: str) -> str:
        """``text`` with every registered secret, cut-off secret and auth header blanked."""
        pattern = self._pattern  # one read: a registration may swap it meanwhile
        if pattern is not None:
            text = pattern.sub(MASK, text)
            if _ELLIPSIS in text:
                text = _blank_cut_off(text, self._forms)
        if "authorization" in text.lower():
            text = _AUTH.sub(rf"\1{MASK}", text)
        return text


def _padded_and_not(encoded: str) -> list[str]:
    return [encoded, encoded.rstrip("=")]


def _blank_cut_off(text: str, forms: frozenset[str]) -> str:
    """Blank the start of a form that ends where an excerpt was cut (``YWstcHJv…``)."""
    pieces: list[str] = []
    start = 0
    for index in [i for i, char in enumerate(text) if char == _ELLIPSIS]:
        longest = 0
        for form in forms:
            limit = min(len(form) - 1, index - start)
            for length in range(limit, max(longest, _MIN_PREFIX - 1), -1):
                if text.startswith(form[:length], index - length):
                    longest = length
                    break
        pieces.append(text[start : index - longest])
        if longest:
            pieces.append(MASK)
        pieces.append(_ELLIPSIS)
        start = index + 1
    pieces.append(text[start:])
    return "".join(pieces)


#: The process-wide registry every exit point uses.
REDACTOR = Redactor()


def register_secret(secret: str) -> None:
    """Blank ``secret`` everywhere from now on (see :meth:`Redactor.register`)."""
    REDACTOR.register(secret)


def register_basic_auth(access: str, secret: str) -> None:
    """Blank an account's keys and their HTTP Basic form (base64 of ``access:secret``)."""
    REDACTOR.register_basic_auth(access, secret)


def redact(text: str) -> str:
    """``text`` with every registered secret blanked: call it where text leaves the process."""
    return REDACTOR.redact(text)


def contains_secret(text: str) -> bool:
    """Whether ``text`` holds a registered secret (or an Authorization value)."""
    return REDACTOR.contains(text)


def forget_secrets() -> None:
    """Clear the registry (tests only)."""
    REDACTOR.forget()
