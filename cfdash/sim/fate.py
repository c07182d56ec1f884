"""What will happen to a simulated job, decided before it runs.

Each run of a job (its first queue, and every retry) gets a :class:`Fate` drawn from a random
generator seeded by ``(simulator seed, job id, attempt)``. Drawing the whole future up front,
and expressing progress as a pure function of elapsed time, is what makes the simulator
deterministic: the same seed and the same clock readings give the same answers, however often
or rarely the state is read.

Durations here are in *service seconds*: how long the real service would take. The simulator
divides them by its ``speed`` to get wall-clock seconds.
"""

from __future__ import annotations

import bisect
import itertools
import random
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "LINEAR",
    "Fate",
    "JobKind",
    "draw_fate",
    "fate_rng",
    "noisy_curve",
    "progress_at",
    "time_to_reach",
]

JobKind = Literal["mirror", "machine"]

#: A curve with evenly spread progress: handy for tests that want exact numbers.
LINEAR: tuple[float, ...] = tuple(float(p) for p in range(0, 101, 10))

_SEGMENTS = 10


@dataclass(frozen=True)
class Fate:
    """The pre-drawn future of one run of a job.

    ``curve`` holds the progress (0..100, non-decreasing) at evenly spaced fractions of
    ``duration``; progress between two points is interpolated. ``fail_at`` / ``squash_at`` are
    the progress values at which the run fails or is squashed; at most one is set, and a run
    with neither completes. ``estimate`` is the service's first guess of the duration, shown as
    the ETA before any progress has been made.
    """

    duration: float = 600.0
    queue_delay: float = 5.0
    fail_at: float | None = None
    squash_at: float | None = None
    error: str = "image install failed"
    curve: tuple[float, ...] = LINEAR
    estimate: float | None = None

    def __post_init__(self) -> None:
        if self.duration <= 0:
            raise ValueError("duration must be positive")
        if self.queue_delay < 0:
            raise ValueError("queue_delay must not be negative")
        if len(self.curve) < 2 or self.curve[0] != 0 or self.curve[-1] != 100:
            raise ValueError("curve must run from 0 to 100")
        if any(b < a for a, b in itertools.pairwise(self.curve)):
            raise ValueError("curve must not decrease")
        if self.fail_at is not None and self.squash_at is not None:
            raise ValueError("a run either fails or is squashed, not both")
        for end in (self.fail_at, self.squash_at):
            if end is not None and not 0 <= end < 100:
                raise ValueError("fail_at/squash_at must be in [0, 100)")

    @property
    def ending(self) -> Literal["complete", "fail", "squash"]:
        """How this run ends."""
        if self.fail_at is not None:
            return "fail"
        if self.squash_at is not None:
            return "squash"
        return "complete"

    @property
    def end_progress(self) -> float:
        """The progress at which the run stops (100 for a run that completes)."""
        if self.fail_at is not None:
            return self.fail_at
        if self.squash_at is not None:
            return self.squash_at
        return 100.0


def progress_at(curve: tuple[float, ...], fraction: float) -> float:
    """Progress (0..100) after ``fraction`` (0..1) of the run's duration."""
    if fraction <= 0:
        return 0.0
    if fraction >= 1:
        return 100.0
    scaled = fraction * (len(curve) - 1)
    i = int(scaled)
    return curve[i] + (curve[i + 1] - curve[i]) * (scaled - i)


def time_to_reach(curve: tuple[float, ...], progress: float) -> float:
    """The earliest fraction (0..1) of the duration at which ``progress`` is reached."""
    if progress <= 0:
        return 0.0
    if progress >= 100:
        return 1.0
    i = bisect.bisect_left(curve, progress) - 1  # curve[i] < progress <= curve[i + 1]
    step = curve[i + 1] - curve[i]
    within = (progress - curve[i]) / step if step else 0.0
    return (i + within) / (len(curve) - 1)


def fate_rng(seed: int, jobid: int, attempt: int) -> random.Random:
    """A generator private to one run of one job, independent of the order of calls."""
    # String seeds are hashed with SHA-512, so this is stable across processes.
    return random.Random(f"cfdash-sim:{seed}:{jobid}:{attempt}")


_ERRORS = (
    "image locked by diffid: {diffid}",
    "disk full on machine {machine}",
    "download from mirror timed out after 300s",
    "checksum mismatch in image diff {diffid}",
    "machine {machine} unreachable",
)


def noisy_curve(rng: random.Random) -> tuple[float, ...]:
    """A non-decreasing curve with uneven segments and, sometimes, a near-stall."""
    weights = [rng.uniform(0.3, 1.7) for _ in range(_SEGMENTS)]
    if rng.random() < 0.3:
        weights[rng.randrange(1, _SEGMENTS - 1)] = 0.03  # a visible plateau
    total = sum(weights)
    points = [0.0]
    for w in weights:
        points.append(points[-1] + 100.0 * w / total)
    points[-1] = 100.0
    return tuple(points)


def draw_fate(rng: random.Random, kind: JobKind, attempt: int = 0) -> Fate:
    """Draw the fate of one run: a 5-15 minute install that may fail or (machine jobs) squash.

    Retries fail less often than first runs, so re-queueing a failed job usually works.
    """
    duration = rng.uniform(300.0, 900.0)
    queue_delay = rng.uniform(3.0, 15.0)
    curve = noisy_curve(rng)
    estimate = duration * rng.uniform(0.8, 1.25)
    error = rng.choice(_ERRORS).format(
        diffid=rng.randrange(200_000, 300_000), machine=rng.randrange(1000, 9999)
    )
    fail_at = squash_at = None
    roll = rng.random()
    if roll < 0.25 / (attempt + 1):
        fail_at = rng.uniform(5.0, 95.0)
    elif kind == "machine" and roll > 0.92:
        squash_at = rng.uniform(5.0, 95.0)
    return Fate(
        duration=duration,
        queue_delay=queue_delay,
        fail_at=fail_at,
        squash_at=squash_at,
        error=error,
        curve=curve,
        estimate=estimate,
    )
