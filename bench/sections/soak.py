"""(opt-in) RSS over many refreshes, headless: does memory stay flat?

``--only soak --soak N``: N full refreshes (10 % changed) at 1,000 rows, each with a tick, in
this process over the in-memory transport; RSS sampled as it goes. About 20 minutes for
10,000. ``bench/soak.py`` is a different thing: the engine against random faults.
"""

from __future__ import annotations

import asyncio
import gc
import os
import time
from dataclasses import dataclass
from typing import Any

from bench.memworld import MemoryWorld
from bench.plan import SIZE
from bench.procs import rss_mb
from bench.sections import Context
from bench.stats import fmt, log, table, verdict

TITLE = "RSS over many refreshes, headless, 10 % changing, a tick per refresh (this process)"


@dataclass
class SoakFigures:
    rows: int
    refreshes: int
    warmup_refreshes: int
    rss_mb_after_warmup: float | None
    rss_mb_end: float | None
    rss_mb_end_after_gc: float | None
    growth_mb: float | None
    trace: list[tuple[int, float | None]]
    elapsed_s: float


async def _measure(n: int, refreshes: int) -> SoakFigures:
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
    return SoakFigures(
        rows=n,
        refreshes=refreshes,
        warmup_refreshes=warmup,
        rss_mb_after_warmup=start,
        rss_mb_end=end,
        rss_mb_end_after_gc=after_gc,
        growth_mb=None if start is None or end is None else end - start,
        trace=trace,
        elapsed_s=time.monotonic() - started,
    )


def run(ctx: Context) -> SoakFigures:
    refreshes = ctx.soak_refreshes
    log(f"soak: {refreshes:,} refreshes at 1,000 rows, headless (RSS of this process)")
    return asyncio.run(_measure(1000, refreshes))


def render(r: dict[str, Any], results: dict[str, Any]) -> list[str]:
    enough = r["refreshes"] >= 10_000
    growth = r["growth_mb"]
    target = verdict(growth is not None and growth <= 5) if enough else "n/a (< 10,000)"
    headers = ["refreshes", "after warm-up", "end", "end after gc", "growth MB", "minutes"]
    row = [
        f"{r['refreshes']:,}",
        f"{fmt(r['rss_mb_after_warmup'])} MB ({r['warmup_refreshes']})",
        fmt(r["rss_mb_end"]),
        fmt(r["rss_mb_end_after_gc"]),
        fmt(growth),
        fmt(r["elapsed_s"] / 60),
        target,
    ]
    return [table([*headers, "target <= 5 MB"], [row])]
