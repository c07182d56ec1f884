"""Hostile config files: each is one sentence naming the file, never a hang or a traceback.

Before issue 17, ``config check`` printed a 3,000-line RecursionError traceback for a deeply
nested file, raised MemoryError on ``--config /dev/zero`` and hung on a FIFO.
"""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

import pytest

from cfdash.cli import main
from cfdash.config import ConfigError, load_settings
from cfdash.config.files import CONFIG_MAX_BYTES

GOOD = "[accounts.a]\naccountserviceid = 1\naccess_key = 'xxxx'\nsecret_key = 'yyyy'\n"


def check(path: Path | str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["config", "check", "--config", str(path)])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def assert_one_sentence(text: str, path: Path | str) -> None:
    lines = text.strip().splitlines()
    assert len(lines) == 1, text[:2000]
    assert lines[0].removeprefix("cfdash: ").startswith(f"{path}: expected ")
    assert "Traceback" not in text and "Error" not in text


@pytest.mark.parametrize(
    "nested",
    [
        "x = " + "[" * 5000 + "]" * 5000,
        "x = " + "{a = " * 1000 + "1" + "}" * 1000,
        "[accounts.a]\njobs = " + "[" * 3000 + "]" * 3000,
    ],
    ids=["arrays", "inline-tables", "inside-an-account"],
)
def test_deep_nesting_is_one_sentence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], nested: str
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(nested + "\n")
    code, text = check(path, capsys)
    assert code == 2
    assert_one_sentence(text, path)
    assert text.strip().endswith(
        "expected TOML nested less deeply, got tables or arrays nested too deeply to read"
    )


def test_nesting_that_parses_is_reported_as_a_plain_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Three hundred levels parse; the schema then rejects the value without recursing."""
    path = tmp_path / "config.toml"
    path.write_text(GOOD + "jobs = " + "[" * 300 + "]" * 300 + "\n")
    path.chmod(0o600)
    code, text = check(path, capsys)
    assert code == 2
    assert "accounts.a.jobs[0]" in text and "Traceback" not in text


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
def test_dev_zero_is_refused_at_once(capsys: pytest.CaptureFixture[str]) -> None:
    code, text = check("/dev/zero", capsys)
    assert code == 2
    assert_one_sentence(text, "/dev/zero")
    assert "expected a config file (a regular file), got a device" in text


@pytest.mark.skipif(sys.platform == "win32", reason="no FIFOs")
def test_a_fifo_is_refused_without_waiting_for_a_writer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fifo = tmp_path / "config.toml"
    os.mkfifo(fifo)
    result: list[tuple[int, str]] = []
    worker = threading.Thread(target=lambda: result.append(check(fifo, capsys)), daemon=True)
    worker.start()
    worker.join(30)  # a generous bound: before the fix this never returned at all
    if worker.is_alive():  # unblock the reader so the test process can end
        with open(fifo, "wb"):
            pass
        pytest.fail("config check hung on a FIFO")
    code, text = result[0]
    assert code == 2
    assert_one_sentence(text, fifo)
    assert "got a named pipe (FIFO)" in text


def test_a_file_over_1_mb_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "config.toml"
    path.write_text(GOOD + "#" * CONFIG_MAX_BYTES)
    code, text = check(path, capsys)
    assert code == 2
    assert_one_sentence(text, path)
    assert "expected a config file of at most 1 MB, got 1 MB" in text


def test_a_file_that_grows_past_the_cap_while_read_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """fstat said small (as /proc files do); the read itself stops one byte past the cap."""
    from cfdash.config import files

    path = tmp_path / "config.toml"
    path.write_text(GOOD + "#" * (CONFIG_MAX_BYTES * 2))
    real_fstat = os.fstat

    class Small:
        def __init__(self, info: os.stat_result) -> None:
            self.st_mode, self.st_size = info.st_mode, 10

    monkeypatch.setattr(files.os, "fstat", lambda fd: Small(real_fstat(fd)))
    with pytest.raises(ConfigError, match="got more than 1 MB"):
        load_settings(path, {})


def test_every_command_refuses_the_same_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "config.toml"
    path.write_text("x = " + "[" * 5000 + "]" * 5000 + "\n")
    for command in (["status"], ["watch", "1"], ["queue", "--account", "a", "1"]):
        code = main([*command, "--config", str(path)])
        err = capsys.readouterr().err
        assert code == 2, command
        assert_one_sentence(err, path)
