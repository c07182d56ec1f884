"""Clocks for the simulator.

The simulator never sleeps to move jobs along: it reads a clock and works out where every job
must be by now. Passing a :class:`FakeClock` therefore gives tests complete control of time,
and lets the admin path (``POST /_sim/clock/advance``) move a running simulator forward.
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["Clock", "FakeClock"]

#: Anything that returns the current Unix time in seconds, like :func:`time.time`.
Clock = Callable[[], float]


class FakeClock:
    """A clock that only moves when told to.

    It starts at a fixed, realistic Unix time (not 0) so timestamps in responses look like the
    real service's and nothing special-cases small numbers.
    """

    DEFAULT_START = 1_767_225_600.0  # 2026-01-01T00:00:00Z

    def __init__(self, start: float = DEFAULT_START) -> None:
        self.now = float(start)

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> float:
        """Move the clock forward by ``seconds`` (never backwards) and return the new time."""
        if seconds < 0:
            raise ValueError("a clock only moves forward")
        self.now += seconds
        return self.now

    def set(self, now: float) -> None:
        """Jump to ``now``; refuses to go back in time, which would confuse the job model."""
        if now < self.now:
            raise ValueError("a clock only moves forward")
        self.now = float(now)

    def __repr__(self) -> str:
        return f"FakeClock({self.now!r})"
