"""Start-up: process start to the first frame showing a job, and the headless commands.

In tmux at 160×45 (7 and 1,000 jobs): the tmux command stamps ``date +%s.%N`` and execs
``cfdash``; the pane is captured every 20 ms until the first job id appears. Headless commands
are timed as subprocesses and run once more under a wrapper that reports whether any
``textual`` module was imported.
"""

from __future__ import annotations

import re
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.procs import CFDASH, PYTHON, Tmux, WorldProcess
from bench.sandbox import Sandbox
from bench.sections import Context
from bench.stats import fmt, log, median, table, verdict
from bench.world import FIRST_ID

TITLE = "Startup: process start to first frame with rows (tmux, ms)"

_CHECK_IMPORTS = """
import sys
from cfdash.cli import main
try:
    code = main(sys.argv[1:])
except SystemExit as exit_:
    code = exit_.code
sys.stderr.write("\\nBENCH-TEXTUAL=%d\\n" % any(m.split(".")[0] == "textual" for m in sys.modules))
"""


@dataclass
class FirstFrame:
    jobs: int
    median_ms: float | None
    max_ms: float | None
    runs: int
    failed: int


@dataclass
class Headless:
    command: str
    wall_median_ms: float | None
    textual_imported: bool | None


@dataclass
class StartupFigures:
    first_frame: list[FirstFrame] = field(default_factory=list)
    headless: list[Headless] = field(default_factory=list)
    #: ``python -X importtime -c "import cfdash.cli"``: ms, and whether Textual came along.
    imports: dict[str, Any] = field(default_factory=dict)
    #: This Python starting and doing nothing (the floor under every command).
    python_floor_ms: float | None = None


def _once(tmux: Tmux, box: Sandbox, config: Path, name: str) -> float | None:
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


def _headless(box: Sandbox, argv: list[str], runs: int) -> Headless:
    walls = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([*CFDASH, *argv], env=box.env, capture_output=True, timeout=60)
        walls.append((time.perf_counter() - started) * 1000)
    check = subprocess.run(
        [PYTHON, "-c", _CHECK_IMPORTS, *argv], env=box.env, capture_output=True, text=True
    )
    found = re.search(r"BENCH-TEXTUAL=(\d)", check.stderr)
    return Headless(
        command="cfdash " + " ".join(a if "/" not in a else Path(a).name for a in argv),
        wall_median_ms=median(walls),
        textual_imported=None if found is None else found.group(1) == "1",
    )


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


def run(ctx: Context) -> StartupFigures:
    plan, tmux, box = ctx.plan, ctx.tmux, ctx.box
    out = StartupFigures()
    for n in (7, 1000):
        log(f"startup to first frame with rows at {n} jobs ({plan.startup_runs} runs)")
        with WorldProcess(n, 10) as world:
            config = box.config(world.base_url)
            times = [_once(tmux, box, config, f"startup-{n}-{i}") for i in range(plan.startup_runs)]
            got = [t * 1000 for t in times if t is not None]
            out.first_frame.append(
                FirstFrame(
                    n, median(got), max(got) if got else None, len(times), len(times) - len(got)
                )
            )
            if n != 1000:
                continue
            log("headless commands: start time and Textual imports")
            out.imports = _import_time(box)
            runs = 3 if plan.quick else 5
            walls = []
            for _ in range(runs):  # the floor: this Python starting and doing nothing
                began = time.perf_counter()
                subprocess.run([PYTHON, "-c", "pass"], env=box.env, timeout=60)
                walls.append((time.perf_counter() - began) * 1000)
            out.python_floor_ms = median(walls)
            for argv in (
                ["--version"],
                ["config", "check", "--config", str(config)],
                ["status", "--config", str(config)],
            ):
                out.headless.append(_headless(box, argv, runs))
    return out


def render(data: dict[str, Any], results: dict[str, Any]) -> list[str]:
    rows = [
        [
            f"{r['jobs']:,} jobs",
            fmt(r["median_ms"], 0),
            fmt(r["max_ms"], 0),
            f"{r['runs'] - r['failed']}/{r['runs']}",
            verdict(r["median_ms"] is not None and r["median_ms"] <= 500),
        ]
        for r in data["first_frame"]
    ]
    out = [table(["case", "median", "max", "runs", "target <= 500"], rows)]
    imports = data.get("imports", {})
    rows = [
        [
            "import cfdash.cli (-X importtime)",
            fmt(imports.get("import_cfdash_cli_ms"), 0),
            "yes" if imports.get("textual_imported") else "no",
            verdict(imports.get("textual_imported") is False),
        ]
    ]
    if data.get("python_floor_ms") is not None:
        rows.append(["python -c pass (the floor)", fmt(data["python_floor_ms"], 0), "no", ""])
    for h in data["headless"]:
        imported = h["textual_imported"]
        rows.append(
            [
                h["command"],
                fmt(h["wall_median_ms"], 0),
                "n/a" if imported is None else ("yes" if imported else "no"),
                verdict(None if imported is None else not imported),
            ]
        )
    out.append(table(["headless", "ms (median)", "imports textual", "target: no"], rows))
    return out
