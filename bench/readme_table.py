"""The README's performance table, in Markdown, generated from a run's JSON.

    python bench/perf.py --report bench/results/baseline-before-rollout.json

Rows whose section the run did not measure are left out, so the table never shows a figure
that was not measured in that run.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from bench.machine import describe_code
from bench.stats import fmt

__all__ = ["markdown"]

Row = tuple[str, str, str, str]


def _find(items: list[dict[str, Any]], **keys: Any) -> dict[str, Any] | None:
    return next((i for i in items if all(i.get(k) == v for k, v in keys.items())), None)


def _x(a: float | None, b: float | None) -> str:
    return "n/a" if a is None or not b else f"{a / b:.2f}×"


def _requests(r: dict[str, Any]) -> Iterator[Row]:
    largest = max(r.get("requests", []), key=lambda x: x["rows"], default=None)
    if largest:
        n = largest["rows"]
        per_job = f"N ({largest['perjob_requests_per_refresh']:,} at {n:,} jobs;"
        projected = " (projected)" if largest["perjob_refresh_projected"] else ""
        per_job += f" a refresh takes {largest['perjob_refresh_s']:,.0f} s{projected})"
        yield (
            "requests per refresh, any N",
            fmt(largest["cfdash_requests_per_refresh"], 0),
            per_job,
            "2",
        )


def _cpu(r: dict[str, Any]) -> Iterator[Row]:
    cpu, curl = r.get("cpu", []), r.get("curljq", [])
    for n in sorted({c["rows"] for c in cpu if c["program"] == "cfdash"}):
        cases = sorted(
            (c for c in cpu if c["program"] == "cfdash" and c["rows"] == n),
            key=lambda c: c["moving_pct"],
        )
        per_job = _find(cpu, program="perjob", rows=n)
        loop = _find(curl, rows=n, world="still")
        ten = _find(cases, moving_pct=10.0)
        label = (
            f"CPU, {n:,} jobs, " + " / ".join(f"{c['moving_pct']:g}" for c in cases) + " % changing"
        )
        if n == 1000:
            label += " (10 %: ≤ 5 %)" if len(cases) > 1 else " (≤ 5 %)"
        figure = " / ".join(f"{fmt(c['cpu_pct'])} %" for c in cases)
        base = f"{fmt(per_job['cpu_pct'])} %" if per_job else ""
        if per_job and not per_job.get("baseline_refreshes_finished"):
            base += ", never finishes a refresh"
        vs = ""
        if loop:
            vs = f"{fmt(loop['cpu_ms'], 0)} ms per refresh"
            if ten:
                vs += f" (cfdash at 10 %: {_x(ten['cpu_ms_per_refresh'], loop['cpu_ms'])})"
        yield label, figure, base, vs


def _rollout(r: dict[str, Any]) -> Iterator[Row]:
    for case in r.get("rollout", []):
        cf, loop, n = case["cfdash"], case["curljq"], case["rows"]
        if cf is None:
            continue
        if case["world"] == "rollout":
            target = " (≤ 0.5× curl \\| jq, ≤ 3 toasts, RSS ≤ 150 MB)" if n == 1000 else ""
            target = (
                " (≤ 0.75× curl \\| jq, RSS ≤ 200 MB, key to screen ≤ 100 ms)"
                if n == 10000
                else target
            )
            churn = cf.get("churn") or {}
            label = f"rollout, {n:,} jobs{target}"
            figure = (
                f"{fmt(cf['cpu_pct'])} % ({fmt(cf['cpu_ms_per_refresh'], 0)} ms per refresh),"
                f" RSS {fmt(cf['rss_mb_end'], 0)} MB, {fmt(cf['fps'])} fps,"
                f" up to {cf['toasts_max']} toasts on screen ({cf['toasts_piled_max']} piled up)"
            )
            if churn:
                figure += (
                    f"; {fmt(churn['left_per_10s'], 0)} left, {fmt(churn['failed_per_10s'], 0)}"
                    f" failed, {fmt(churn['new_per_10s'], 0)} new per 10 s"
                )
            if cf.get("key_ms_median") is not None:
                figure += f"; key to screen {fmt(cf['key_ms_median'], 0)} ms (median)"
        else:
            label = f"still life in the same run, {n:,} jobs, 10 % changing"
            figure = (
                f"{fmt(cf['cpu_pct'])} % ({fmt(cf['cpu_ms_per_refresh'], 0)} ms per refresh),"
                f" RSS {fmt(cf['rss_mb_end'], 0)} MB, {fmt(cf['fps'])} fps"
            )
        vs = ""
        if loop:
            vs = f"{fmt(loop['cpu_ms'], 0)} ms per refresh (cfdash: {fmt(case['vs_curljq'], 2)}×)"
        yield label, figure, "", vs


def _apply(r: dict[str, Any]) -> Iterator[Row]:
    at = _find(r.get("apply", []), rows=1000)
    if not at:
        return
    ten, full, zero = at["table"].get("10"), at["table"].get("100"), at["table"].get("0")
    if ten:
        yield (
            "apply one refresh, 1,000 rows, 10 % (p99 ≤ 8 ms)",
            f"{fmt(ten['apply_frame_median_ms'], 1)} ms, p99 {fmt(ten['apply_frame_p99_ms'], 1)} ms"
            f" ({ten['samples']} samples)",
            "",
            "",
        )
    if full:
        yield (
            "apply one refresh, 1,000 rows, 100 % (p95 ≤ 8 ms, max < 25 ms)",
            f"{fmt(full['apply_frame_median_ms'], 1)} ms, p95 {fmt(full['apply_frame_p95_ms'], 1)}"
            f" ms, max {fmt(full['apply_frame_max_ms'], 1)} ms ({full['samples']} samples)",
            "",
            "",
        )
    yield (
        "the once-a-second tick, 1,000 rows",
        f"{fmt(at['tick']['apply_frame_median_ms'], 1)} ms",
        "",
        "",
    )
    if zero:
        frames = "no frame" if zero["frames_max"] == 0 else f"{zero['frames_max']} frames"
        yield "unchanged refresh", f"{frames}, {fmt(zero['apply_median_ms'], 2)} ms", "", ""


def _memory(r: dict[str, Any]) -> Iterator[Row]:
    ten = _find(r.get("cpu", []), program="cfdash", rows=1000, moving_pct=10.0)
    per_job = _find(r.get("cpu", []), program="perjob", rows=1000)
    if ten:
        base = f"{fmt(per_job['rss_mb_end'], 0)} MB" if per_job else ""
        yield "RSS at 1,000 jobs (≤ 150 MB)", f"{fmt(ten['rss_mb_end'], 0)} MB", base, ""
    soak = r.get("soak")
    if soak:
        yield (
            f"RSS growth over {soak['refreshes']:,} refreshes (≤ 5 MB)",
            f"{fmt(soak['growth_mb'])} MB ({fmt(soak['rss_mb_after_warmup'])} →"
            f" {fmt(soak['rss_mb_end'])} MB, {fmt(soak['rss_mb_end_after_gc'])} after gc)",
            "",
            "",
        )


def _latency(r: dict[str, Any]) -> Iterator[Row]:
    key = _find(r.get("keypress", []), rows=1000)
    if key:
        yield (
            "keypress (confirm) to queue request on the wire, 1,000 jobs (≤ 50 ms)",
            f"{fmt(key['confirm_to_wire_median_ms'])} ms,"
            f" p99 {fmt(key['confirm_to_wire_p99_ms'])} ms",
            "",
            "",
        )
    startup = r.get("startup")
    if startup:
        frames = " / ".join(
            f"{fmt((f['median_ms'] or 0) / 1000, 2)} s ({f['jobs']:,} jobs)"
            for f in startup["first_frame"]
        )
        yield "startup to first frame with rows (≤ 0.5 s), medians", frames, "", ""
        walls = {h["command"].split(" --")[0]: h for h in startup["headless"]}
        version, check = walls.get("cfdash"), walls.get("cfdash config check")
        if version and check:
            textual = any(h["textual_imported"] for h in startup["headless"])
            yield (
                "`cfdash --version` / `config check`",
                f"{fmt(version['wall_median_ms'], 0)} ms / {fmt(check['wall_median_ms'], 0)} ms,"
                f" {'imports Textual' if textual else 'no Textual'}",
                "",
                "",
            )


def markdown(results: dict[str, Any], source: str) -> str:
    """The table, then one line saying where it came from and how busy the machine was."""
    rows: list[Row] = []
    for part in (_requests, _cpu, _rollout, _apply, _memory, _latency):
        rows += list(part(results))
    lines = [
        "| figure (target) | cfdash | per-job poller + rebuilt DataTable (a)"
        " | `curl \\| jq` loop (b) |",
        "|---|---|---|---|",
        *(f"| {' | '.join(row)} |" for row in rows),
    ]
    m = results["machine"]
    loads = [v["other_pct"] for v in results.get("load", {}).values() if isinstance(v, dict)]
    busy = f"; other processes used {min(loads):.0f}–{max(loads):.0f} % of a core" if loads else ""
    lines += [
        "",
        f"Generated by `python bench/perf.py --report {source}`: {describe_code(m['code'])},"
        f" {m['cores']} cores ({m['cpu']}), Python {m['python']}, Textual {m['textual']}"
        f"{' (--quick)' if results.get('quick') else ''}{busy}.",
    ]
    return "\n".join(lines)
