"""cfdash's performance benchmark: every target of the performance issue, with baselines.

    python bench/perf.py [--quick] [--json PATH] [--only SECTION,...]

Sections (all on 127.0.0.1, two accounts, N = 100, 1,000 and 5,000 rows; --quick: 100 and
1,000, fewer samples, shorter CPU windows, about two minutes):

requests  Requests per refresh, counted by the simulator (``sim.requests``): cfdash's engine
          (``Engine.poll_all``) against the per-job baseline (``bench/baselines.py``).
apply     One refresh applied to the table, headless (``build_app(..., poll=False,
          tick=False)``, ``run_test(size=(160, 45))``): X % of rows changed through
          ``Tracker.merge``, then ``app.main.table.apply(...)`` per account, then the frame.
          Also: an unchanged refresh (0 %), the 1 s ``tick()``, and the whole refresh path
          (``Engine.poll_all`` over an in-memory transport → message → table → frame).
startup   Process start to the first frame showing a job, in tmux at 160×45 (7 and 1,000
          jobs), and the headless commands' start time and whether they import Textual.
keypress  Confirm key to the queue request reaching the simulator (Pilot, real HTTP).
cpu       CPU % of one core and RSS of the real app in a detached tmux session at 160×45,
          1 s refresh, against a simulator process (``bench/world.py``) in which exactly X %
          of the jobs change per second; the same for the baselines.
curljq    A ``watch``-style ``curl | jq`` loop: CPU ms per refresh (children's rusage).

Everything started here (simulator processes, a private tmux server) is stopped in
``finally`` blocks, also on Ctrl-C. State, config and logs live in a temporary directory.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import random
import re
import select
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import httpx
from baselines import curl_jq_cpu, fetch_lists, per_job_refresh, targets_for
from world import FIRST_JOBID, build_world

from cfdash.demo import demo_settings
from cfdash.sim import FakeClock, SimThread, demo_accounts, demo_config_toml, start_server

BENCH = Path(__file__).resolve().parent
SECTIONS = ("requests", "apply", "startup", "keypress", "cpu", "curljq")
SIZE = (160, 45)
ACCOUNTS = 2
PYTHON = sys.executable
_SCRIPT = Path(PYTHON).with_name("cfdash")
#: How the benchmark starts cfdash: the installed console script, as a user would.
CFDASH = [str(_SCRIPT)] if _SCRIPT.exists() else [PYTHON, "-m", "cfdash"]
FIRST_ID = str(FIRST_JOBID)  # the top row under the default sort (account, job id)


@dataclass(frozen=True)
class Plan:
    """How much to measure: the full run or --quick."""

    quick: bool
    sizes: tuple[int, ...]
    pcts: tuple[int, ...] = (1, 10, 100)
    samples: int = 50
    request_refreshes: int = 5
    perjob_budget: float = 10.0
    startup_runs: int = 3
    key_samples: int = 20
    key_sizes: tuple[int, ...] = (100, 1000, 5000)
    cpu_warmup: float = 5.0
    cpu_window: float = 20.0
    #: (rows, % moving) for cfdash in tmux; baselines run at 10 % for every size.
    cpu_cases: tuple[tuple[int, int], ...] = ()
    list_baseline_sizes: tuple[int, ...] = ()
    curljq_refreshes: int = 10

    @classmethod
    def make(cls, quick: bool) -> Plan:
        if quick:
            return cls(
                quick=True,
                sizes=(100, 1000),
                samples=20,
                request_refreshes=3,
                perjob_budget=4.0,
                startup_runs=2,
                key_samples=10,
                key_sizes=(1000,),
                cpu_warmup=3.0,
                cpu_window=10.0,
                cpu_cases=((100, 10), (1000, 10)),
                list_baseline_sizes=(1000,),
                curljq_refreshes=5,
            )
        sizes = (100, 1000, 5000)
        cases = [(n, pct) for n in sizes for pct in (1, 10, 100)]
        cases.insert(3, (1000, 0))
        return cls(quick=False, sizes=sizes, cpu_cases=tuple(cases), list_baseline_sizes=(1000,))


# -- small statistics ---------------------------------------------------------------------


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def p99(values: list[float]) -> float | None:
    """Nearest-rank 99th percentile: with fewer than 100 samples, the largest one."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-99 * len(ordered) // 100))  # ceil(0.99 n)
    return ordered[rank - 1]


def fmt(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "n/a"
    return f"{value:,.{digits}f}"


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# -- processes we start: the simulator world and a private tmux server ---------------------


class World:
    """``bench/world.py`` in its own process: N jobs, X % of them moving every second."""

    def __init__(self, jobs: int, moving: float) -> None:
        self.jobs, self.moving = jobs, moving
        self.proc = subprocess.Popen(
            [
                *(PYTHON, str(BENCH / "world.py"), "--port", "0", "--jobs", str(jobs)),
                *("--accounts", str(ACCOUNTS), "--moving", str(moving)),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            start_new_session=True,  # Ctrl-C reaches us; we stop it ourselves
        )
        self.base_url = self._ready(timeout=30.0)

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
        with urllib.request.urlopen(f"{self.base_url}/_sim/requests", timeout=5) as response:
            counts = json.load(response)["counts"]
        return sum(c["count"] for c in counts if c["endpoint"] == "status")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)

    def __enter__(self) -> World:
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


def machine_busy_seconds() -> float:
    """CPU-seconds every CPU of the machine has spent busy since boot (/proc/stat)."""
    first = Path("/proc/stat").read_text().split("\n", 1)[0].split()
    ticks = [int(x) for x in first[1:9]]  # user nice system idle iowait irq softirq steal
    return (sum(ticks) - ticks[3] - ticks[4]) / CLK_TCK


def own_cpu_seconds() -> float:
    """CPU-seconds of this process and its waited-for children."""
    import resource

    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


class Load:
    """What else ran on the machine during a span: all CPUs' busy time minus our own.

    The machine is shared (other engineers run test suites on the same two cores), so every
    section records this; a large ``other_pct`` means its wall-clock figures are inflated.
    """

    def __init__(self) -> None:
        self.start = (time.monotonic(), machine_busy_seconds(), own_cpu_seconds())

    def stop(self, own_extra: float = 0.0) -> dict[str, float]:
        """``own_extra``: CPU-seconds of our processes not counted by rusage (tmux panes)."""
        wall = time.monotonic() - self.start[0]
        busy = machine_busy_seconds() - self.start[1]
        own = own_cpu_seconds() - self.start[2] + own_extra
        return {
            "wall_s": wall,
            "machine_pct": busy / wall * 100,
            "own_pct": own / wall * 100,
            "other_pct": max(0.0, (busy - own) / wall * 100),
        }


class Sandbox:
    """A temporary home for config, state and logs, and the environment that points there."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.env = dict(os.environ)
        for name in ("CONFIG", "STATE", "CACHE", "DATA"):
            path = root / name.lower()
            path.mkdir(exist_ok=True)
            self.env[f"XDG_{name}_HOME"] = str(path)
        self.env.pop("CFDASH_CONFIG", None)
        self.env["COLORTERM"] = "truecolor"

    def config(self, base_url: str, refresh: float = 1.0) -> Path:
        """A cfdash config for the demo accounts at ``base_url`` (inline demo keys: mode 600)."""
        text = demo_config_toml(base_url, demo_accounts(ACCOUNTS))
        text = text.replace("refresh_interval = 2", f"refresh_interval = {refresh:g}")
        path = self.root / "config.toml"
        path.write_text(text)
        path.chmod(0o600)
        return path

    def fresh_state(self) -> None:
        """Forget the state file and logs, as on a first start."""
        for name in ("state", "cache"):
            shutil.rmtree(self.root / name, ignore_errors=True)
            (self.root / name).mkdir()

    def shell(self, argv: list[str], t0_file: Path | None = None) -> str:
        """A ``sh -c`` line that (optionally) stamps its start time, then execs ``argv``."""
        env = [f"{k}={self.env[k]}" for k in self.env if k.startswith("XDG_")]
        env += ["COLORTERM=truecolor", "CFDASH_CONFIG="]
        stamp = f"date +%s.%N > {t0_file} && " if t0_file else ""
        quoted = " ".join(_quote(part) for part in ["env", *env, *argv])
        return f"{stamp}exec {quoted}"


def _quote(text: str) -> str:
    import shlex

    return shlex.quote(text)


# -- frames, counted and timed in-process -------------------------------------------------


class FrameMeter:
    """Counts Textual frames and the time spent producing them (headless, this process).

    How, in Textual 8.2: a widget's ``refresh()`` marks it dirty and posts ``Update`` to its
    screen; the screen's update timer (60/s, paused when nothing is dirty; ``Pilot.pause()``
    also calls it directly) runs ``Screen._on_timer_update``, which does layout if needed and
    ``_compositor_refresh`` → ``Compositor.render_update`` (this renders the dirty widgets'
    lines: the real work of a frame) → ``App._display(screen, update)``. ``render_update``
    returns ``None`` when no region was dirty, so a *frame* here is an ``App._display`` call
    with a renderable (outside a batch), and *frame time* is the wall time spent inside
    ``Screen._on_timer_update`` (also kept as this thread's CPU time, which other processes on
    a shared machine do not inflate). Both are patched on the classes while the meter is active.
    Headless, ``_display`` stops before turning the update into escape sequences: the cost of
    writing to a real terminal is in the tmux CPU figures, not here.
    """

    def __init__(self) -> None:
        self.frames = 0
        self.frame_time = 0.0  # wall seconds inside Screen._on_timer_update
        self.frame_cpu = 0.0  # CPU seconds of this thread inside it (immune to other load)
        #: (perf_counter, screen class name) of every frame, for latency measurements.
        self.log: list[tuple[float, str]] = []
        self._saved: list[tuple[type, str, Any]] = []

    def __enter__(self) -> FrameMeter:
        from textual.app import App
        from textual.screen import Screen

        meter = self
        display, timer_update = App._display, Screen._on_timer_update

        def counted_display(app: App, screen: Screen, renderable: Any) -> None:
            if renderable is not None and not app._batch_count:
                meter.frames += 1
                meter.log.append((time.perf_counter(), type(screen).__name__))
            display(app, screen, renderable)

        def timed_update(screen: Screen) -> None:
            started, cpu = time.perf_counter(), time.thread_time()
            try:
                timer_update(screen)
            finally:
                meter.frame_time += time.perf_counter() - started
                meter.frame_cpu += time.thread_time() - cpu

        self._saved = [(App, "_display", display), (Screen, "_on_timer_update", timer_update)]
        App._display = counted_display  # type: ignore[method-assign]
        Screen._on_timer_update = timed_update  # type: ignore[method-assign]
        return self

    def __exit__(self, *exc: object) -> None:
        for owner, name, original in self._saved:
            setattr(owner, name, original)


def send_key(app: Any, key: str, char: str | None) -> None:
    """Deliver a key as the terminal driver would, without Pilot's waits for idle."""
    from textual import events

    event = events.Key(key, char)
    event.set_sender(app)
    app._driver.send_message(event)


async def wait_until(condition: Callable[[], bool], timeout: float, step: float = 0.0005) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(step)
    return True


# -- 1. requests per refresh ----------------------------------------------------------------


async def _requests(n: int, plan: Plan) -> dict[str, Any]:
    from cfdash.engine.session import build_engine

    sim = build_world(n, ACCOUNTS, 10)
    server = await start_server(sim)
    try:
        engine = build_engine(demo_settings(server.base_url, accounts=ACCOUNTS, refresh=1.0))
        try:
            await engine.poll_all()  # connections open, rows tracked
            sim.requests.reset()
            started = time.perf_counter()
            for _ in range(plan.request_refreshes):
                await engine.poll_all()
            cf_wall = (time.perf_counter() - started) / plan.request_refreshes
            cf_requests = sim.requests.count("status") / plan.request_refreshes
        finally:
            await engine.aclose()
        targets = targets_for(ACCOUNTS)
        async with httpx.AsyncClient(base_url=server.base_url, timeout=30.0) as client:
            listed = await fetch_lists(client, targets)
            by_name = {t.name: t for t in targets}
            jobs = [(by_name[account], item["jobid"]) for account, item in listed]
            sim.requests.reset()
            started = time.perf_counter()
            _, sent, finished = await per_job_refresh(
                client, jobs, deadline=time.monotonic() + plan.perjob_budget
            )
            took = time.perf_counter() - started
            counted = sim.requests.count("status")
    finally:
        await server.stop()
    return {
        "rows": n,
        "cfdash_requests_per_refresh": cf_requests,
        "cfdash_refresh_ms": cf_wall * 1000,
        "perjob_requests_counted": counted,
        "perjob_refresh_finished": finished,
        "perjob_requests_per_refresh": counted if finished else len(jobs),
        "perjob_refresh_s": took if finished else took / max(sent, 1) * len(jobs),
        "perjob_refresh_projected": not finished,
    }


def run_requests(plan: Plan) -> list[dict[str, Any]]:
    results = []
    for n in plan.sizes:
        log(f"requests per refresh at {n} rows")
        results.append(asyncio.run(_requests(n, plan)))
    return results


# -- 2. apply one refresh to the table ------------------------------------------------------


@dataclass
class Samples:
    """Per-refresh figures of one case: wall (perf_counter) and CPU (thread_time) times."""

    apply_ms: list[float] = field(default_factory=list)
    apply_cpu_ms: list[float] = field(default_factory=list)
    frame_ms: list[float] = field(default_factory=list)
    frame_cpu_ms: list[float] = field(default_factory=list)
    total_ms: list[float] = field(default_factory=list)
    total_cpu_ms: list[float] = field(default_factory=list)
    loop_cpu_ms: list[float] = field(default_factory=list)
    frames: list[int] = field(default_factory=list)
    changed: list[int] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {
            "samples": len(self.frames),
            "changed_rows": median([float(c) for c in self.changed]),
            "apply_frame_median_ms": median(self.total_ms),
            "apply_frame_p99_ms": p99(self.total_ms),
            "apply_frame_cpu_median_ms": median(self.total_cpu_ms),
            "apply_frame_cpu_p99_ms": p99(self.total_cpu_ms),
            "apply_median_ms": median(self.apply_ms),
            "apply_p99_ms": p99(self.apply_ms),
            "apply_cpu_median_ms": median(self.apply_cpu_ms),
            "frame_median_ms": median(self.frame_ms),
            "frame_cpu_median_ms": median(self.frame_cpu_ms),
            "loop_cpu_median_ms": median(self.loop_cpu_ms),
            "loop_cpu_p99_ms": p99(self.loop_cpu_ms),
            "frames_per_refresh": median([float(f) for f in self.frames]),
            "frames_max": max(self.frames) if self.frames else None,
        }


class MemoryWorld:
    """Status lists served from memory (``httpx.MockTransport``), changed on demand.

    The lists come from :func:`world.build_world` on a frozen clock; :meth:`mutate` bumps the
    progress of X % of the jobs, :meth:`serialize` turns the lists into the bodies the engine's
    clients receive. No socket and no simulator thread: the process's CPU is cfdash's alone.
    """

    def __init__(self, n: int, seed: int = 7) -> None:
        self.n = n
        self.rng = random.Random(seed)
        self.clock = FakeClock()
        sim = build_world(n, ACCOUNTS, 0, clock=self.clock)
        self.members = demo_accounts(ACCOUNTS)
        self.raw = {a.name: sim.status(a.asid) for a in self.members}  # JSON dicts
        self.by_id = {name: {d["jobid"]: d for d in items} for name, items in self.raw.items()}
        self.keys = [(name, d["jobid"]) for name, items in self.raw.items() for d in items]
        self._names = {a.asid: a.name for a in self.members}
        self.bodies: dict[str, bytes] = {}
        self.serialize()

    def serialize(self) -> None:
        for name, items in self.raw.items():
            self.bodies[name] = json.dumps({"installs": items}).encode()

    def handler(self, request: httpx.Request) -> httpx.Response:
        name = self._names[int(request.url.params["accountserviceid"])]
        return httpx.Response(
            200, content=self.bodies[name], headers={"content-type": "application/json"}
        )

    def mutate(self, pct: float) -> list[tuple[str, int]]:
        """Change ``pct`` % of the jobs in the lists (progress and updated time)."""
        count = max(1, round(self.n * pct / 100)) if pct else 0
        chosen = self.rng.sample(self.keys, count)
        for name, jobid in chosen:
            item = self.by_id[name][jobid]
            item["jobprogress"] = (item["jobprogress"] or 0) % 99 + 1
            item["jobupdated"] = int(self.clock())
        return chosen

    def app(self) -> Any:
        from cfdash.tui.wiring import build_app

        settings = demo_settings("http://127.0.0.1:9", accounts=ACCOUNTS, refresh=1.0)
        transport = httpx.MockTransport(self.handler)
        return build_app(settings, transport=transport, clock=self.clock, poll=False, tick=False)


async def _apply(n: int, plan: Plan) -> dict[str, Any]:
    world = MemoryWorld(n)
    clock, members, by_id = world.clock, world.members, world.by_id
    mutate, serialize = world.mutate, world.serialize
    app = world.app()
    out: dict[str, Any] = {"rows": n}

    with FrameMeter() as meter:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            tracker = app.engine.tracker
            table = app.main.table  # whichever widget is in place: apply() and tick() only

            # Load: the first poll adds every row (the whole path, through the engine).
            cpu0, frames0 = time.process_time(), meter.frames
            await app.engine.poll_all()
            await pilot.pause()
            await pilot.pause()
            out["load"] = {
                "cpu_ms": (time.process_time() - cpu0) * 1000,
                "frames": meter.frames - frames0,
                "tracked": len(tracker),
            }

            async def sample(record: Samples, work: Callable[[], int]) -> None:
                """Time ``work`` (the table calls), then let the loop run to idle (the frame)."""
                loop0, cpu0, wall0 = time.process_time(), time.thread_time(), time.perf_counter()
                frames0, ftime0, fcpu0 = meter.frames, meter.frame_time, meter.frame_cpu
                changed = work()
                wall1, cpu1 = time.perf_counter(), time.thread_time()
                await pilot.pause()
                apply_ms, apply_cpu = (wall1 - wall0) * 1000, (cpu1 - cpu0) * 1000
                frame_ms = (meter.frame_time - ftime0) * 1000
                frame_cpu = (meter.frame_cpu - fcpu0) * 1000
                record.apply_ms.append(apply_ms)
                record.apply_cpu_ms.append(apply_cpu)
                record.frame_ms.append(frame_ms)
                record.frame_cpu_ms.append(frame_cpu)
                record.total_ms.append(apply_ms + frame_ms)
                record.total_cpu_ms.append(apply_cpu + frame_cpu)
                record.loop_cpu_ms.append((time.process_time() - loop0) * 1000)
                record.frames.append(meter.frames - frames0)
                record.changed.append(changed)

            # Table only: the tracker merges modified StatusItems, the table applies the keys.
            for pct in (0, *plan.pcts):
                record = Samples()
                for _ in range(plan.samples):
                    clock.advance(1)
                    chosen = mutate(pct)
                    changes = []
                    for account in members:
                        latest = dict(tracker.latest.get(account.name, {}))
                        for name, jobid in chosen:
                            if name == account.name:
                                item = by_id[name][jobid]
                                latest[jobid] = latest[jobid].model_copy(
                                    update={
                                        "jobprogress": item["jobprogress"],
                                        "jobupdated": item["jobupdated"],
                                    }
                                )
                        changes.append(tracker.merge(account.name, list(latest.values()), clock()))

                    def work(changes: list[Any] = changes) -> int:
                        for change in changes:
                            table.apply(change.added, change.changed, change.removed)
                        return sum(len(c.added) + len(c.changed) + len(c.removed) for c in changes)

                    await sample(record, work)
                out[f"table_{pct}"] = record.summary()
                worst = fmt(out[f"table_{pct}"]["apply_frame_p99_ms"], 2)
                log(f"  apply {n} rows {pct:>3} %: p99 {worst} ms (apply + frame)")
            serialize()  # the served lists now match what the tracker holds

            # The 1 s tick alone (countdowns and ages).
            record = Samples()
            for _ in range(plan.samples):
                clock.advance(1)

                def tick() -> int:
                    table.tick()
                    return 0

                await sample(record, tick)
            out["tick"] = record.summary()

            # The whole refresh: poll both accounts (HTTP client over an in-memory transport,
            # JSON, models, merge) → Polled messages → table → frame. CPU of the loop until idle.
            for pct in (0, *plan.pcts):
                record = Samples()
                for _ in range(plan.samples):
                    clock.advance(1)
                    mutate(pct)
                    serialize()
                    events: list[Any] = []

                    async def poll(events: list[Any] = events) -> None:
                        events.extend(await app.engine.poll_all())

                    cpu0, frames0 = time.process_time(), meter.frames
                    await poll()
                    await pilot.pause()
                    record.loop_cpu_ms.append((time.process_time() - cpu0) * 1000)
                    record.frames.append(meter.frames - frames0)
                    record.changed.append(sum(len(e.changes.changed) for e in events))
                out[f"full_{pct}"] = record.summary()
    return out


def run_apply(plan: Plan) -> list[dict[str, Any]]:
    results = []
    for n in plan.sizes:
        log(f"apply one refresh at {n} rows ({plan.samples} samples per case)")
        results.append(asyncio.run(_apply(n, plan)))
    return results


# -- 7. (opt-in) RSS over many refreshes ------------------------------------------------------


async def _soak(n: int, refreshes: int) -> dict[str, Any]:
    """Headless: ``refreshes`` full refreshes (10 % changed) plus a tick each; RSS as it goes."""
    import gc

    world = MemoryWorld(n)
    app = world.app()
    warmup = min(200, refreshes // 10)
    trace: list[tuple[int, float | None]] = []
    started = time.monotonic()
    async with app.run_test(size=SIZE) as pilot:
        await app.engine.poll_all()
        await pilot.pause()
        tick = getattr(app.main, "tick", None) or app.main.table.tick  # the app's 1 s tick
        every = max(1, refreshes // 20)
        for i in range(1, refreshes + 1):
            world.clock.advance(1)
            world.mutate(10)
            world.serialize()
            await app.engine.poll_all()
            tick()
            await pilot.pause()
            if i == warmup or i % every == 0:
                trace.append((i, rss_mb(os.getpid())))
                if i % (every * 4) == 0:
                    log(f"  soak: {i:,} refreshes, RSS {fmt(trace[-1][1])} MB")
        gc.collect()
        after_gc = rss_mb(os.getpid())
    start = next(rss for i, rss in trace if i == warmup)
    end = trace[-1][1]
    return {
        "rows": n,
        "refreshes": refreshes,
        "warmup_refreshes": warmup,
        "rss_mb_after_warmup": start,
        "rss_mb_end": end,
        "rss_mb_end_after_gc": after_gc,
        "growth_mb": None if start is None or end is None else end - start,
        "trace": trace,
        "elapsed_s": time.monotonic() - started,
    }


def run_soak(refreshes: int) -> dict[str, Any]:
    log(f"soak: {refreshes:,} refreshes at 1,000 rows, headless (RSS of this process)")
    return asyncio.run(_soak(1000, refreshes))


# -- 3. startup and headless commands -------------------------------------------------------

_CHECK_IMPORTS = """
import sys
from cfdash.cli import main
try:
    code = main(sys.argv[1:])
except SystemExit as exit_:
    code = exit_.code
sys.stderr.write("\\nBENCH-TEXTUAL=%d\\n" % any(m.split(".")[0] == "textual" for m in sys.modules))
"""


def _startup_once(tmux: Tmux, box: Sandbox, config: Path, name: str) -> float | None:
    box.fresh_state()
    stamp = box.root / "t0"
    stamp.unlink(missing_ok=True)
    pid = tmux.new_session(name, box.shell([*CFDASH, "--config", str(config)], stamp))
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if FIRST_ID in tmux.capture(name):
                seen = time.time()
                return seen - float(stamp.read_text())
            time.sleep(0.02)
        return None
    finally:
        tmux.kill_session(name, pid)


def _headless(box: Sandbox, argv: list[str], runs: int) -> dict[str, Any]:
    walls = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([*CFDASH, *argv], env=box.env, capture_output=True, timeout=60)
        walls.append((time.perf_counter() - started) * 1000)
    check = subprocess.run(
        [PYTHON, "-c", _CHECK_IMPORTS, *argv], env=box.env, capture_output=True, text=True
    )
    found = re.search(r"BENCH-TEXTUAL=(\d)", check.stderr)
    return {
        "command": "cfdash " + " ".join(a if "/" not in a else Path(a).name for a in argv),
        "wall_median_ms": median(walls),
        "textual_imported": None if found is None else found.group(1) == "1",
    }


def _import_time(box: Sandbox) -> dict[str, Any]:
    done = subprocess.run(
        [PYTHON, "-X", "importtime", "-c", "import cfdash.cli"],
        env=box.env,
        capture_output=True,
        text=True,
    )
    cumulative = None
    textual = False
    for line in done.stderr.splitlines():
        parts = [p.strip() for p in line.split("|")]
        if len(parts) != 3 or not parts[1].isdigit():
            continue
        module = parts[2]
        if module.split(".")[0] == "textual":
            textual = True
        if module == "cfdash.cli":
            cumulative = int(parts[1]) / 1000
    return {"import_cfdash_cli_ms": cumulative, "textual_imported": textual}


def run_startup(plan: Plan, tmux: Tmux, box: Sandbox) -> dict[str, Any]:
    out: dict[str, Any] = {"first_frame": [], "headless": []}
    for n in (7, 1000):
        log(f"startup to first frame with rows at {n} jobs ({plan.startup_runs} runs)")
        with World(n, 10) as world:
            config = box.config(world.base_url)
            times = [
                _startup_once(tmux, box, config, f"startup-{n}-{i}")
                for i in range(plan.startup_runs)
            ]
            got = [t * 1000 for t in times if t is not None]
            out["first_frame"].append(
                {
                    "jobs": n,
                    "median_ms": median(got),
                    "max_ms": max(got) if got else None,
                    "runs": len(times),
                    "failed": len(times) - len(got),
                }
            )
            if n == 1000:
                log("headless commands: start time and Textual imports")
                out["imports"] = _import_time(box)
                runs = 3 if plan.quick else 5
                walls = []
                for _ in range(runs):  # the floor: this Python starting and doing nothing
                    began = time.perf_counter()
                    subprocess.run([PYTHON, "-c", "pass"], env=box.env, timeout=60)
                    walls.append((time.perf_counter() - began) * 1000)
                out["python_floor_ms"] = median(walls)
                for argv in (
                    ["--version"],
                    ["config", "check", "--config", str(config)],
                    ["status", "--config", str(config)],
                ):
                    out["headless"].append(_headless(box, argv, runs))
    return out


# -- 4. keypress to queue request on the wire -----------------------------------------------


async def _keypress(n: int, plan: Plan, box: Sandbox) -> dict[str, Any]:
    from cfdash.config import StateStore
    from cfdash.tui.screens.confirm import ConfirmScreen
    from cfdash.tui.wiring import build_app

    sim = build_world(n, ACCOUNTS, 10)
    stamps: list[float] = []
    record_queue = sim.requests.record_queue

    def stamped(*args: Any) -> None:  # runs on the simulator's thread, as the request lands
        stamps.append(time.perf_counter())
        record_queue(*args)

    sim.requests.record_queue = stamped  # type: ignore[method-assign]
    thread = SimThread(sim)
    base_url = thread.start()
    dialog_ms: list[float] = []
    wire_ms: list[float] = []
    try:
        box.fresh_state()
        settings = demo_settings(base_url, accounts=ACCOUNTS, refresh=1.0)
        store = StateStore(box.root / "state" / "keypress.toml")
        app = build_app(settings, store=store, poll=True, tick=True)
        with FrameMeter() as meter:
            async with app.run_test(size=SIZE, notifications=True) as pilot:
                tracker = app.engine.tracker
                if not await wait_until(lambda: len(tracker) >= n, 60, 0.02):
                    raise RuntimeError("the rows did not load")
                await pilot.pause()
                for _ in range(plan.key_samples):
                    await pilot.pause(0.3)  # between keys, as a person would
                    # Running and queued jobs get a toast, not a dialog: go to one to send.
                    table = app.main.table
                    below = table.row_keys[table.cursor :]
                    table.select(next(k for k in below if app.engine.queue_check(k).sendable))
                    mark = len(meter.log)
                    pressed = time.perf_counter()
                    send_key(app, "q", "q")

                    def dialog_drawn(mark: int = mark) -> bool:
                        return any(s == ConfirmScreen.__name__ for _, s in meter.log[mark:])

                    if not await wait_until(dialog_drawn, 5):
                        raise RuntimeError("the confirm dialog did not appear")
                    drawn = next(t for t, s in meter.log[mark:] if s == ConfirmScreen.__name__)
                    dialog_ms.append((drawn - pressed) * 1000)
                    await pilot.pause(0.3)  # the person reads the dialog
                    before = len(stamps)
                    confirmed = time.perf_counter()
                    send_key(app, "enter", "\r")
                    if not await wait_until(lambda before=before: len(stamps) > before, 5):
                        raise RuntimeError("the queue request never reached the simulator")
                    wire_ms.append((stamps[before] - confirmed) * 1000)

                    def settled() -> bool:
                        return not any(j.queue_in_flight for j in tracker.jobs.values())

                    await wait_until(settled, 10, 0.01)
                    await pilot.press("down")
    finally:
        thread.stop()
    return {
        "rows": n,
        "samples": len(wire_ms),
        "confirm_to_wire_median_ms": median(wire_ms),
        "confirm_to_wire_p99_ms": p99(wire_ms),
        "q_to_dialog_frame_median_ms": median(dialog_ms),
        "q_to_dialog_frame_p99_ms": p99(dialog_ms),
    }


def run_keypress(plan: Plan, box: Sandbox) -> list[dict[str, Any]]:
    results = []
    for n in plan.key_sizes:
        log(f"keypress to queue request at {n} rows ({plan.key_samples} samples)")
        results.append(asyncio.run(_keypress(n, plan, box)))
    return results


# -- 5. CPU and RSS in a real terminal (tmux) -----------------------------------------------


def _cpu_case(
    plan: Plan,
    tmux: Tmux,
    box: Sandbox,
    who: str,
    n: int,
    moving: float,
) -> dict[str, Any]:
    """One program in tmux against a fresh simulator: CPU %, RSS, requests, over the window."""
    name = f"cpu-{who}-{n}-{int(moving)}"
    stats = box.root / f"{name}.stats"
    stats.unlink(missing_ok=True)
    box.fresh_state()
    with World(n, moving) as world:
        if who == "cfdash":
            argv = [*CFDASH, "--config", str(box.config(world.base_url))]
            ready = FIRST_ID
        else:
            poll = "perjob" if who == "perjob" else "list"
            argv = [PYTHON, str(BENCH / "baselines.py"), "table", "--base-url", world.base_url]
            argv += ["--accounts", str(ACCOUNTS), "--poll", poll, "--stats", str(stats)]
            ready = "baseline:" if poll == "perjob" else FIRST_ID
        started = time.monotonic()
        pid = tmux.new_session(name, box.shell(argv))
        try:
            size = tmux.size(name).strip()
            ok = False
            while time.monotonic() - started < 60:
                if ready in tmux.capture(name):
                    ok = True
                    break
                time.sleep(0.1)
            if not ok:
                raise RuntimeError(f"{who} showed nothing in 60 s:\n{tmux.capture(name)}")
            time.sleep(plan.cpu_warmup)
            server = tmux.server_pid()
            before = (cpu_seconds(pid), cpu_seconds(world.pid), cpu_seconds(server))
            load = Load()
            rss0, requests0, t0 = rss_mb(pid), world.status_requests(), time.monotonic()
            t0_wall = time.time()
            time.sleep(plan.cpu_window / 2)
            rss_mid = rss_mb(pid)
            time.sleep(plan.cpu_window / 2)
            after = (cpu_seconds(pid), cpu_seconds(world.pid), cpu_seconds(server))
            rss1, requests1, t1 = rss_mb(pid), world.status_requests(), time.monotonic()
            ours = sum(
                b - a for a, b in zip(before, after, strict=True) if a is not None and b is not None
            )
            window_load = load.stop(own_extra=ours)
            screen = tmux.capture(name)
            alive = Path(f"/proc/{pid}").exists()
        finally:
            tmux.kill_session(name, pid)
    window = t1 - t0

    def pct(i: int) -> float | None:
        a, b = before[i], after[i]
        return None if a is None or b is None else (b - a) / window * 100

    refreshes = []
    if stats.exists():
        for line in stats.read_text().splitlines():
            stamp, _sent, took = line.split()
            if t0_wall <= float(stamp) <= t0_wall + window:
                refreshes.append(float(took))
    return {
        "program": who,
        "rows": n,
        "moving_pct": moving,
        "pane": size,
        "window_s": window,
        "cpu_pct": pct(0),
        "sim_cpu_pct": pct(1),
        "tmux_cpu_pct": pct(2),
        "rss_mb_start": rss0,
        "rss_mb_mid": rss_mid,
        "rss_mb_end": rss1,
        "status_requests_per_s": (requests1 - requests0) / window,
        "baseline_refreshes_finished": len(refreshes) if who != "cfdash" else None,
        "baseline_refresh_s": median(refreshes) if refreshes else None,
        "other_load_pct": window_load["other_pct"],
        "alive_at_end": alive,
        "screen_has_rows": FIRST_ID in screen or "5551" in screen,
    }


def run_cpu(plan: Plan, tmux: Tmux, box: Sandbox) -> list[dict[str, Any]]:
    results = []
    cases = [("cfdash", n, pct) for n, pct in plan.cpu_cases]
    cases += [("perjob", n, 10) for n in plan.sizes]
    cases += [("list", n, 10) for n in plan.list_baseline_sizes]
    for who, n, moving in cases:
        log(f"CPU in tmux: {who} at {n} rows, {moving} % moving ({plan.cpu_window:g} s window)")
        try:
            r = _cpu_case(plan, tmux, box, who, n, moving)
        except Exception as error:  # report it and go on with the other cases
            log(f"  failed: {type(error).__name__}: {error}")
            continue
        results.append(r)
        log(f"  {fmt(r['cpu_pct'])} % CPU, RSS {fmt(r['rss_mb_end'])} MB")
    return results


# -- 6. curl | jq -----------------------------------------------------------------------------


def run_curljq(plan: Plan) -> list[dict[str, Any]]:
    if shutil.which("curl") is None or shutil.which("jq") is None:
        log("curl or jq is not installed: skipping the curl | jq baseline")
        return []
    results = []
    for n in plan.sizes:
        log(f"curl | jq at {n} rows")
        with World(n, 10) as world:
            result = curl_jq_cpu(world.base_url, ACCOUNTS, plan.curljq_refreshes)
        if result is not None:
            results.append({"rows": n, **result.__dict__})
    return results


# -- the report -------------------------------------------------------------------------------


def _code_version() -> str:
    """The cfdash code measured: the git commit, and whether cfdash/ had local changes.

    Read-only git (``--no-optional-locks``: not even the index is refreshed). The tree this
    benchmark runs from is the one measured (``cfdash`` resolves to it through the venv).
    """
    import cfdash

    root = Path(cfdash.__file__).resolve().parents[1]
    git = ["git", "--no-optional-locks", "-C", str(root)]
    try:
        commit = subprocess.run(
            [*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, timeout=10
        ).stdout.strip()
        dirty = subprocess.run(
            [*git, "status", "--porcelain", "--", "cfdash"], capture_output=True, text=True
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return f"{cfdash.__version__} at {root}"
    if not commit:
        return f"{cfdash.__version__} at {root} (not a git checkout)"
    return f"{cfdash.__version__} at {root}, commit {commit}" + (
        " + uncommitted changes in cfdash/" if dirty else ""
    )


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
        "cfdash": _code_version(),
        "cores": os.cpu_count(),
        "cpu": model,
        "python": platform.python_version(),
        "textual": textual.__version__,
        "tmux": (tmux_version or "not installed").strip(),
        "kernel": platform.release(),
    }


def table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [
        max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)
    ]
    lines = [
        "  ".join(
            h.rjust(w) if i else h.ljust(w)
            for i, (h, w) in enumerate(zip(headers, widths, strict=True))
        )
    ]
    lines.append("  ".join("-" * w for w in widths))
    for row in rows:
        lines.append(
            "  ".join(
                c.rjust(w) if i else c.ljust(w)
                for i, (c, w) in enumerate(zip(row, widths, strict=True))
            )
        )
    return "\n".join(lines)


def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("ok" if ok else "MISS")


def ratio(a: float | None, b: float | None) -> str:
    if a is None or not b:
        return "n/a"
    return f"{a / b:.3g}×"


def report(results: dict[str, Any], plan: Plan) -> str:
    m = results["machine"]
    out = [
        "",
        "cfdash performance" + (" (--quick)" if plan.quick else ""),
        f"code: cfdash {m['cfdash']}" + (f" ({results['label']})" if results.get("label") else ""),
        f"machine: {m['cores']} cores, {m['cpu']}, Linux {m['kernel']}, Python {m['python']},"
        f" Textual {m['textual']}, {m['tmux']}; {ACCOUNTS} accounts, terminal {SIZE[0]}x{SIZE[1]}",
        "",
    ]
    loads = results.get("load", {})
    if "before" in loads:
        out[-1:] = [
            "background load before the run (other processes on this shared machine): "
            f"{loads['before']['other_pct']:.0f} % of one core",
            "",
        ]

    def load_note(section: str) -> str:
        load = loads.get(section)
        if load is None:
            return ""
        return (
            f"   other processes used {load['other_pct']:.0f} % of one core during this section"
            " (wall-clock figures above are inflated when this is high)"
        )

    cpu_by = {(r["program"], r["rows"], r["moving_pct"]): r for r in results.get("cpu", [])}
    curl_by = {r["rows"]: r for r in results.get("curljq", [])}

    if "requests" in results:
        rows = []
        for r in results["requests"]:
            proj = " (projected)" if r["perjob_refresh_projected"] else ""
            rows.append(
                [
                    f"{r['rows']:,}",
                    fmt(r["cfdash_requests_per_refresh"], 2),
                    f"{r['perjob_requests_per_refresh']:,}",
                    ratio(r["cfdash_requests_per_refresh"], r["perjob_requests_per_refresh"]),
                    str(ACCOUNTS),
                    fmt(r["cfdash_refresh_ms"]),
                    fmt(r["perjob_refresh_s"], 2) + proj,
                    verdict(r["cfdash_requests_per_refresh"] == ACCOUNTS),
                ]
            )
        out += [
            "1. Requests per refresh (counted by the simulator)",
            table(
                [
                    "rows",
                    "cfdash",
                    "per-job (a)",
                    "cfdash/(a)",
                    "curl|jq (b)",
                    "cfdash refresh ms",
                    "per-job refresh s",
                    "target = accounts",
                ],
                rows,
            ),
            load_note("requests"),
            "",
        ]

    if "apply" in results:
        rows = []
        for r in results["apply"]:
            cases = [(f"{pct} %", r[f"table_{pct}"], r[f"full_{pct}"]) for pct in (0, *plan.pcts)]
            cases.append(("tick", r["tick"], None))
            for label, s, f in cases:
                target = ""
                if r["rows"] == 1000 and label == "10 %":
                    worst = s["apply_frame_p99_ms"]
                    target = verdict(worst is not None and worst <= 8)
                if label == "0 %":
                    target = verdict(s["frames_max"] == 0 and (s["apply_p99_ms"] or 0) < 0.5)
                rows.append(
                    [
                        f"{r['rows']:,}",
                        label,
                        fmt(s["changed_rows"], 0) if label != "tick" else "",
                        fmt(s["apply_frame_median_ms"], 2),
                        fmt(s["apply_frame_p99_ms"], 2),
                        fmt(s["apply_frame_cpu_median_ms"], 2),
                        fmt(s["apply_frame_cpu_p99_ms"], 2),
                        fmt(s["apply_cpu_median_ms"], 2),
                        fmt(s["frame_cpu_median_ms"], 2),
                        fmt(s["frames_per_refresh"], 0),
                        fmt(s["loop_cpu_median_ms"], 1),
                        fmt(f["loop_cpu_median_ms"], 1) if f else "",
                        fmt(f["frames_per_refresh"], 0) if f else "",
                        target,
                    ]
                )
        out += [
            f"2. One refresh applied to the table, headless {SIZE[0]}x{SIZE[1]}, "
            f"{plan.samples} samples per case (ms; p99 = nearest rank)",
            table(
                [
                    "rows",
                    "changed",
                    "keys",
                    "apply+frame",
                    "p99",
                    "CPU",
                    "p99",
                    "apply CPU",
                    "frame CPU",
                    "frames",
                    "loop CPU",
                    "full refresh CPU",
                    "frames",
                    "target",
                ],
                rows,
            ),
            "   apply+frame: wall time of table.apply() per account plus the frame that follows;"
            " CPU: the same in",
            "   thread CPU time; loop CPU: process CPU from apply until the loop is idle; full"
            " refresh: Engine.poll_all",
            "   (in-memory transport) to idle, frames counted. Medians unless p99. Target: p99 <= 8"
            " ms at 1,000 rows",
            "   / 10 % (judged on wall time); 0 %: no frame and no table work.",
            load_note("apply"),
            "",
        ]

    if "startup" in results:
        st = results["startup"]
        rows = [
            [
                f"{r['jobs']:,} jobs",
                fmt(r["median_ms"], 0),
                fmt(r["max_ms"], 0),
                f"{r['runs'] - r['failed']}/{r['runs']}",
                verdict(r["median_ms"] is not None and r["median_ms"] <= 500),
            ]
            for r in st["first_frame"]
        ]
        out += [
            "3. Startup: process start to first frame with rows (tmux, ms)",
            table(["case", "median", "max", "runs", "target <= 500"], rows),
        ]
        imports = st.get("imports", {})
        rows = [
            [
                "import cfdash.cli (-X importtime)",
                fmt(imports.get("import_cfdash_cli_ms"), 0),
                "yes" if imports.get("textual_imported") else "no",
                verdict(imports.get("textual_imported") is False),
            ]
        ]
        if "python_floor_ms" in st:
            rows.append(["python -c pass (the floor)", fmt(st["python_floor_ms"], 0), "no", ""])
        for h in st["headless"]:
            rows.append(
                [
                    h["command"],
                    fmt(h["wall_median_ms"], 0),
                    "n/a"
                    if h["textual_imported"] is None
                    else ("yes" if h["textual_imported"] else "no"),
                    verdict(None if h["textual_imported"] is None else not h["textual_imported"]),
                ]
            )
        out += [table(["headless", "ms (median)", "imports textual", "target: no"], rows), ""]

    if "keypress" in results:
        rows = [
            [
                f"{r['rows']:,}",
                fmt(r["confirm_to_wire_median_ms"]),
                fmt(r["confirm_to_wire_p99_ms"]),
                fmt(r["q_to_dialog_frame_median_ms"]),
                fmt(r["q_to_dialog_frame_p99_ms"]),
                verdict(
                    r["confirm_to_wire_median_ms"] is not None
                    and r["confirm_to_wire_median_ms"] <= 50
                )
                + (" (p99 over)" if (r["confirm_to_wire_p99_ms"] or 0) > 50 else ""),
            ]
            for r in results["keypress"]
        ]
        out += [
            "4. Keypress to queue request on the wire "
            "(Pilot, real HTTP, 1 s polling and tick on; ms)",
            table(
                ["rows", "confirm->wire med", "p99", "q->dialog frame med", "p99", "target <= 50"],
                rows,
            ),
            load_note("keypress"),
            "",
        ]

    if "cpu" in results:
        rows = []
        for r in results["cpu"]:
            growth = (
                None
                if r["rss_mb_mid"] is None or r["rss_mb_end"] is None
                else r["rss_mb_end"] - r["rss_mb_mid"]
            )
            target = ""
            if r["program"] == "cfdash" and r["rows"] == 1000 and r["cpu_pct"] is not None:
                target = verdict(r["cpu_pct"] <= 5 and (r["rss_mb_end"] or 0) <= 150)
            label = {
                "cfdash": "cfdash",
                "perjob": "(a) per-job+rebuild",
                "list": "(a') list+rebuild",
            }[r["program"]]
            baseline = cpu_by.get(("perjob", r["rows"], 10))
            vs = ""
            if r["program"] == "cfdash" and baseline is not None:
                vs = ratio(r["cpu_pct"], baseline["cpu_pct"])
            curl = curl_by.get(r["rows"])
            vs_curl = ""
            if r["program"] == "cfdash" and curl is not None and r["cpu_pct"] is not None:
                vs_curl = ratio(r["cpu_pct"] * 10, curl["cpu_ms"])  # % of 1 s = ms / 10
            note = ""
            if r["program"] != "cfdash":
                done = r["baseline_refreshes_finished"]
                note = f"{done} refreshes in window" + (
                    f", {r['baseline_refresh_s']:.2f} s each" if r["baseline_refresh_s"] else ""
                )
            elif not r["screen_has_rows"]:
                note = "no rows on screen at the end?"
            if not r["alive_at_end"]:
                note += " EXITED during the window"
            rows.append(
                [
                    label,
                    f"{r['rows']:,}",
                    f"{r['moving_pct']:g} %",
                    fmt(r["cpu_pct"]),
                    fmt(r["rss_mb_end"]),
                    fmt(growth, 1),
                    fmt(r["status_requests_per_s"], 2),
                    fmt(r["sim_cpu_pct"]),
                    fmt(r["tmux_cpu_pct"]),
                    fmt(r["other_load_pct"], 0),
                    vs,
                    vs_curl,
                    target,
                    note,
                ]
            )
        out += [
            f"5. CPU % of one core in tmux {SIZE[0]}x{SIZE[1]}, 1 s refresh, "
            f"{plan.cpu_window:g} s window after {plan.cpu_warmup:g} s warm-up",
            table(
                [
                    "program",
                    "rows",
                    "changing",
                    "CPU %",
                    "RSS MB",
                    "RSS +MB 2nd half",
                    "req/s",
                    "sim CPU %",
                    "tmux CPU %",
                    "other %",
                    "vs (a)",
                    "vs (b)",
                    "target",
                    "note",
                ],
                rows,
            ),
            "   target (1,000 rows): CPU <= 5 %, RSS <= 150 MB. vs (a): CPU % against the per-job"
            " baseline at the same",
            "   rows; vs (b): CPU ms per 1 s refresh against curl | jq. other %: the rest of the"
            " machine during the window.",
            "",
        ]

    if "soak" in results:
        r = results["soak"]
        enough = r["refreshes"] >= 10_000
        growth = r["growth_mb"]
        target = verdict(growth is not None and growth <= 5) if enough else "n/a (< 10,000)"
        out += [
            f"7. RSS over {r['refreshes']:,} refreshes, headless, {r['rows']:,} rows, 10 %"
            " changing, a tick per refresh (this process)",
            table(
                ["after warm-up", "end", "end after gc", "growth MB", "minutes", "target <= 5 MB"],
                [
                    [
                        f"{fmt(r['rss_mb_after_warmup'])} MB ({r['warmup_refreshes']})",
                        fmt(r["rss_mb_end"]),
                        fmt(r["rss_mb_end_after_gc"]),
                        fmt(growth),
                        fmt(r["elapsed_s"] / 60),
                        target,
                    ]
                ],
            ),
            "",
        ]

    if "curljq" in results:
        if results["curljq"]:
            rows = [
                [
                    f"{r['rows']:,}",
                    fmt(r["cpu_ms"]),
                    fmt(r["wall_ms"]),
                    str(r["requests_per_refresh"]),
                    f"{r['output_bytes']:,}",
                ]
                for r in results["curljq"]
            ]
            out += [
                "6. (b) watch-style curl | jq over the status lists (per refresh)",
                table(["rows", "CPU ms", "wall ms", "requests", "output bytes"], rows),
                load_note("curljq"),
                "",
            ]
        else:
            out += ["6. (b) curl | jq: skipped (curl or jq not installed)", ""]
    return "\n".join(out)


# -- main -------------------------------------------------------------------------------------


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="cfdash performance benchmark")
    parser.add_argument("--quick", action="store_true", help="100 and 1,000 rows, ~2 minutes")
    parser.add_argument("--json", metavar="PATH", help="also save the figures as JSON")
    parser.add_argument(
        "--only", metavar="SECTIONS", help=f"comma-separated subset of {','.join(SECTIONS)}"
    )
    parser.add_argument(
        "--label", metavar="TEXT", help="what is being measured, printed in the header"
    )
    parser.add_argument(
        "--soak",
        type=int,
        metavar="REFRESHES",
        default=0,
        help="also run REFRESHES headless refreshes at 1,000 rows and report RSS growth"
        " (10,000: about 20 minutes)",
    )
    args = parser.parse_args(argv)
    only = set(args.only.split(",")) if args.only else set(SECTIONS)
    if only - {*SECTIONS, "soak"}:
        parser.error(f"unknown sections: {', '.join(sorted(only - set(SECTIONS)))}")
    if "soak" in only and not args.soak:
        args.soak = 10_000
    if args.soak:
        only.add("soak")
    plan = Plan.make(args.quick)
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, _interrupt)  # also when started in the background
    results: dict[str, Any] = {"machine": machine(), "quick": plan.quick, "label": args.label}
    needs_tmux = only & {"startup", "cpu"}
    if needs_tmux and shutil.which("tmux") is None:
        log("tmux is not installed: skipping the startup and CPU sections")
        only -= {"startup", "cpu"}
    started = time.monotonic()
    tmux = Tmux()
    with tempfile.TemporaryDirectory(prefix="cfdash-bench-") as tmp:
        box = Sandbox(Path(tmp))
        runners: dict[str, Callable[[], Any]] = {
            "requests": lambda: run_requests(plan),
            "apply": lambda: run_apply(plan),
            "startup": lambda: run_startup(plan, tmux, box),
            "keypress": lambda: run_keypress(plan, box),
            "cpu": lambda: run_cpu(plan, tmux, box),
            "curljq": lambda: run_curljq(plan),
            "soak": lambda: run_soak(args.soak),
        }
        try:
            log("measuring the machine's background load for 3 s")
            idle = Load()
            time.sleep(3)
            results["load"] = {"before": idle.stop()}
            for name in (*SECTIONS, "soak"):
                if name not in only:
                    continue
                load = Load()
                try:
                    results[name] = runners[name]()
                except Exception as error:  # one broken section must not lose the others
                    log(f"section {name} failed: {type(error).__name__}: {error}")
                    results.setdefault("errors", {})[name] = f"{type(error).__name__}: {error}"
                    continue
                results["load"][name] = load.stop()
        except KeyboardInterrupt:
            log("interrupted: cleaning up and printing what was measured")
        finally:
            tmux.close()
    results["elapsed_s"] = time.monotonic() - started
    print(report(results, plan))
    for name, error in results.get("errors", {}).items():
        print(f"section {name} FAILED: {error}")
    print(f"(benchmark took {results['elapsed_s']:.0f} s)")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, default=str) + "\n")
        print(f"figures saved to {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
