"""Soak: the engine against the simulator with random faults, for tens of thousands of polls.

    python bench/soak.py [--rounds 10000] [--fault-rate 0.3] [--seed 1]

Each round polls every account once (3 demo accounts: 30,000 polls at the default), with a
random fault injected on some rounds and a queue call now and then. It prints RSS at start and
end, what the polls ran into, and checks the engine's promises: every poll ended, no queue call
was ever re-sent, and every account recovered once the faults stopped. Not part of the test run.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import logging
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cfdash.demo import demo_settings
from cfdash.engine.session import build_engine
from cfdash.sim import FakeClock, Fault, FaultKind, build_demo, start_server

FAULTS = [
    (FaultKind.LATENCY, {"delay": 0.01}),
    (FaultKind.SLOW, {"delay": 0.3}),
    (FaultKind.HTTP_500, {}),
    (FaultKind.HTTP_502, {}),
    (FaultKind.HTTP_503, {}),
    (FaultKind.HTTP_429, {"retry_after": 3}),
    (FaultKind.ERROR_ENVELOPE, {}),
    (FaultKind.NOT_JSON, {}),
    (FaultKind.TRUNCATED_JSON, {}),
    (FaultKind.DROP_CONNECTION, {}),
    (FaultKind.NUMBERS_AS_STRINGS, {}),
    (FaultKind.REPEATED_KEYS, {}),
    (FaultKind.EXTRA_FIELDS, {}),
    (FaultKind.OMIT_NULLS, {}),
    (FaultKind.UNKNOWN_STATE, {}),
    (FaultKind.HIDE_FAILED, {}),
]


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def soak(rounds: int, fault_rate: float, seed: int) -> int:
    rng = random.Random(seed)
    clock = FakeClock()
    sim = build_demo(seed=seed, clock=clock, jobs=24)
    server = await start_server(sim)
    settings = demo_settings(server.base_url)
    accounts = {
        name: acc.model_copy(update={"read_timeout": 0.1, "connect_timeout": 0.5})
        for name, acc in settings.accounts.items()
    }
    engine = build_engine(settings.model_copy(update={"accounts": accounts}), clock=clock)
    outcomes: collections.Counter[str] = collections.Counter()
    queue_calls = 0
    start_rss, started = rss_mb(), time.perf_counter()
    try:
        for round_no in range(rounds):
            if rng.random() < fault_rate:
                kind, extra = rng.choice(FAULTS)
                endpoint = rng.choice(["status", "queue"])
                sim.faults.add(Fault(kind, endpoint=endpoint, count=1, **extra))
            for event in await engine.poll_all():
                outcomes[type(event.error).__name__ if event.error else "ok"] += 1
            if round_no % 25 == 0:
                candidates = [
                    job
                    for job in engine.tracker.jobs.values()
                    if job.phase in ("pending", "created", "failed") and job.mirroring is not None
                ]
                if candidates:
                    await engine.queue(rng.choice(candidates).key)
                    queue_calls += 1
            clock.advance(rng.uniform(0.5, 5.0))
            if round_no % 2000 == 0:
                print(f"  round {round_no:6d}: RSS {rss_mb():6.1f} MB", flush=True)
        sim.faults.clear()
        final = [await engine.poll_all() for _ in range(2)][-1]
        recovered = all(event.error is None for event in final)
    finally:
        await engine.aclose()
        await server.stop()
    elapsed = time.perf_counter() - started
    end_rss = rss_mb()
    polls = sum(outcomes.values())
    sent = sim.requests.count("queue")
    print(f"rounds {rounds}, polls {polls}, {elapsed:.1f} s ({polls / elapsed:.0f} polls/s)")
    growth = end_rss - start_rss
    print(f"RSS start {start_rss:.1f} MB, end {end_rss:.1f} MB, growth {growth:+.1f} MB")
    print("poll outcomes: " + ", ".join(f"{k} {v}" for k, v in outcomes.most_common()))
    print(f"queue calls made {queue_calls}, received {sent} (re-sends: {sent - queue_calls})")
    print(f"recovered after faults stopped: {recovered}")
    return 0 if recovered and sent == queue_calls else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10_000)
    parser.add_argument("--fault-rate", type=float, default=0.3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    logging.getLogger("cfdash").addHandler(logging.NullHandler())  # failures are counted
    logging.getLogger("cfdash").propagate = False
    return asyncio.run(soak(args.rounds, args.fault_rate, args.seed))


if __name__ == "__main__":
    raise SystemExit(main())
