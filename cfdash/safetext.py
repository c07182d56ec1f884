"""Text from the API made visible and inert before it reaches a terminal, a log or a cell.

A ``joberror`` is whatever the service stored, so it may hold escape sequences: printed as it
is, ``disk \\x1b]0;PWNED\\x07 \\x1b[2J`` retitles the terminal and clears the screen, and a
newline inside ``machine`` breaks a table row in two. :func:`safe_text` writes each such
character as the escape a programmer would type, so the same text prints as
``disk \\x1b]0;PWNED\\x07 \\x1b[2J`` — visible, and harmless.

Escaped: every C0 control (including TAB, CR and LF), DEL, every C1 control (U+0080–U+009F),
the line and paragraph separators (U+2028, U+2029), the bidirectional marks, embeddings,
overrides and isolates that can make text read in another order than it is stored (U+061C,
U+200E, U+200F, U+202A–U+202E, U+2066–U+2069), and lone surrogates, which cannot be encoded
and would crash the print. Everything else, backslashes included, passes unchanged, so plain
text — accents, CJK, emoji — prints exactly as the API sent it. (A literal ``\\x1b`` in the
API's text therefore looks like an escaped ESC; it is equally inert, and ``--json`` has the
exact text.)

No Textual here: the headless commands, the log and the dashboard's cells, details and dialogs
use it. Rich does not make such text safe (it strips only BEL, BS, VT, FF and CR; ESC and the C1
controls pass), so the dashboard also drops whatever a view forgot in a line filter
(:mod:`cfdash.tui.inert`).
"""

from __future__ import annotations

import re

__all__ = ["UNSAFE", "safe_text"]

#: The characters :func:`safe_text` escapes (a regular-expression character class).
UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]")
_UNSAFE_BUT_NEWLINE = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]"
)

_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def safe_text(text: str, *, keep_newlines: bool = False) -> str:
    """``text`` with every control or direction-changing character written as an escape.

    One line in, one line out: a newline becomes ``\\n`` too, so a cell or a log record can
    never be split. ``keep_newlines=True`` keeps LF (only) for text whose lines are its own
    structure, such as a traceback; CR is still escaped, so no line can overwrite another.
    """
    pattern = _UNSAFE_BUT_NEWLINE if keep_newlines else UNSAFE
    if pattern.search(text) is None:  # the common case: nothing to copy
        return text
    return pattern.sub(_escape, text)
