"""Snapshots of fleet readiness: the image line under the header, and the breakdown (``i``).

Deterministic like the others: a seeded simulator on a frozen clock, a fixed terminal size, no
timers and no background polling. Look at each SVG before accepting it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from cfdash.demo import demo_settings
from cfdash.sim import FakeClock, SimThread, build_demo
from cfdash.tui.wiring import build_app

SIZE = (150, 32)


@pytest.fixture
def world(monkeypatch) -> Iterator[tuple]:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    clock = FakeClock()
    thread = SimThread(build_demo(seed=7, clock=clock))
    base_url = thread.start()
    yield clock, base_url
    thread.stop()
    monkeypatch.delenv("TZ")
    time.tzset()


def dashboard(world):
    clock, base_url = world
    clock.advance(10)  # part of the rollout done: completed, failed and pending all show
    settings = demo_settings(base_url, pipeline=True)
    return build_app(settings, demo=True, clock=clock, poll=False, tick=False)


async def polled(pilot) -> None:
    await pilot.app.engine.poll_all()
    await pilot.pause()


def test_main_screen_with_an_image_rolling_out(snap_compare, world):
    assert snap_compare(dashboard(world), terminal_size=SIZE, run_before=polled)


def test_fleet_breakdown(snap_compare, world):
    async def run_before(pilot):
        await polled(pilot)
        await pilot.press("i")
        await pilot.pause()

    assert snap_compare(dashboard(world), terminal_size=SIZE, run_before=run_before)
