"""``safe_text``: whatever the API sends, what is printed holds no control character, and plain
text is printed exactly as sent."""

from __future__ import annotations

import re
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from cfdash.safetext import safe_text

BIDI = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def dangerous(char: str) -> bool:
    """A character that must never reach a terminal as it is (decided independently of the
    module's own pattern, from Unicode's categories)."""
    return unicodedata.category(char) in ("Cc", "Cs", "Zl", "Zp") or char in BIDI


_ESCAPE = re.compile(r"\\(x[0-9a-f]{2}|u[0-9a-f]{4}|[nrt])")


def unescape(text: str) -> str:
    """The inverse of ``safe_text`` for text that held no backslash of its own."""

    def one(match: re.Match[str]) -> str:
        code = match.group(1)
        return {"n": "\n", "r": "\r", "t": "\t"}.get(code) or chr(int(code[1:], 16))

    return _ESCAPE.sub(one, text)


#: Any code point at all, surrogates included, with the ones that matter drawn often.
any_text = st.text(
    st.one_of(
        st.characters(codec=None, exclude_categories=()),
        st.sampled_from(sorted(BIDI | set("\x1b\x07\r\n\t\x7f\x9b\u2028\u2029\ud800"))),
    )
)


def test_the_issue_s_escape_sequence_prints_as_visible_escapes():
    assert safe_text("disk \x1b]0;PWNED\x07 \x1b[2J") == "disk \\x1b]0;PWNED\\x07 \\x1b[2J"
    assert safe_text("gs-1\r\nevil") == "gs-1\\r\\nevil"
    assert safe_text("a\tb\x7f\x85\x9b") == "a\\tb\\x7f\\x85\\x9b"
    assert safe_text("abc\u202edcba\u2066\u2028") == "abc\\u202edcba\\u2066\\u2028"
    assert safe_text("\ud800") == "\\ud800"  # would not even encode to UTF-8


def test_keep_newlines_keeps_lf_only():
    assert safe_text("line 1\nline\r 2\x1b", keep_newlines=True) == "line 1\nline\\r 2\\x1b"


@given(any_text)
def test_the_output_never_holds_a_dangerous_character(text):
    out = safe_text(text)
    assert not any(dangerous(char) for char in out)
    out.encode("utf-8")  # printable on any UTF-8 terminal: no lone surrogate survives


@given(any_text)
def test_multi_line_output_holds_no_dangerous_character_but_lf(text):
    out = safe_text(text, keep_newlines=True)
    assert not any(dangerous(char) for char in out if char != "\n")
    assert out.count("\n") == text.count("\n")


@given(st.text(st.characters(exclude_categories=("Cc", "Cs", "Zl", "Zp"))))
def test_plain_printable_text_is_unchanged(text):
    text = "".join(char for char in text if char not in BIDI)
    assert safe_text(text) == text


@given(any_text.filter(lambda text: "\\" not in text))
def test_the_escapes_say_exactly_what_was_sent(text):
    assert unescape(safe_text(text)) == text


@given(any_text)
def test_escaping_is_idempotent(text):
    once = safe_text(text)
    assert safe_text(once) == once
