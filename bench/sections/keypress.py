"""Keypress to the wire: the confirm key to the queue request reaching the simulator.

Pilot, simulator on a thread, real HTTP, 1 s polling and the tick running. Keys are delivered
the way the terminal driver delivers them (no Pilot idle waits); *confirm → wire* is from the
confirm key to the simulator recording the queue call (stamped on the simulator's thread),
*q → dialog* from ``q`` to the first frame of the dialog.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

from bench.memworld import build_app
from bench.plan import ACCOUNTS, SIZE, Plan
from bench.sandbox import Sandbox
from bench.sections import Context, load_note
from bench.stats import fmt, log, median, p99, table, verdict
from bench.textual_hooks import FrameMeter, send_key, wait_until
from bench.world import build_world
from cfdash.demo import demo_settings
from cfdash.sim import SimThread

TITLE = "Keypress to queue request on the wire (Pilot, real HTTP, 1 s polling and tick on; ms)"


@dataclass
class KeypressFigures:
    rows: int
    samples: int
    confirm_to_wire_median_ms: float | None
    confirm_to_wire_p99_ms: float | None
    q_to_dialog_frame_median_ms: float | None
    q_to_dialog_frame_p99_ms: float | None


async def _measure(n: int, plan: Plan, box: Sandbox) -> KeypressFigures:
    from cfdash.config import StateStore
    from cfdash.tui.screens.confirm import ConfirmScreen

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

                    # Generous: on a loaded machine a 5,000-row refresh holds the loop for
                    # seconds, and a timeout here would lose the whole size's figures.
                    if not await wait_until(dialog_drawn, 60):
                        raise RuntimeError("the confirm dialog did not appear")
                    drawn = next(t for t, s in meter.log[mark:] if s == ConfirmScreen.__name__)
                    dialog_ms.append((drawn - pressed) * 1000)
                    await pilot.pause(0.3)  # the person reads the dialog
                    before = len(stamps)
                    confirmed = time.perf_counter()
                    send_key(app, "enter", "\r")
                    if not await wait_until(lambda before=before: len(stamps) > before, 60):
                        raise RuntimeError("the queue request never reached the simulator")
                    wire_ms.append((stamps[before] - confirmed) * 1000)

                    def settled() -> bool:
                        return not any(j.queue_in_flight for j in tracker.jobs.values())

                    await wait_until(settled, 10, 0.01)
                    await pilot.press("down")
    finally:
        thread.stop()
    return KeypressFigures(
        rows=n,
        samples=len(wire_ms),
        confirm_to_wire_median_ms=median(wire_ms),
        confirm_to_wire_p99_ms=p99(wire_ms),
        q_to_dialog_frame_median_ms=median(dialog_ms),
        q_to_dialog_frame_p99_ms=p99(dialog_ms),
    )


def run(ctx: Context) -> list[KeypressFigures]:
    results = []
    for n in ctx.plan.key_sizes:
        log(f"keypress to queue request at {n} rows ({ctx.plan.key_samples} samples)")
        try:
            results.append(asyncio.run(_measure(n, ctx.plan, ctx.box)))
        except Exception as error:  # report it and go on with the other sizes
            log(f"  failed: {type(error).__name__}: {error}")
    return results


def render(data: list[dict[str, Any]], results: dict[str, Any]) -> list[str]:
    rows = []
    for r in data:
        wire = r["confirm_to_wire_median_ms"]
        over = " (p99 over)" if (r["confirm_to_wire_p99_ms"] or 0) > 50 else ""
        rows.append(
            [
                f"{r['rows']:,}",
                fmt(wire),
                fmt(r["confirm_to_wire_p99_ms"]),
                fmt(r["q_to_dialog_frame_median_ms"]),
                fmt(r["q_to_dialog_frame_p99_ms"]),
                verdict(wire is not None and wire <= 50) + over,
            ]
        )
    headers = ["rows", "confirm->wire med", "p99", "q->dialog frame med", "p99", "target <= 50"]
    return [table(headers, rows), load_note(results, "keypress")]
