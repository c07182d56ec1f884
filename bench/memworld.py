"""The app, built in this process, and status lists served from memory for it.

:func:`build_app` is the one place the benchmark reaches for cfdash's wiring (the same factory
the tests use); :class:`MemoryWorld` feeds it without a socket or a simulator thread, so the
process's CPU is cfdash's alone.
"""

from __future__ import annotations

import json
import random
from typing import Any

import httpx

from bench.plan import ACCOUNTS
from bench.world import build_world
from cfdash.demo import demo_settings
from cfdash.sim import FakeClock, demo_accounts

__all__ = ["MemoryWorld", "build_app"]


def build_app(settings: Any, **options: Any) -> Any:
    """cfdash's app factory (``cfdash.tui.wiring.build_app``): the app a user gets, injected."""
    from cfdash.tui.wiring import build_app as factory

    return factory(settings, **options)


class MemoryWorld:
    """Status lists served from memory (``httpx.MockTransport``), changed on demand.

    The lists come from :func:`bench.world.build_world` on a frozen clock; :meth:`mutate` bumps
    the progress of X % of the jobs, :meth:`serialize` turns the lists into the bodies the
    engine's clients receive.
    """

    def __init__(self, n: int, seed: int = 7) -> None:
        self.n = n
        self.rng = random.Random(seed)
        self.clock = FakeClock()
        sim = build_world(n, ACCOUNTS, 0, clock=self.clock)
        self.members = demo_accounts(ACCOUNTS)
        self.raw = {a.name: sim.status(a.asid) for a in self.members}  # JSON dicts
        self.by_id = {name: {d["jobid"]: d for d in items} for name, items in self.raw.items()}
        self.keys = [(name, d["jobid"]) for name, items in self.raw.items() for d in items]
        self._names = {a.asid: a.name for a in self.members}
        self.bodies: dict[str, bytes] = {}
        self.serialize()

    def serialize(self) -> None:
        for name, items in self.raw.items():
            self.bodies[name] = json.dumps({"installs": items}).encode()

    def handler(self, request: httpx.Request) -> httpx.Response:
        name = self._names[int(request.url.params["accountserviceid"])]
        return httpx.Response(
            200, content=self.bodies[name], headers={"content-type": "application/json"}
        )

    def mutate(self, pct: float) -> list[tuple[str, int]]:
        """Change ``pct`` % of the jobs in the lists (progress and updated time)."""
        count = max(1, round(self.n * pct / 100)) if pct else 0
        chosen = self.rng.sample(self.keys, count)
        for name, jobid in chosen:
            item = self.by_id[name][jobid]
            item["jobprogress"] = (item["jobprogress"] or 0) % 99 + 1
            item["jobupdated"] = int(self.clock())
        return chosen

    def app(self) -> Any:
        settings = demo_settings("http://127.0.0.1:9", accounts=ACCOUNTS, refresh=1.0)
        transport = httpx.MockTransport(self.handler)
        return build_app(settings, transport=transport, clock=self.clock, poll=False, tick=False)
