"""The processes the benchmark starts, and what /proc says about them.

A simulator world in its own process (:class:`WorldProcess`), a private tmux server
(:class:`Tmux`), and readings of CPU time and RSS. Everything started here is stopped by its
owner in a ``finally`` block, also on Ctrl-C.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import select
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from bench.plan import ACCOUNTS, SIZE
from cfdash.sim import demo_accounts

__all__ = [
    "BENCH",
    "CFDASH",
    "PYTHON",
    "Tmux",
    "WorldProcess",
    "cpu_seconds",
    "rss_mb",
    "wait_gone",
]

BENCH = Path(__file__).resolve().parent
PYTHON = sys.executable
_SCRIPT = Path(PYTHON).with_name("cfdash")
#: How the benchmark starts cfdash: the installed console script, as a user would.
CFDASH = [str(_SCRIPT)] if _SCRIPT.exists() else [PYTHON, "-m", "cfdash"]
STATUS_PATH = "/cfp/v1/imageinstall/status"


class WorldProcess:
    """``bench/world.py`` in its own process: the still life (X % moving) or the rollout."""

    def __init__(self, jobs: int, moving: float = 10.0, *, rollout: bool = False) -> None:
        self.jobs, self.moving, self.rollout = jobs, moving, rollout
        argv = [PYTHON, str(BENCH / "world.py"), "--port", "0", "--jobs", str(jobs)]
        argv += ["--accounts", str(ACCOUNTS), "--moving", str(moving)]
        if rollout:
            argv.append("--rollout")
        self.proc = subprocess.Popen(
            argv,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            start_new_session=True,  # Ctrl-C reaches us; we stop it ourselves
        )
        self.base_url = self._ready(timeout=60.0)

    def _ready(self, timeout: float) -> str:
        assert self.proc.stdout is not None
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        line = self.proc.stdout.readline() if ready else ""
        if not line.startswith("READY "):
            self.stop()
            raise RuntimeError(f"the simulator did not start ({line.strip() or 'timeout'})")
        return line.split()[1]

    @property
    def pid(self) -> int:
        return self.proc.pid

    def status_requests(self) -> int:
        with urllib.request.urlopen(f"{self.base_url}/_sim/requests", timeout=10) as response:
            counts = json.load(response)["counts"]
        return sum(c["count"] for c in counts if c["endpoint"] == "status")

    def listed(self) -> dict[int, dict[str, Any]]:
        """Every account's status list as the dashboard sees it, by job id.

        These requests are counted by the simulator like cfdash's own, so take readings of
        :meth:`status_requests` around them, not across them.
        """
        items: dict[int, dict[str, Any]] = {}
        for account in demo_accounts(ACCOUNTS):
            keys = f"{account.access_key}:{account.secret_key}".encode()
            request = urllib.request.Request(
                f"{self.base_url}{STATUS_PATH}?accountserviceid={account.asid}",
                headers={"Authorization": "Basic " + base64.b64encode(keys).decode()},
            )
            with urllib.request.urlopen(request, timeout=30) as response:
                items.update((item["jobid"], item) for item in json.load(response)["installs"])
        return items

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)

    def __enter__(self) -> WorldProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class Tmux:
    """A private tmux server (its own socket, no user config), killed at the end."""

    def __init__(self) -> None:
        self.socket = f"cfdash-bench-{os.getpid()}"
        self.used = False

    def run(self, *args: str, check: bool = True) -> str:
        done = subprocess.run(
            ["tmux", "-L", self.socket, "-f", "/dev/null", *args],
            capture_output=True,
            text=True,
            timeout=15,
        )
        if check and done.returncode != 0:
            raise RuntimeError(f"tmux {args[0]} failed: {done.stderr.strip()}")
        return done.stdout

    def new_session(self, name: str, command: str) -> int:
        """Start ``command`` (through ``sh -c``) in a detached 160×45 session; its pane pid."""
        self.used = True
        width, height = SIZE
        self.run("new-session", "-d", "-s", name, "-x", str(width), "-y", str(height), command)
        return int(self.run("display-message", "-p", "-t", name, "#{pane_pid}").strip())

    def capture(self, name: str) -> str:
        return self.run("capture-pane", "-p", "-t", name, check=False)

    def size(self, name: str) -> str:
        return self.run("display-message", "-p", "-t", name, "#{pane_width}x#{pane_height}")

    def server_pid(self) -> int | None:
        with contextlib.suppress(Exception):
            return int(self.run("display-message", "-p", "#{pid}").strip())
        return None

    def wait_for(self, name: str, text: str, timeout: float, step: float = 0.1) -> bool:
        """Poll the pane until ``text`` shows (a screen has no event to wait on)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.capture(name):
                return True
            time.sleep(step)
        return False

    def kill_session(self, name: str, pid: int | None) -> None:
        self.run("kill-session", "-t", name, check=False)
        if pid is not None:
            wait_gone(pid, 5.0)

    def close(self) -> None:
        if self.used:
            self.run("kill-server", check=False)
            base = Path(os.environ.get("TMUX_TMPDIR") or "/tmp")
            (base / f"tmux-{os.getuid()}" / self.socket).unlink(missing_ok=True)


def wait_gone(pid: int, timeout: float) -> None:
    """Wait for ``pid`` (a process we started) to end; SIGKILL it after ``timeout``."""
    deadline = time.monotonic() + timeout
    while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    if Path(f"/proc/{pid}").exists():
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


CLK_TCK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int | None) -> float | None:
    """utime + stime of ``pid`` (all its threads) from /proc/<pid>/stat, in seconds."""
    if pid is None:
        return None
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    rest = stat[stat.rfind(")") + 2 :].split()  # field n of proc(5) is rest[n - 3]
    return (int(rest[11]) + int(rest[12])) / CLK_TCK


def rss_mb(pid: int) -> float | None:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return None
