"""CPU % of one core and RSS of the real app in tmux, against the still-life world.

``cfdash`` (the installed command, no probe) at 1 s refresh against ``bench/world.py`` in its
own process, where exactly X % of the jobs change per second; the same for the baselines'
clear-and-rebuild ``DataTable`` apps (``bench/baselines.py``). See :mod:`bench.terminal`.
"""

from __future__ import annotations

from typing import Any

from bench.plan import SIZE
from bench.sections import Context
from bench.stats import fmt, log, ratio, table, verdict
from bench.terminal import TerminalFigures, measure

TITLE = "CPU % of one core in tmux, 1 s refresh, still-life world"

_LABELS = {"cfdash": "cfdash", "perjob": "(a) per-job+rebuild", "list": "(a') list+rebuild"}


def run(ctx: Context) -> list[TerminalFigures]:
    plan = ctx.plan
    cases = [("cfdash", n, pct) for n, pct in plan.cpu_cases]
    cases += [("perjob", n, 10) for n in plan.sizes]
    cases += [("list", n, 10) for n in plan.list_baseline_sizes]
    results = []
    for who, n, moving in cases:
        log(f"CPU in tmux: {who} at {n} rows, {moving} % moving ({plan.cpu_window:g} s window)")
        try:
            r = measure(ctx, who, n, moving=moving, warmup=plan.cpu_warmup, window=plan.cpu_window)
        except Exception as error:  # report it and go on with the other cases
            log(f"  failed: {type(error).__name__}: {error}")
            continue
        results.append(r)
        log(f"  {fmt(r.cpu_pct)} % CPU, RSS {fmt(r.rss_mb_end)} MB")
    return results


def render(data: list[dict[str, Any]], results: dict[str, Any]) -> list[str]:
    plan = results.get("plan", {})
    by = {(r["program"], r["rows"], r["moving_pct"]): r for r in data}
    curl_by = {
        r["rows"]: r for r in results.get("curljq", []) if r.get("world", "still") == "still"
    }
    rows = []
    for r in data:
        growth = None
        if r["rss_mb_mid"] is not None and r["rss_mb_end"] is not None:
            growth = r["rss_mb_end"] - r["rss_mb_mid"]
        cfdash = r["program"] == "cfdash"
        target = ""
        if cfdash and r["rows"] == 1000 and r["cpu_pct"] is not None:
            target = verdict(r["cpu_pct"] <= 5 and (r["rss_mb_end"] or 0) <= 150)
        baseline = by.get(("perjob", r["rows"], 10))
        vs = ratio(r["cpu_pct"], baseline["cpu_pct"]) if cfdash and baseline else ""
        curl = curl_by.get(r["rows"])
        vs_curl = ratio(r["cpu_ms_per_refresh"], curl["cpu_ms"]) if cfdash and curl else ""
        note = ""
        if not cfdash:
            note = f"{r['baseline_refreshes_finished']} refreshes in window"
            if r["baseline_refresh_s"]:
                note += f", {r['baseline_refresh_s']:.2f} s each"
        elif not r["screen_has_rows"]:
            note = "no rows on screen at the end?"
        if not r["alive_at_end"]:
            note += " EXITED during the window"
        rows.append(
            [
                _LABELS[r["program"]],
                f"{r['rows']:,}",
                f"{r['moving_pct']:g} %",
                fmt(r["cpu_pct"]),
                fmt(r["cpu_ms_per_refresh"], 0),
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
    headers = ["program", "rows", "changing", "CPU %", "CPU ms/refresh", "RSS MB"]
    headers += ["RSS +MB 2nd half", "req/s", "sim CPU %", "tmux CPU %", "other %"]
    headers += ["vs (a)", "vs (b)", "target", "note"]
    return [
        f"   {SIZE[0]}x{SIZE[1]}, {plan.get('cpu_window', 0):g} s window after"
        f" {plan.get('cpu_warmup', 0):g} s warm-up",
        table(headers, rows),
        "   target (1,000 rows): CPU <= 5 %, RSS <= 150 MB. vs (a): CPU % against the per-job"
        " baseline at the same",
        "   rows; vs (b): CPU ms per refresh against curl | jq. other %: the rest of the"
        " machine during the window.",
    ]
