"""One refresh applied to the table, headless: what a poll costs the UI, frame included.

``run_test(size=(160, 45))``, the app built with ``poll=False, tick=False`` over an in-memory
transport (:class:`bench.memworld.MemoryWorld`). X % of the jobs get a new ``jobprogress``,
``Tracker.merge`` yields the changed keys, ``app.main.table.apply(...)`` is called once per
account, then ``pilot.pause()`` lets the frame happen. Reported: wall time (``perf_counter``)
and thread CPU time of ``apply`` plus the frame, median, p95, p99 (nearest rank) and max;
frames counted and timed by :class:`bench.textual_hooks.FrameMeter`. Also: the 1 s ``tick()``
alone, and the whole refresh (``Engine.poll_all()`` to idle: client, JSON, models, merge,
messages, table, frame).

The garbage collector runs as it does under the ``cfdash`` command: paused while the app is
built, then start-up's objects frozen and the youngest generation collected every 30,000
allocations rather than 700 (:mod:`cfdash.startup`; the app itself resumes collection after
its first refresh, as in the CLI). The process's own collector settings are put back after.
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bench.memworld import MemoryWorld
from bench.plan import SIZE, Plan
from bench.sections import Context, load_note
from bench.stats import fmt, log, median, p95, p99, table, verdict
from bench.textual_hooks import FrameMeter
from cfdash import startup

TITLE = "One refresh applied to the table, headless (ms; p95/p99 = nearest rank)"


@dataclass
class Summary:
    """One case's figures over its samples (ms unless said otherwise)."""

    samples: int
    changed_rows: float | None
    apply_frame_median_ms: float | None
    apply_frame_p95_ms: float | None
    apply_frame_p99_ms: float | None
    apply_frame_max_ms: float | None
    apply_frame_cpu_median_ms: float | None
    apply_frame_cpu_p95_ms: float | None
    apply_frame_cpu_p99_ms: float | None
    apply_median_ms: float | None
    apply_p99_ms: float | None
    apply_cpu_median_ms: float | None
    frame_median_ms: float | None
    frame_cpu_median_ms: float | None
    loop_cpu_median_ms: float | None
    loop_cpu_p99_ms: float | None
    frames_per_refresh: float | None
    frames_max: int | None


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

    def summary(self) -> Summary:
        return Summary(
            samples=len(self.frames),
            changed_rows=median([float(c) for c in self.changed]),
            apply_frame_median_ms=median(self.total_ms),
            apply_frame_p95_ms=p95(self.total_ms),
            apply_frame_p99_ms=p99(self.total_ms),
            apply_frame_max_ms=max(self.total_ms) if self.total_ms else None,
            apply_frame_cpu_median_ms=median(self.total_cpu_ms),
            apply_frame_cpu_p95_ms=p95(self.total_cpu_ms),
            apply_frame_cpu_p99_ms=p99(self.total_cpu_ms),
            apply_median_ms=median(self.apply_ms),
            apply_p99_ms=p99(self.apply_ms),
            apply_cpu_median_ms=median(self.apply_cpu_ms),
            frame_median_ms=median(self.frame_ms),
            frame_cpu_median_ms=median(self.frame_cpu_ms),
            loop_cpu_median_ms=median(self.loop_cpu_ms),
            loop_cpu_p99_ms=p99(self.loop_cpu_ms),
            frames_per_refresh=median([float(f) for f in self.frames]),
            frames_max=max(self.frames) if self.frames else None,
        )


@dataclass
class ApplyFigures:
    rows: int
    #: The first poll, which adds every row: CPU ms, frames, rows tracked.
    load: dict[str, float]
    #: By % changed ("0", "1", "10", "100"): the table calls and the frame.
    table: dict[str, Summary]
    #: The 1 s tick alone.
    tick: Summary
    #: By % changed: Engine.poll_all() to idle.
    full: dict[str, Summary]


def samples_for(plan: Plan, n: int, pct: int) -> int:
    """The cases with a target (1,000 rows, 10 % and 100 %) get ``plan.target_samples``."""
    if n == 1000 and pct in (10, 100):
        return max(plan.samples, plan.target_samples)
    return plan.samples


async def _measure(n: int, plan: Plan) -> ApplyFigures:
    world = MemoryWorld(n)
    clock, members, by_id = world.clock, world.members, world.by_id
    app = world.app()
    table_cases: dict[str, Summary] = {}
    full_cases: dict[str, Summary] = {}

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
            load = {
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
                for _ in range(samples_for(plan, n, pct)):
                    clock.advance(1)
                    chosen = world.mutate(pct)
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
                table_cases[str(pct)] = summary = record.summary()
                log(
                    f"  apply {n} rows {pct:>3} %: p95 {fmt(summary.apply_frame_p95_ms, 2)} ms,"
                    f" max {fmt(summary.apply_frame_max_ms, 2)} ms (apply + frame)"
                )
            world.serialize()  # the served lists now match what the tracker holds

            # The 1 s tick alone (countdowns and ages).
            record = Samples()
            for _ in range(plan.samples):
                clock.advance(1)

                def tick() -> int:
                    table.tick()
                    return 0

                await sample(record, tick)
            tick_case = record.summary()

            # The whole refresh: poll both accounts (HTTP client over an in-memory transport,
            # JSON, models, merge) → Polled messages → table → frame. CPU of the loop until idle.
            for pct in (0, *plan.pcts):
                record = Samples()
                for _ in range(plan.samples):
                    clock.advance(1)
                    world.mutate(pct)
                    world.serialize()
                    cpu0, frames0 = time.process_time(), meter.frames
                    events = await app.engine.poll_all()
                    await pilot.pause()
                    record.loop_cpu_ms.append((time.process_time() - cpu0) * 1000)
                    record.frames.append(meter.frames - frames0)
                    record.changed.append(sum(len(e.changes.changed) for e in events))
                full_cases[str(pct)] = record.summary()
    return ApplyFigures(n, load, table_cases, tick_case, full_cases)


def run(ctx: Context) -> list[ApplyFigures]:
    results = []
    for n in ctx.plan.sizes:
        log(f"apply one refresh at {n} rows ({ctx.plan.samples}+ samples per case)")
        results.append(_as_the_cli_collects(lambda n=n: asyncio.run(_measure(n, ctx.plan))))
    return results


def _as_the_cli_collects(measure: Callable[[], ApplyFigures]) -> ApplyFigures:
    """``measure()`` under the collector settings ``cfdash`` runs with (module docstring)."""
    threshold = gc.get_threshold()
    startup.pause()  # the app resumes it once its first refresh is on screen
    try:
        return measure()
    finally:
        startup.resume()  # a no-op if the app did
        gc.unfreeze()
        gc.set_threshold(*threshold)


def render(data: list[dict[str, Any]], results: dict[str, Any]) -> list[str]:
    rows = []
    for r in data:
        cases = [(f"{pct} %", s, r["full"].get(pct)) for pct, s in r["table"].items()]
        cases.append(("tick", r["tick"], None))
        for label, s, f in cases:
            target = ""
            if r["rows"] == 1000 and label == "10 %":
                target = verdict((s["apply_frame_p99_ms"] or 99) <= 8)
            if r["rows"] == 1000 and label == "100 %":
                p95_ok = (s["apply_frame_p95_ms"] or 99) <= 8
                target = verdict(p95_ok and (s["apply_frame_max_ms"] or 99) < 25)
            if label == "0 %":  # no frame ever, and (but for a load spike) no table work
                target = verdict(s["frames_max"] == 0 and (s["apply_median_ms"] or 0) < 0.5)
            rows.append(
                [
                    f"{r['rows']:,}",
                    label,
                    fmt(s["changed_rows"], 0) if label != "tick" else "",
                    str(s["samples"]),
                    fmt(s["apply_frame_median_ms"], 2),
                    fmt(s["apply_frame_p95_ms"], 2),
                    fmt(s["apply_frame_p99_ms"], 2),
                    fmt(s["apply_frame_max_ms"], 2),
                    fmt(s["apply_frame_cpu_median_ms"], 2),
                    fmt(s["apply_frame_cpu_p99_ms"], 2),
                    fmt(s["frames_per_refresh"], 0),
                    fmt(s["loop_cpu_median_ms"], 1),
                    fmt(f["loop_cpu_median_ms"], 1) if f else "",
                    fmt(f["frames_per_refresh"], 0) if f else "",
                    target,
                ]
            )
    headers = ["rows", "changed", "keys", "n", "apply+frame", "p95", "p99", "max", "CPU", "p99"]
    headers += ["frames", "loop CPU", "full refresh CPU", "frames", "target"]
    return [
        table(headers, rows),
        "   apply+frame: wall time of table.apply() per account plus the frame that follows;"
        " CPU: the same in",
        "   thread CPU time; loop CPU: process CPU from apply until the loop is idle; full"
        " refresh: Engine.poll_all",
        "   (in-memory transport) to idle. Medians unless said. Targets at 1,000 rows: 10 %"
        " p99 <= 8 ms;",
        "   100 % p95 <= 8 ms and max < 25 ms (wall time); 0 %: no frame and no table work.",
        load_note(results, "apply"),
    ]
