"""The log file: quiet on a full disk, rotation shared safely between processes.

Before issue 17, logging to a full disk printed ``--- Logging error ---`` tracebacks over the
dashboard, and two processes rotating one log (or ``events.jsonl``) could lose lines.
"""

from __future__ import annotations

import functools
import logging
import multiprocessing
import os
import sys
from pathlib import Path

import pytest

from cfdash import locking, logs
from cfdash.engine import jsonl
from cfdash.engine.events import EventLog, Transition
from cfdash.logs import SharedRotatingFileHandler, setup_logging


@pytest.fixture(autouse=True)
def fresh_logging(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(logs, "_problem", None)
    monkeypatch.setattr(logs, "_listeners", [])
    yield
    for handler in logging.getLogger("cfdash").handlers:
        handler.close()
    logging.getLogger("cfdash").handlers.clear()


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")
def test_a_full_disk_is_said_once_and_never_printed(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    directory = tmp_path / "log"
    directory.mkdir()
    (directory / "cfdash.log").symlink_to("/dev/full")  # every write: ENOSPC
    heard: list[str] = []
    logs.on_logging_problem(heard.append)
    assert setup_logging(directory) == directory / "cfdash.log"
    log = logging.getLogger("cfdash.test")
    for n in range(5):
        log.warning("line %d", n)
    captured = capfd.readouterr()
    assert "Logging error" not in captured.err + captured.out
    assert "Traceback" not in captured.err
    assert len(heard) == 1  # said once, however many lines were lost
    assert heard[0] == logs.logging_problem()
    assert "no space left on device" in heard[0] and "cfdash.log" in heard[0]
    late: list[str] = []
    logs.on_logging_problem(late.append)  # a screen that subscribes later still hears it
    assert late == heard


def test_logging_problem_is_none_while_writing_works(tmp_path: Path) -> None:
    setup_logging(tmp_path)
    logging.getLogger("cfdash.test").warning("fine")
    assert logs.logging_problem() is None
    assert "fine" in (tmp_path / "cfdash.log").read_text()


def lines_in(directory: Path) -> list[str]:
    found: list[str] = []
    for path in sorted(directory.glob("cfdash.log*")):
        if not path.name.endswith(".lock"):
            found += path.read_text().splitlines()
    return found


def test_two_handlers_rotating_one_file_keep_the_newest_lines(tmp_path: Path) -> None:
    """Two processes' handlers on one file (one process here: flock is per open file).

    Each line is 10 bytes and each file holds 400, so the current file and three backups keep
    at least the newest 120 lines, with no gap.  A handler that rotated on its own view of
    the file wrote on into files the other had moved, and rotated twice as often.
    """
    path = tmp_path / "cfdash.log"
    handlers = [
        SharedRotatingFileHandler(path, maxBytes=400, backupCount=3, encoding="utf-8")
        for _ in range(2)
    ]
    for handler in handlers:
        handler.setFormatter(logging.Formatter("%(message)s"))
    try:
        for n in range(200):
            record = logging.LogRecord(
                "cfdash", logging.INFO, __file__, 1, f"line {n:04d}", (), None
            )
            handlers[n % 2].emit(record)
    finally:
        for handler in handlers:
            handler.close()
    kept = sorted(int(line.split()[1]) for line in lines_in(tmp_path))
    assert kept == list(range(kept[0], 200))  # the newest lines, none missing
    assert len(kept) >= 120


def _append_events(path: str, tag: int, count: int, go) -> None:  # pragma: no cover - child
    log = EventLog(Path(path), max_bytes=2_000, backups=1_000)
    go.wait()
    for n in range(count):
        transition = Transition(
            at=1_767_225_600.0,
            account="prod",
            jobid=tag * 1000 + n,
            from_word="Running",
            to_word="Failed",
            from_phase="running",
            to_phase="failed",
            progress=n,
            error=None,
        )
        assert log.append([transition]) is None


@pytest.mark.skipif(sys.platform == "win32", reason="flock is POSIX")
def test_processes_rotating_the_event_log_lose_no_event(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The lock's 5 s give-up suits one dashboard; four processes on a loaded machine can wait
    # longer for a turn (it failed so under load), and this test is about losing no event.
    monkeypatch.setattr(jsonl, "file_lock", functools.partial(locking.file_lock, timeout=300))
    path = tmp_path / "events.jsonl"
    context = multiprocessing.get_context("fork")
    go = context.Event()
    workers = [
        context.Process(target=_append_events, args=(str(path), tag, 150, go))
        for tag in range(1, 5)
    ]
    for worker in workers:
        worker.start()
    go.set()
    for worker in workers:
        worker.join()
        assert worker.exitcode == 0
    lines: list[str] = []
    for file in tmp_path.glob("events.jsonl*"):
        if not file.name.endswith(".lock"):
            lines += file.read_text().splitlines()
    assert len(lines) == 4 * 150
