"""One program in a real terminal (tmux) against a world process, measured over a window.

The program runs in a detached 160×45 tmux session; after a warm-up, utime+stime from
``/proc/PID/stat`` over the window give CPU % of one core (and CPU ms per refresh, counting
refreshes as the simulator's status requests / accounts), VmRSS from ``/proc/PID/status``
gives RSS (and its growth over the window's second half). The simulator's and the tmux
server's CPU are kept beside it, and the rest of the machine's (``other %``). The window
starts and ends as a status request reaches the simulator, so it holds whole refreshes.

cfdash can run under ``bench/probe.py`` (``probe=True``), which adds frames per second and the
most toasts on screen at once. For cfdash the world's own churn over the window is read from
its status lists too (:class:`Churn`), so a report can show the world did what it promises.
"""

from __future__ import annotations

import contextlib
import json
import random
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.machine import Load
from bench.plan import ACCOUNTS
from bench.procs import BENCH, CFDASH, PYTHON, Tmux, WorldProcess, cpu_seconds, rss_mb
from bench.sections import Context
from bench.stats import median
from bench.world import FIRST_ID

__all__ = ["Churn", "TerminalFigures", "measure"]


@dataclass
class Churn:
    """What the world did, from its status lists: moves before the window, churn during it."""

    listed_start: int
    listed_end: int
    running_start: int
    #: % of the jobs Running in two lists taken ``moved_gap_s`` apart whose ``jobprogress``
    #: and ``jobupdated`` both changed (the rollout promises 100 %).
    moved_pct: float | None
    moved_gap_s: float
    span_s: float
    #: Jobs that left the list, turned Failed, or appeared, over ``span_s``.
    left: int
    failed: int
    new: int
    left_per_10s: float
    failed_per_10s: float
    new_per_10s: float


@dataclass
class TerminalFigures:
    program: str  # "cfdash", "perjob" or "list" (the baselines' table apps)
    world: str  # "still" or "rollout"
    rows: int
    moving_pct: float | None  # still life only
    probe: bool
    pane: str
    window_s: float
    refreshes: float | None
    cpu_pct: float | None
    cpu_ms_per_refresh: float | None
    sim_cpu_pct: float | None
    tmux_cpu_pct: float | None
    rss_mb_start: float | None
    rss_mb_mid: float | None
    rss_mb_end: float | None
    status_requests_per_s: float
    other_load_pct: float
    loadavg_1m: float | None
    alive_at_end: bool
    screen_has_rows: bool
    baseline_refreshes_finished: int | None = None
    baseline_refresh_s: float | None = None
    fps: float | None = None
    frames: int | None = None
    toasts_max: int | None = None
    toasts_max_run: int | None = None
    #: The most toasts in the rack at once, also those scrolled out of its view.
    toasts_piled_max: int | None = None
    toasts_shown: int | None = None
    tracked_end: int | None = None
    churn: Churn | None = None
    #: Key to visible change (ms): ``Down``/``Up`` sent through tmux, to the first frame that
    #: shows the cursor on the next row (probe runs with ``keys``, after the CPU window).
    key_ms: list[float] | None = None
    key_ms_median: float | None = None


def _read_stats(path: Path) -> dict[str, Any] | None:
    with contextlib.suppress(OSError, ValueError):
        return json.loads(path.read_text())
    return None


def _churn(a: dict, b: dict, gap: float, start: dict, end: dict, span: float) -> Churn:
    def running(items: dict) -> set[int]:
        return {j for j, item in items.items() if item.get("jobstatename") == "Running"}

    both = running(a) & running(b)
    moved = sum(
        1
        for j in both
        if a[j]["jobprogress"] != b[j]["jobprogress"] and a[j]["jobupdated"] != b[j]["jobupdated"]
    )
    failed = sum(
        1
        for j, item in end.items()
        if item.get("jobstatename") == "Failed"
        and j in start
        and start[j].get("jobstatename") != "Failed"
    )
    left = sum(1 for j in start if j not in end)
    new = sum(1 for j in end if j not in start)
    per10 = 10 / span if span > 0 else 0.0
    return Churn(
        listed_start=len(start),
        listed_end=len(end),
        running_start=len(running(start)),
        moved_pct=moved / len(both) * 100 if both else None,
        moved_gap_s=gap,
        span_s=span,
        left=left,
        failed=failed,
        new=new,
        left_per_10s=left * per10,
        failed_per_10s=failed * per10,
        new_per_10s=new * per10,
    )


def _next_request(proc: WorldProcess, seen: int, timeout: float) -> int:
    """Wait until the simulator has counted a status request beyond ``seen``; the new count."""
    deadline = time.monotonic() + timeout
    count = proc.status_requests()
    while count <= seen and time.monotonic() < deadline:
        time.sleep(0.05)
        count = proc.status_requests()
    return count


def measure(
    ctx: Context,
    who: str,
    n: int,
    *,
    world: str = "still",
    moving: float = 10.0,
    warmup: float,
    window: float,
    probe: bool = False,
    min_requests: int = 4 * ACCOUNTS,
    keys: int = 0,
) -> TerminalFigures:
    """Start a fresh world and ``who`` in tmux, wait for rows, warm up, measure ``window`` s.

    The window starts and ends as a status request reaches the simulator, and lasts until at
    least ``min_requests`` have (up to three times ``window`` more). With ``probe`` and
    ``keys``, that many cursor keys are then timed to the frame that shows them.
    """
    tmux, box = ctx.tmux, ctx.box
    name = f"{who}-{world}-{n}-{int(moving)}" + ("-probe" if probe else "")
    stats = box.root / f"{name}.stats"
    stats.unlink(missing_ok=True)
    box.fresh_state()
    with WorldProcess(n, moving, rollout=world == "rollout") as proc:
        if who == "cfdash":
            config = ["--config", str(box.config(proc.base_url))]
            argv = [PYTHON, str(BENCH / "probe.py"), "--stats", str(stats), "--", *config]
            argv = argv if probe else [*CFDASH, *config]
            ready = FIRST_ID
        else:
            argv = [PYTHON, str(BENCH / "baselines.py"), "table", "--base-url", proc.base_url]
            argv += ["--accounts", str(ACCOUNTS), "--poll", who, "--stats", str(stats)]
            ready = "baseline:" if who == "perjob" else FIRST_ID
        pid = tmux.new_session(name, box.shell(argv))
        try:
            size = tmux.size(name).strip()
            if not tmux.wait_for(name, ready, 90):
                raise RuntimeError(f"{who} showed nothing in 90 s:\n{tmux.capture(name)}")
            look = who == "cfdash"
            time.sleep(max(0.0, warmup - (1.5 if look else 0)))
            if look:
                gap_start = time.monotonic()
                first = proc.listed()
                time.sleep(1.2)
                second = proc.listed()
                gap = time.monotonic() - gap_start
            server = tmux.server_pid()
            # The window runs from one status request to another, so that it holds whole
            # refreshes: a dashboard that refreshes every 10 s under load would otherwise
            # be counted one refresh more or less in a 30 s window.
            requests0 = _next_request(proc, proc.status_requests(), 60)
            before = (cpu_seconds(pid), cpu_seconds(proc.pid), cpu_seconds(server))
            load = Load()
            rss0, t0 = rss_mb(pid), time.monotonic()
            t0_wall, probe0 = time.time(), _read_stats(stats) if probe else None
            time.sleep(window / 2)
            rss_mid = rss_mb(pid)
            time.sleep(window / 2)
            enough = max(proc.status_requests(), requests0 + min_requests - 1)
            requests1 = _next_request(proc, enough, 3 * window)
            after = (cpu_seconds(pid), cpu_seconds(proc.pid), cpu_seconds(server))
            rss1, t1 = rss_mb(pid), time.monotonic()
            t1_wall, probe1 = time.time(), _read_stats(stats) if probe else None
            ours = sum(
                b - a for a, b in zip(before, after, strict=True) if a is not None and b is not None
            )
            window_load = load.stop(own_extra=ours)
            churn = None
            if look:
                third = proc.listed()
                span = time.monotonic() - gap_start - gap
                churn = _churn(first, second, gap, second, third, span)
            screen = tmux.capture(name)
            alive = Path(f"/proc/{pid}").exists()
            key_ms = _key_latency(tmux, name, stats, keys) if probe and keys and alive else None
        finally:
            tmux.kill_session(name, pid)
    elapsed = t1 - t0

    def pct(i: int) -> float | None:
        a, b = before[i], after[i]
        return None if a is None or b is None else (b - a) / elapsed * 100

    refreshes = (requests1 - requests0) / ACCOUNTS
    cpu = pct(0)
    figures = TerminalFigures(
        program=who,
        world=world,
        rows=n,
        moving_pct=moving if world == "still" else None,
        probe=probe,
        pane=size,
        window_s=elapsed,
        refreshes=refreshes,
        cpu_pct=cpu,
        cpu_ms_per_refresh=cpu * 10 * elapsed / refreshes
        if cpu is not None and refreshes
        else None,
        sim_cpu_pct=pct(1),
        tmux_cpu_pct=pct(2),
        rss_mb_start=rss0,
        rss_mb_mid=rss_mid,
        rss_mb_end=rss1,
        status_requests_per_s=(requests1 - requests0) / elapsed,
        other_load_pct=window_load["other_pct"] or 0.0,
        loadavg_1m=window_load["loadavg_1m"],
        alive_at_end=alive,
        screen_has_rows=FIRST_ID in screen or "5551" in screen,
        churn=churn,
    )
    if who != "cfdash":
        took = []
        lines = stats.read_text().splitlines() if stats.exists() else []
        for line in lines:
            stamp, _sent, seconds = line.split()
            if t0_wall <= float(stamp) <= t1_wall:
                took.append(float(seconds))
        figures.baseline_refreshes_finished = len(took)
        figures.baseline_refresh_s = median(took)
        # A per-job refresh sends N requests: count the refreshes the app says it finished.
        figures.refreshes = len(took)
        figures.cpu_ms_per_refresh = cpu * 10 * elapsed / len(took) if cpu and took else None
    if probe0 is not None and probe1 is not None:
        span = probe1["t"] - probe0["t"]
        figures.frames = probe1["frames"] - probe0["frames"]
        figures.fps = figures.frames / span if span > 0 else None
        inside = [c for c in probe1["toast_changes"] if t0_wall <= c[0] <= t1_wall]
        figures.toasts_max = max([probe0["toasts_now"], *(c[1] for c in inside)])
        figures.toasts_piled_max = max([probe0["mounted_now"], *(c[2] for c in inside)])
        figures.toasts_max_run = probe1["toasts_max"]
        figures.toasts_shown = probe1["toasts_seen"] - probe0["toasts_seen"]
        figures.tracked_end = probe1["tracked"]
    if key_ms:
        figures.key_ms = key_ms
        figures.key_ms_median = median(key_ms)
    return figures


def _key_latency(tmux: Tmux, name: str, stats: Path, count: int) -> list[float]:
    """Send ``Down``, ``Up``, ``Down``… at random moments (so they land anywhere in the
    refresh cycle) and time each to the first frame showing the cursor moved (stamped by the
    probe in the app's process, on the same wall clock). A key not shown within 3 s counts
    as 3,000 ms."""
    rng = random.Random(11)
    taken: list[float] = []
    row = _cursor_row(stats)
    for press in range(count):
        time.sleep(rng.uniform(0.2, 0.7))
        key, want = ("Down", 1) if press % 2 == 0 else ("Up", -1)
        sent = time.time()
        tmux.run("send-keys", "-t", name, key)
        shown = None
        deadline = time.monotonic() + 3.0
        while shown is None and time.monotonic() < deadline:
            time.sleep(0.05)
            figures = _read_stats(stats) or {}
            for at, moved_to in figures.get("cursor_changes", []):
                if at >= sent and row is not None and moved_to == row + want:
                    shown = at
                    break
        taken.append((shown - sent) * 1000 if shown is not None else 3000.0)
        row = _cursor_row(stats) if shown is None else (row or 0) + want
    return taken


def _cursor_row(stats: Path) -> int | None:
    """The row the cursor was last shown on (0 if it never moved since the start)."""
    changes = (_read_stats(stats) or {}).get("cursor_changes", [])
    return changes[-1][1] if changes else 0
