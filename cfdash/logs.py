"""The rotating log file: one place a person looks when something went wrong.

Nothing logged carries a secret: the client logs account, endpoint, status and duration, and
this filter blanks anything that looks like an Authorization header as a last line of defence.

Text from the API reaches the log too (an error message, a ``joberror``), and people read the
log with ``tail -f`` in a terminal, so :class:`InertFormatter` writes control characters as
visible escapes (:mod:`cfdash.safetext`): one record stays one line and cannot drive the
terminal.
"""

from __future__ import annotations

import logging
import re
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType

from cfdash.safetext import safe_text

__all__ = ["InertFormatter", "RedactingFilter", "current_log_path", "setup_logging"]

_current: Path | None = None


def current_log_path() -> Path | None:
    """Where ``setup_logging`` sent the log (None before, or if it could not open the file)."""
    return _current


_AUTH = re.compile(r"(authorization['\"]?\s*[:=]\s*['\"]?)(basic|bearer)?\s*[^\s'\",}]+", re.I)


class RedactingFilter(logging.Filter):
    """Blanks Authorization values in formatted records."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = _AUTH.sub(r"\1***", message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None] | tuple[None, None, None]


class InertFormatter(logging.Formatter):
    """Escapes control characters in every record: the message whole (newlines too, so no
    text can forge a record of its own), a traceback line by line (its own line breaks kept).
    """

    def formatMessage(self, record: logging.LogRecord) -> str:
        record.message = safe_text(record.message)
        return super().formatMessage(record)

    def formatException(self, ei: ExcInfo) -> str:
        return safe_text(super().formatException(ei), keep_newlines=True)

    def formatStack(self, stack_info: str) -> str:
        return safe_text(super().formatStack(stack_info), keep_newlines=True)


def setup_logging(directory: Path, level: str = "INFO") -> Path | None:
    """Log to ``directory/cfdash.log`` (1 MB × 3); returns the path, or None if unwritable."""
    global _current
    path = directory / "cfdash.log"
    try:
        directory.mkdir(parents=True, exist_ok=True)
        handler = RotatingFileHandler(path, maxBytes=1_000_000, backupCount=3, encoding="utf-8")
    except OSError:
        return None
    handler.setFormatter(InertFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())
    root = logging.getLogger("cfdash")
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    root.propagate = False
    _current = path
    return path
