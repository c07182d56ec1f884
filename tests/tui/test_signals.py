"""SIGTERM and SIGHUP leave the dashboard the way ctrl+q does: the terminal gets its modes back.

Run for real on a pseudo-terminal: the dashboard switches to the alternate screen and turns on
mouse reporting; after the signal it must turn both off again and exit 0.
"""

from __future__ import annotations

import os
import pty
import select
import signal
import sys
import time

import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and ptys")

MOUSE_OFF = b"\x1b[?1000l"
ALT_SCREEN_OFF = b"\x1b[?1049l"


def read_until(fd: int, wanted: bytes, seen: bytearray, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while wanted not in seen:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        ready, _, _ = select.select([fd], [], [], remaining)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # the child closed the terminal
            return wanted in seen
        if not chunk:
            return wanted in seen
        seen += chunk
    return True


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_a_signal_restores_the_terminal_and_exits_cleanly(tmp_path, signum):
    env = {
        **os.environ,
        "HOME": str(tmp_path),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "TERM": "xterm-256color",
        "COLUMNS": "120",
        "LINES": "30",
    }
    pid, fd = pty.fork()
    if pid == 0:  # the child: the dashboard on the pty
        os.execve(sys.executable, [sys.executable, "-m", "cfdash", "--demo"], env)
    seen = bytearray()
    try:
        assert read_until(fd, b"DEMO", seen, 60), bytes(seen[-400:])
        assert b"\x1b[?1000h" in seen  # mouse reporting is on while it runs
        mark = len(seen)
        os.kill(pid, signum)
        read_until(fd, ALT_SCREEN_OFF, seen, 30)
        after = bytes(seen[mark:])
        assert MOUSE_OFF in after and ALT_SCREEN_OFF in after, after[-400:]
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
    finally:
        try:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        os.close(fd)
