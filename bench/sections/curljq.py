"""(b) A ``watch``-style ``curl | jq`` loop over the status lists: CPU ms per refresh.

``sh -c "curl … | jq -r …; curl … | jq -r …"`` (one per account) run back to back against a
world process; CPU is ``getrusage(RUSAGE_CHILDREN)`` per refresh (``bench/baselines.py``).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from typing import Any

from bench.baselines import curl_jq_cpu
from bench.plan import ACCOUNTS
from bench.procs import WorldProcess
from bench.sections import Context, load_note
from bench.stats import fmt, log, table

TITLE = "(b) watch-style curl | jq over the status lists (per refresh)"


@dataclass
class CurlJqFigures:
    rows: int
    world: str  # "still" (10 % moving) or "rollout"
    cpu_ms: float
    wall_ms: float
    refreshes: int
    requests_per_refresh: int
    output_bytes: int


def available() -> bool:
    return shutil.which("curl") is not None and shutil.which("jq") is not None


def measure(n: int, refreshes: int, *, rollout: bool = False) -> CurlJqFigures | None:
    """The loop against a fresh world of ``n`` jobs; None if ``curl`` or ``jq`` is missing."""
    with WorldProcess(n, 10, rollout=rollout) as world:
        result = curl_jq_cpu(world.base_url, ACCOUNTS, refreshes)
    if result is None:
        return None
    return CurlJqFigures(n, "rollout" if rollout else "still", **result.__dict__)


def run(ctx: Context) -> list[CurlJqFigures]:
    if not available():
        log("curl or jq is not installed: skipping the curl | jq baseline")
        return []
    results = []
    for n in ctx.plan.sizes:
        log(f"curl | jq at {n} rows")
        result = measure(n, ctx.plan.curljq_refreshes)
        if result is not None:
            results.append(result)
    return results


def render(data: list[dict[str, Any]], results: dict[str, Any]) -> list[str]:
    if not data:
        return ["   skipped (curl or jq not installed)"]
    rows = [
        [
            f"{r['rows']:,}",
            r.get("world", "still"),
            fmt(r["cpu_ms"]),
            fmt(r["wall_ms"]),
            str(r["requests_per_refresh"]),
            f"{r['output_bytes']:,}",
        ]
        for r in data
    ]
    headers = ["rows", "world", "CPU ms", "wall ms", "requests", "output bytes"]
    return [table(headers, rows), load_note(results, "curljq")]
