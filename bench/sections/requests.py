"""Requests per refresh, counted by the simulator: cfdash's engine against the per-job poller.

In-process against the simulator over HTTP: ``sim.requests.count("status")`` over a few
``Engine.poll_all()`` calls; the per-job baseline (``bench/baselines.py``) sends one status
request per job, and its refresh time is projected when it exceeds the time budget.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

import httpx

from bench.baselines import fetch_lists, per_job_refresh, targets_for
from bench.plan import ACCOUNTS, Plan
from bench.sections import Context, load_note
from bench.stats import fmt, log, ratio, table, verdict
from bench.world import build_world
from cfdash.demo import demo_settings
from cfdash.sim import start_server

TITLE = "Requests per refresh (counted by the simulator)"


@dataclass
class RequestFigures:
    rows: int
    cfdash_requests_per_refresh: float
    cfdash_refresh_ms: float
    perjob_requests_counted: int
    perjob_refresh_finished: bool
    perjob_requests_per_refresh: int
    perjob_refresh_s: float
    perjob_refresh_projected: bool


async def _measure(n: int, plan: Plan) -> RequestFigures:
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
    return RequestFigures(
        rows=n,
        cfdash_requests_per_refresh=cf_requests,
        cfdash_refresh_ms=cf_wall * 1000,
        perjob_requests_counted=counted,
        perjob_refresh_finished=finished,
        perjob_requests_per_refresh=counted if finished else len(jobs),
        perjob_refresh_s=took if finished else took / max(sent, 1) * len(jobs),
        perjob_refresh_projected=not finished,
    )


def run(ctx: Context) -> list[RequestFigures]:
    results = []
    for n in ctx.plan.sizes:
        log(f"requests per refresh at {n} rows")
        results.append(asyncio.run(_measure(n, ctx.plan)))
    return results


def render(data: list[dict[str, Any]], results: dict[str, Any]) -> list[str]:
    rows = []
    for r in data:
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
    headers = ["rows", "cfdash", "per-job (a)", "cfdash/(a)", "curl|jq (b)"]
    headers += ["cfdash refresh ms", "per-job refresh s", "target = accounts"]
    return [table(headers, rows), load_note(results, "requests")]
