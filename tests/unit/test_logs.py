"""The log is read with ``tail -f`` in a terminal: text from the API is escaped there too, every
record stays one line, and redaction still works on what is escaped."""

from __future__ import annotations

import logging
import re
import unicodedata

import pytest

from cfdash.api.errors import ApiError
from cfdash.logs import setup_logging
from cfdash.sim import Fault, FaultKind

POISON = "disk \x1b]0;PWNED\x07 \x1b[2J"
SHOWN = "disk \\x1b]0;PWNED\\x07 \\x1b[2J"
RECORD = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} [A-Z]+ cfdash")


def assert_inert(text: str) -> None:
    bad = [c for c in text if c != "\n" and unicodedata.category(c) in ("Cc", "Zl", "Zp")]
    assert bad == [] and "\u202e" not in text, ascii(text)


@pytest.fixture
def log_file(tmp_path):
    root = logging.getLogger("cfdash")
    saved = (root.handlers[:], root.level, root.propagate)
    path = setup_logging(tmp_path / "log", "DEBUG")
    assert path is not None
    yield path
    for handler in root.handlers:
        handler.close()
    root.handlers[:], root.level, root.propagate = saved


async def test_an_api_error_is_logged_as_visible_escapes(served, log_file):
    served.sim.faults.add(Fault(FaultKind.ERROR_ENVELOPE, endpoint="status", message=POISON))
    async with served.client() as client:
        with pytest.raises(ApiError):
            await client.status()
    logged = log_file.read_text(encoding="utf-8")
    assert_inert(logged)
    assert "request failed" in logged and SHOWN in logged
    assert all(RECORD.match(line) for line in logged.splitlines())


def test_no_message_can_forge_a_record_or_drive_the_terminal(log_file):
    log = logging.getLogger("cfdash.test")
    forged = "2026-01-01 00:00:00,000 INFO cfdash: forged"
    log.warning("job %s: %s", 5551001, f"{POISON}\r\n{forged}")
    log.info("bidi \u202e and C1 \x9b2J and a lone surrogate \ud800")
    logged = log_file.read_text(encoding="utf-8")
    assert_inert(logged)
    lines = logged.splitlines()
    assert len(lines) == 2 and all(RECORD.match(line) for line in lines)
    assert lines[0].endswith(f"job 5551001: {SHOWN}\\r\\n{forged}")
    assert lines[1].endswith("bidi \\u202e and C1 \\x9b2J and a lone surrogate \\ud800")


def test_a_traceback_keeps_its_lines_and_escapes_the_rest(log_file):
    log = logging.getLogger("cfdash.test")
    try:
        raise RuntimeError(POISON)
    except RuntimeError:
        log.exception("poll failed")
    logged = log_file.read_text(encoding="utf-8")
    assert_inert(logged)
    assert "Traceback (most recent call last):" in logged.splitlines()[1]
    assert logged.rstrip("\n").endswith(f"RuntimeError: {SHOWN}")


def test_redaction_still_blanks_a_key_next_to_escapes(log_file):
    logging.getLogger("cfdash.test").info("headers={'Authorization': 'Basic QUtJQTpz\x1b[2J'}")
    logged = log_file.read_text(encoding="utf-8")
    assert_inert(logged)
    assert "QUtJQTpz" not in logged and "***" in logged
