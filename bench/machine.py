"""The machine a run measured, and how busy the rest of it was meanwhile.

The machine is shared (other people run test suites on the same cores), so every section
records :class:`Load`; a high ``other_pct`` means its wall-clock figures are inflated, while
ratios against a baseline measured in the same run mostly hold.
"""

from __future__ import annotations

import contextlib
import os
import platform
import resource
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

from bench.procs import CLK_TCK

__all__ = ["Load", "code_version", "machine"]


def machine_busy_seconds() -> float:
    """CPU-seconds every CPU of the machine has spent busy since boot (/proc/stat)."""
    first = Path("/proc/stat").read_text().split("\n", 1)[0].split()
    ticks = [int(x) for x in first[1:9]]  # user nice system idle iowait irq softirq steal
    return (sum(ticks) - ticks[3] - ticks[4]) / CLK_TCK


def own_cpu_seconds() -> float:
    """CPU-seconds of this process and its waited-for children."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def loadavg() -> float | None:
    """The 1-minute load average, as ``uptime`` shows it."""
    with contextlib.suppress(OSError, ValueError, IndexError):
        return float(Path("/proc/loadavg").read_text().split()[0])
    return None


class Load:
    """What else ran on the machine during a span: all CPUs' busy time minus our own."""

    def __init__(self) -> None:
        self.start = (time.monotonic(), machine_busy_seconds(), own_cpu_seconds())

    def stop(self, own_extra: float = 0.0) -> dict[str, float | None]:
        """``own_extra``: CPU-seconds of our processes not counted by rusage (tmux panes)."""
        wall = time.monotonic() - self.start[0]
        busy = machine_busy_seconds() - self.start[1]
        own = own_cpu_seconds() - self.start[2] + own_extra
        return {
            "wall_s": wall,
            "machine_pct": busy / wall * 100,
            "own_pct": own / wall * 100,
            "other_pct": max(0.0, (busy - own) / wall * 100),
            "loadavg_1m": loadavg(),
        }


def code_version() -> dict[str, Any]:
    """The cfdash code measured: its version, git commit, and whether cfdash/ had changes.

    Read-only git (``--no-optional-locks``: not even the index is refreshed). No paths: the
    JSON is committed and compared across machines.
    """
    import cfdash

    root = Path(cfdash.__file__).resolve().parents[1]
    git = ["git", "--no-optional-locks", "-C", str(root)]
    found: dict[str, Any] = {"version": cfdash.__version__, "commit": None, "dirty": None}
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        commit = subprocess.run(
            [*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, timeout=10
        ).stdout.strip()
        if commit:
            dirty = subprocess.run(
                [*git, "status", "--porcelain", "--", "cfdash"],
                capture_output=True,
                text=True,
                timeout=10,
            ).stdout.strip()
            found.update(commit=commit, dirty=bool(dirty))
    return found


def describe_code(code: dict[str, Any]) -> str:
    text = f"cfdash {code['version']}"
    if code.get("commit"):
        text += f", commit {code['commit']}"
        if code.get("dirty"):
            text += " + uncommitted changes in cfdash/"
    return text


def machine() -> dict[str, Any]:
    import textual

    model = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    tmux_version = None
    if shutil.which("tmux"):
        tmux_version = subprocess.run(["tmux", "-V"], capture_output=True, text=True).stdout
    return {
        "code": code_version(),
        "cores": os.cpu_count(),
        "cpu": model,
        "python": platform.python_version(),
        "textual": textual.__version__,
        "tmux": (tmux_version or "not installed").strip(),
        "kernel": platform.release(),
    }
