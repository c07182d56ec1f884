"""The rotating log file: one place a person looks when something went wrong.

Nothing logged carries a secret: the client logs account, endpoint, status and duration, and
the formatter passes every finished line — message, arguments and traceback alike — through
:func:`cfdash.redact.redact` as the last line of defence.

Two dashboards (or a dashboard and a ``status`` run) may write the same file, so rotation
happens under the lock beside it (:mod:`cfdash.locking`), and a handler whose file was rotated
away by another process reopens the new one instead of writing on into ``cfdash.log.1``.

A log that cannot be written (a full disk, a file made read-only) must not print Python's
``--- Logging error ---`` traceback over the dashboard: the handler swallows the failure,
records one sentence in :func:`logging_problem` and calls the listeners registered with
:func:`on_logging_problem` once, so the screen can say it once.

Text from the API reaches the log too (an error message, a ``joberror``), and people read the
log with ``tail -f`` in a terminal, so :class:`InertFormatter` writes control characters as
visible escapes (:mod:`cfdash.safetext`): one record stays one line and cannot drive the
terminal. It redacts first, then escapes.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import threading
from collections.abc import Callable
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType

from cfdash.locking import file_lock
from cfdash.redact import redact
from cfdash.safetext import safe_text

__all__ = [
    "InertFormatter",
    "RedactingFilter",
    "RedactingFormatter",
    "SharedRotatingFileHandler",
    "current_log_path",
    "logging_problem",
    "on_logging_problem",
    "setup_logging",
]

_current: Path | None = None
_problem: str | None = None
_listeners: list[Callable[[str], None]] = []
_problem_lock = threading.Lock()


def current_log_path() -> Path | None:
    """Where ``setup_logging`` sent the log (None before, or if it could not open the file)."""
    return _current


def logging_problem() -> str | None:
    """One sentence about the first failure to write the log, or None while it works."""
    return _problem


def on_logging_problem(listener: Callable[[str], None]) -> None:
    """Call ``listener(sentence)`` once when writing the log first fails.

    It runs on whichever thread was logging: a screen should hand the sentence to its own
    thread (Textual: ``app.call_from_thread`` or ``post_message``).  A listener registered
    after the failure is called at once.
    """
    with _problem_lock:
        problem = _problem
        if problem is None:
            _listeners.append(listener)
    if problem is not None:
        listener(problem)


def _report(problem: str) -> None:
    global _problem
    with _problem_lock:
        if _problem is not None:
            return
        _problem = problem
        listeners = list(_listeners)
    for listener in listeners:
        with contextlib.suppress(Exception):  # a broken listener must not bring the errors back
            listener(problem)


class RedactingFilter(logging.Filter):
    """Blanks registered secrets and Authorization values in a record's message."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


class RedactingFormatter(logging.Formatter):
    """Formats as usual, then blanks secrets in the whole line, traceback included."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None] | tuple[None, None, None]


class InertFormatter(RedactingFormatter):
    """Redacts, then escapes control characters in every record: the message whole (newlines
    too, so no text can forge a record of its own), a traceback line by line (its own line
    breaks kept).
    """

    def formatMessage(self, record: logging.LogRecord) -> str:
        record.message = safe_text(record.message)
        return super().formatMessage(record)

    def formatException(self, ei: ExcInfo) -> str:
        return safe_text(super().formatException(ei), keep_newlines=True)

    def formatStack(self, stack_info: str) -> str:
        return safe_text(super().formatStack(stack_info), keep_newlines=True)


class SharedRotatingFileHandler(RotatingFileHandler):
    """A size-rotated log that several processes may share, and that never prints its errors."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self._follow_rotation()
            if self.shouldRollover(record):
                with file_lock(Path(self.baseFilename)):
                    self._follow_rotation()  # the process we waited for may have rotated it
                    if self.shouldRollover(record):
                        self.doRollover()
            logging.FileHandler.emit(self, record)
        except Exception:
            self.handleError(record)

    def _follow_rotation(self) -> None:
        """Reopen the file if another process renamed it away (its rotation)."""
        if self.stream is None:
            return
        try:
            on_disk = os.stat(self.baseFilename)
        except FileNotFoundError:
            on_disk = None
        opened = os.fstat(self.stream.fileno())
        if on_disk is None or (on_disk.st_dev, on_disk.st_ino) != (opened.st_dev, opened.st_ino):
            self.stream.close()
            self.stream = self._open()

    def close(self) -> None:
        """Close, even when the last buffered lines cannot be written (a full disk)."""
        try:
            super().close()
        except OSError as error:
            self.stream = None
            _report(self._problem_text(error))

    def handleError(self, record: logging.LogRecord) -> None:
        """Note the failure once instead of printing ``--- Logging error ---`` tracebacks."""
        _report(self._problem_text(sys.exc_info()[1]))

    def _problem_text(self, error: BaseException | None) -> str:
        if isinstance(error, OSError):
            why = (error.strerror or type(error).__name__).lower()
        else:
            why = type(error).__name__ if error is not None else "unknown error"
        return f"cannot write the log {self.baseFilename} ({why}); log lines are being dropped"


def setup_logging(directory: Path, level: str = "INFO") -> Path | None:
    """Log to ``directory/cfdash.log`` (1 MB × 3); returns the path, or None if unwritable."""
    global _current
    path = directory / "cfdash.log"
    try:
        directory.mkdir(parents=True, exist_ok=True)
        handler = SharedRotatingFileHandler(
            path, maxBytes=1_000_000, backupCount=3, encoding="utf-8"
        )
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
