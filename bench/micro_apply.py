"""Micro-benchmark: the cost of applying one refresh, everything after parsing, no terminal.

    python bench/micro_apply.py [--rows 1000,10000] [--pct 100] [--samples 200] [--sort account]

Headless and in one process: no Textual app, no HTTP. A world of N running jobs on two
``track_all`` accounts is merged into a real :class:`~cfdash.engine.tracking.Tracker`; then,
per sample, ``pct`` % of the jobs get a new ``jobprogress``/``jobupdated``/``jobeta`` (new
``StatusItem`` objects, built before the clock starts: parsing is not measured here) and one
refresh is applied the way the main screen applies it with the 1 s tick running:

``merge``    ``Tracker.merge`` of both accounts' lists (O(items) by nature);
``monitor``  ``Monitor.observe`` with each merge's changes (transitions, stalls, the log), and
             once more with no keys, as the tick does;
``table``    the table's rows model: the changed keys go pending, then ``GridRows.tick`` with
             the 44 rows a 160×45 terminal shows (cells built, rows sorted, countdowns);
``panels``   what the header redoes: the per-phase counts and the releases in flight.
``releases`` the release view's roll-up (progress, ETAs, failures per release), as when that
             view is open; it is hidden by default, so this is not part of ``apply``.

``apply`` is everything but ``merge``; the issue's target (p95 ≤ 8 ms, worst < 25 ms at 1,000
rows, 100 % changed) is about it. Times are the thread's CPU time (``time.thread_time``), so a
busy neighbour on a shared machine inflates them less than wall time; wall time is shown for
``apply`` too. The speed of the machine is shown as the CPU time of a fixed pure-Python loop
(one million additions), measured in the same run: compare figures in units of it.

Run it against another checkout with ``PYTHONPATH=/path/to/checkout python
bench/micro_apply.py``: the script uses the incremental APIs when the code has them and falls
back to what older code does.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

if "cfdash" not in sys.modules:
    sys.path.append(str(Path(__file__).resolve().parents[1]))  # PYTHONPATH wins if set

import cfdash
from cfdash.api.models import StatusItem
from cfdash.engine import releases
from cfdash.engine.monitor import Monitor
from cfdash.engine.stalls import StallDetector
from cfdash.engine.tracking import Changes, Tracker
from cfdash.tui.grid_rows import GridRows

ACCOUNTS = ("production", "staging")
FIRST_JOBID = 5_551_001
T0 = 1_767_225_600.0
VISIBLE = range(0, 44)  # a 160×45 terminal: 45 lines less the header line


def world(n: int) -> dict[str, list[StatusItem]]:
    """N running jobs, dealt round-robin to the accounts, three releases, mixed kinds."""
    lists: dict[str, list[StatusItem]] = {name: [] for name in ACCOUNTS}
    for i in range(n):
        lists[ACCOUNTS[i % len(ACCOUNTS)]].append(
            StatusItem(
                jobid=FIRST_JOBID + i,
                jobstateid=4,
                jobprogress=i % 90,
                jobeta=int(T0 + 600 + i),
                jobupdated=int(T0),
                mirroring=i % 5 == 0,
                machine=f"gs-{i:05d}",
                location=("London", "Frankfurt", "Virginia")[i % 3],
                target_imageversionid=4241 + i % 3,
            )
        )
    return lists


def moved(lists: dict[str, list[StatusItem]], pct: float, now: float, step: int):
    """The next refresh's lists: every ``100/pct``-th job moved on by one percent."""
    every = max(1, round(100 / pct)) if pct else 0
    out: dict[str, list[StatusItem]] = {}
    for name, items in lists.items():
        new = []
        for index, item in enumerate(items):
            if every and (index + step) % every == 0:
                item = item.model_copy(
                    update={
                        "jobprogress": (item.jobprogress or 0) % 99 + 1,
                        "jobupdated": int(now),
                        "jobeta": int(now + 600),
                    }
                )
            new.append(item)
        out[name] = new
    return out


def panels_updater(tracker: Tracker) -> tuple[Callable[[set], object], Callable[[], object]]:
    """What the header does with one flush's keys, and what the open release view does."""
    census_type = getattr(releases, "Census", None)
    if census_type is not None:  # the incremental counts and roll-up
        census = census_type(tracker.jobs)

        def incremental(keys: set) -> object:
            census.update(tracker.jobs, keys)
            counts = census.phases - getattr(census, "unconfirmed", Counter())
            return counts, census.versions_in_flight()

        return incremental, census.releases

    def recount(keys: set) -> object:  # the walk over every job that older code does
        jobs = tracker.jobs.values()
        counts = Counter(job.phase for job in jobs)
        flying = releases.in_flight(releases.rollup(jobs))
        return counts, flying

    return recount, lambda: releases.rollup(tracker.jobs.values())


def loop_ms() -> float:
    """The machine's speed: CPU ms of a million additions in a pure-Python loop (best of 5)."""
    best = float("inf")
    for _ in range(5):
        start, total = time.thread_time(), 0
        for number in range(1_000_000):
            total += number
        best = min(best, time.thread_time() - start)
    return best * 1000


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))]


def run(n: int, pct: float, samples: int, sort: str) -> dict[str, dict[str, float]]:
    lists = world(n)
    tracker = Tracker(ACCOUNTS)
    now = T0
    monitor = Monitor(StallDetector())
    for name, items in lists.items():
        tracker.merge(name, items, now)
    monitor.prime(tracker)
    rows = GridRows(tracker, lambda: now)
    if sort != "account":
        rows.sort_by(sort)
    rows.rebuild()
    panels, release_view = panels_updater(tracker)
    parts = ("merge", "monitor", "table", "panels", "apply", "total", "total wall", "releases")
    timings: dict[str, list[float]] = {part: [] for part in parts}
    for step in range(samples + 5):  # the first five warm up
        now += 1.0
        lists = moved(lists, pct, now, step)
        clock = time.thread_time

        wall = time.perf_counter()
        t0 = clock()
        changes = [tracker.merge(name, items, now) for name, items in lists.items()]
        t1 = clock()
        keys: set = set()
        for change in changes:
            monitor.observe(tracker, change, now)
            keys |= change.added | change.changed | change.removed
        monitor.observe(tracker, (), now)
        t2 = clock()
        rows.pending |= keys
        rows.tick(VISIBLE)  # older code: its flush() inside builds every pending row
        t3 = clock()
        panels(keys)
        t4 = clock()
        wall = time.perf_counter() - wall
        release_view()
        t5 = clock()
        if step < 5:
            continue
        assert isinstance(changes[0], Changes)
        for part, spent in (
            ("merge", t1 - t0),
            ("monitor", t2 - t1),
            ("table", t3 - t2),
            ("panels", t4 - t3),
            ("apply", t4 - t1),
            ("total", t4 - t0),
            ("total wall", wall),
            ("releases", t5 - t4),
        ):
            timings[part].append(spent * 1000)
    return {
        part: {
            "median": statistics.median(values),
            "p95": percentile(values, 95),
            "max": max(values),
        }
        for part, values in timings.items()
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="1000,10000", help="comma-separated row counts")
    parser.add_argument("--pct", type=float, default=100.0, help="percent of jobs changed")
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--sort", default="account", help="the table's sort (account, progress…)")
    args = parser.parse_args()
    print(f"cfdash from {Path(cfdash.__file__).parent}")
    print(f"{args.pct:g} % changed per refresh, {args.samples} samples, sort {args.sort}")
    print(f"machine: a million additions take {loop_ms():.1f} ms of CPU (best of 5)")
    for n in (int(part) for part in args.rows.split(",")):
        result = run(n, args.pct, args.samples, args.sort)
        print(f"\n{n:,} rows, CPU ms  median      p95      max")
        for part, figures in result.items():
            print(
                f"  {part:<10} {figures['median']:>10.2f} {figures['p95']:>8.2f}"
                f" {figures['max']:>8.2f}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
