"""The rollout world in a real terminal, beside the still life and ``curl | jq`` of the same run.

For each size (1,000 and 10,000 jobs; ``--quick``: 1,000), 2 accounts, 1 s refresh, 160×45:
cfdash under ``bench/probe.py`` in tmux against ``bench/world.py --rollout``
(:mod:`bench.rollout_world`), then against the still-life world (10 % moving), each with the
``curl | jq`` loop against a fresh world of the same kind. Per case: CPU (% of a core and CPU
ms per refresh), RSS, frames per second, the most toasts on screen at once (and how many were
shown in the window), and what the world did meanwhile (rows that left, failed, appeared; the
share of Running rows that moved between two lists). The ratio is cfdash's CPU ms per refresh
over the loop's. The headless "apply one refresh at 1,000 rows, 100 % changed" figure comes
from the ``apply`` section of the same run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bench.sections import Context, curljq, load_note
from bench.sections.curljq import CurlJqFigures
from bench.stats import fmt, log, table, verdict
from bench.terminal import TerminalFigures, measure

TITLE = "Rollout world in tmux (1 s refresh), against the still life and curl | jq of this run"

#: The rollout issue's targets: CPU per refresh against curl | jq, RSS MB, toasts at once.
TARGETS = {1000: (0.5, 150.0, 3), 10000: (0.75, 200.0, 3)}
#: Key to visible change at 10,000 jobs, median ms.
KEY_TARGET_MS = 100.0
#: Cursor keys timed in each rollout case, after its CPU window.
KEYS = 15


@dataclass
class WorldCase:
    """cfdash and the curl | jq loop in one world at one size."""

    world: str  # "rollout" or "still"
    rows: int
    cfdash: TerminalFigures | None
    curljq: CurlJqFigures | None
    #: cfdash's CPU ms per refresh / the loop's.
    vs_curljq: float | None


def _case(ctx: Context, world: str, n: int) -> WorldCase:
    plan = ctx.plan
    rollout = world == "rollout"
    loop = None
    if curljq.available():
        log(f"  curl | jq, {world} world, {n:,} jobs")
        loop = curljq.measure(n, plan.curljq_refreshes, rollout=rollout)
    log(f"  cfdash in tmux, {world} world, {n:,} jobs ({plan.rollout_window:g} s window)")
    figures = None
    try:
        figures = measure(
            ctx,
            "cfdash",
            n,
            world=world,
            moving=10.0,
            warmup=plan.rollout_warmup,
            window=plan.rollout_window,
            probe=True,
            keys=KEYS if rollout else 0,
        )
    except Exception as error:  # report it and go on with the other cases
        log(f"  failed: {type(error).__name__}: {error}")
    vs = None
    if figures is not None and figures.cpu_ms_per_refresh is not None and loop is not None:
        vs = figures.cpu_ms_per_refresh / loop.cpu_ms
    if figures is not None:
        log(
            f"  {fmt(figures.cpu_pct)} % CPU, {fmt(figures.cpu_ms_per_refresh, 0)} ms/refresh"
            f" ({fmt(vs, 2)}× curl | jq), RSS {fmt(figures.rss_mb_end)} MB,"
            f" {fmt(figures.fps)} fps, at most {figures.toasts_max} toasts,"
            f" key to screen {fmt(figures.key_ms_median, 0)} ms median"
        )
    return WorldCase(world, n, figures, loop, vs)


def run(ctx: Context) -> list[WorldCase]:
    cases = []
    for n in ctx.plan.rollout_sizes:
        log(f"rollout section at {n:,} jobs")
        cases.append(_case(ctx, "rollout", n))
        cases.append(_case(ctx, "still", n))
    return cases


def _target(case: dict[str, Any]) -> str:
    cf = case["cfdash"]
    if case["world"] != "rollout" or cf is None or case["rows"] not in TARGETS:
        return ""
    most, rss, toasts = TARGETS[case["rows"]]
    checks = [
        case["vs_curljq"] is not None and case["vs_curljq"] <= most,
        (cf["rss_mb_end"] or 1e9) <= rss,
    ]
    if case["rows"] == 1000:
        checks.append(cf["toasts_max"] is not None and cf["toasts_max"] <= toasts)
    if case["rows"] == 10000:
        key = cf.get("key_ms_median")
        checks.append(key is not None and key <= KEY_TARGET_MS)
    return verdict(all(checks))


def render(data: list[dict[str, Any]], results: dict[str, Any]) -> list[str]:
    rows = []
    for case in data:
        cf = case["cfdash"] or {}
        loop = case["curljq"] or {}
        churn = cf.get("churn") or {}
        label = "rollout" if case["world"] == "rollout" else "still life (10 %)"
        rows.append(
            [
                label,
                f"{case['rows']:,}",
                fmt(cf.get("cpu_pct")),
                fmt(cf.get("cpu_ms_per_refresh"), 0),
                fmt(cf["refreshes"] / cf["window_s"], 2) if cf.get("refreshes") else "n/a",
                fmt(loop.get("cpu_ms"), 0),
                fmt(case["vs_curljq"], 2),
                fmt(cf.get("rss_mb_end"), 0),
                fmt(cf.get("fps")),
                fmt(cf.get("key_ms_median"), 0),
                "n/a" if cf.get("toasts_max") is None else str(cf["toasts_max"]),
                "n/a" if cf.get("toasts_piled_max") is None else str(cf["toasts_piled_max"]),
                "n/a" if cf.get("toasts_shown") is None else str(cf["toasts_shown"]),
                fmt(churn.get("left_per_10s"), 0),
                fmt(churn.get("failed_per_10s"), 0),
                fmt(churn.get("new_per_10s"), 0),
                fmt(churn.get("moved_pct"), 0),
                "n/a" if cf.get("tracked_end") is None else f"{cf['tracked_end']:,}",
                fmt(cf.get("other_load_pct"), 0),
                _target(case),
            ]
        )
    headers = ["world", "jobs", "CPU %", "ms/refresh", "refresh/s", "curl|jq ms", "ratio"]
    headers += ["RSS MB", "fps", "key ms"]
    headers += ["toasts max", "piled", "toasts shown", "left/10s", "failed/10s", "new/10s"]
    headers += ["moved %", "rows at end", "other %", "target"]
    out = [table(headers, rows)]
    out += [
        "   refresh/s: status lists cfdash fetched per account per second (1 s refresh: at most"
        " ~1, fewer when busy).",
        "   ratio: cfdash CPU ms per refresh / curl | jq CPU ms per refresh, same world and size.",
        f"   key ms: median of {KEYS} cursor keys (Down/Up through tmux, at random moments after"
        " the CPU window) to the frame showing the cursor moved.",
        "   toasts max: the most Toast widgets in view in any frame of the window; piled: the most"
        " in the toast rack,",
        "   in view or not; shown: toasts (and summaries shown in place) during the window."
        " left/failed/new: from the"
        " world's status",
        "   lists at the window's ends; moved: Running rows whose progress and updated time both"
        " changed between",
        "   two lists ~1.2 s apart. Targets (rollout): ratio <= 0.5 (1,000) / 0.75 (10,000),"
        " RSS <= 150 / 200 MB,",
        "   at most 3 toasts on screen (1,000), key ms <= 100 (10,000).",
    ]
    for r in results.get("apply", []):
        s = r["table"].get("100") if r["rows"] == 1000 else None
        if s:
            ok = (s["apply_frame_p95_ms"] or 99) <= 8 and (s["apply_frame_max_ms"] or 99) < 25
            out.append(
                f"   apply one refresh at 1,000 rows, 100 % changed ({s['samples']} samples):"
                f" p95 {fmt(s['apply_frame_p95_ms'], 1)} ms, max {fmt(s['apply_frame_max_ms'], 1)}"
                f" ms (targets p95 <= 8, max < 25: {verdict(ok)})"
            )
    out.append(load_note(results, "rollout"))
    return out
