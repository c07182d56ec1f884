"""Simulated images and their fleets: machines installing the latest version over time.

Each image has fleets, each fleet regions (with names), each region some machines. A rollout
draws, per machine, the moment it finishes and whether it fails — a failed machine is disabled
and counts as "failed" from then on — so the counts at any time are a pure function of the
clock, like every other part of the simulator. A version that completes starts a new rollout
of its image.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["DEFAULT_LAYOUT", "Layout", "SimImage", "SimRegion"]

#: fleet id → region id → (region name, machines).
Layout = Mapping[int, Mapping[int, tuple[str, int]]]

DEFAULT_LAYOUT: Layout = {
    5011: {101: ("EU West", 12), 102: ("EU Central", 8)},
    5012: {201: ("US East", 10), 202: ("US West", 6), 203: ("South America", 4)},
}


@dataclass
class SimRegion:
    """One region of one fleet, with the drawn outcome of each machine's install."""

    fleetid: int
    regionid: int
    name: str
    machines: int
    #: Per machine: (service seconds into the rollout when it finishes, whether it fails).
    plan: list[tuple[float, bool]] = field(default_factory=list)

    def counts(self, elapsed: float) -> dict[str, int]:
        """Pending, failed and completed machines ``elapsed`` service seconds in."""
        done = [failed for at, failed in self.plan if at <= elapsed]
        failed = sum(done)
        return {
            "pending_machines": self.machines - len(done),
            "failed_machines": failed,
            "completed_machines": len(done) - failed,
        }


@dataclass
class SimImage:
    """An image of one account and the rollout of its latest version."""

    imageid: int
    asid: int
    regions: list[SimRegion]
    duration: float = 600.0
    fail_rate: float = 0.06
    rollout: int = 0
    rollout_start: float = 0.0
    imageversionid: int | None = None

    @classmethod
    def build(
        cls, imageid: int, asid: int, layout: Layout, *, duration: float, fail_rate: float
    ) -> SimImage:
        regions = [
            SimRegion(fleetid, regionid, name, machines)
            for fleetid, fleet in layout.items()
            for regionid, (name, machines) in fleet.items()
        ]
        if not regions or any(region.machines < 0 for region in regions):
            raise ValueError("an image needs at least one region and no negative machine count")
        if duration <= 0 or not 0 <= fail_rate <= 1:
            raise ValueError("duration must be positive and fail_rate between 0 and 1")
        return cls(imageid, asid, regions, duration, fail_rate)

    def start_rollout(self, at: float, seed: int, imageversionid: int | None = None) -> None:
        """Begin a new rollout at clock time ``at``: every machine pending again."""
        self.rollout += 1
        self.rollout_start = at
        if imageversionid is not None:
            self.imageversionid = imageversionid
        rng = random.Random(f"cfdash-sim:{seed}:image:{self.imageid}:{self.rollout}")
        for region in self.regions:
            # Spread over the rollout, a little front-loaded: the first machines go quickly.
            region.plan = [
                (self.duration * rng.random() ** 1.3, rng.random() < self.fail_rate)
                for _ in range(region.machines)
            ]

    def body(self, now: float, speed: float, *, detail: bool) -> dict[str, Any]:
        """The v2 status answer at clock time ``now``; fleets and regions with ``detail``."""
        elapsed = max(0.0, (now - self.rollout_start) * speed)
        totals = {"pending_machines": 0, "failed_machines": 0, "completed_machines": 0}
        fleets: dict[str, dict[str, Any]] = {}
        for region in self.regions:
            counts = region.counts(elapsed)
            fleet = fleets.setdefault(
                str(region.fleetid), {**dict.fromkeys(totals, 0), "regions": {}}
            )
            fleet["regions"][str(region.regionid)] = {"name": region.name, **counts}
            for key, value in counts.items():
                fleet[key] += value
                totals[key] += value
        return {**totals, "fleets": fleets} if detail else totals

    def to_json(self, now: float, speed: float) -> dict[str, Any]:
        """A dump for ``GET /_sim/state``."""
        return {
            "imageid": self.imageid,
            "asid": self.asid,
            "rollout": self.rollout,
            "imageversionid": self.imageversionid,
            **self.body(now, speed, detail=True),
        }
