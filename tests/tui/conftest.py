"""Fixtures for Pilot tests: the real app factory, pointed at the simulator."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from cfdash.config import StateStore
from cfdash.demo import demo_settings
from cfdash.tui.wiring import build_app


async def wait_for(condition: Callable[[], bool], pilot, timeout: float = 5.0) -> None:
    """Pause the pilot until ``condition`` holds (workers' network calls take real time)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await pilot.pause(0.02)


def notices_of(app) -> list[str]:
    """Capture the notifications the app shows, as text."""
    shown: list[str] = []
    original = app.notify

    def notify(message, *args, **kwargs):
        shown.append(str(message))
        return original(message, *args, **kwargs)

    app.notify = notify
    return shown


@pytest.fixture
def make_app(served, tmp_path):
    """Build the dashboard exactly as the CLI does, with a state file in tmp_path."""

    def make(*, refresh: float = 60.0, poll: bool = True, **overrides):
        settings = demo_settings(served.base_url, refresh=refresh)
        if overrides:
            settings = settings.with_overrides(**overrides)
        store = StateStore(tmp_path / "state.toml")
        return build_app(settings, store=store, clock=served.clock, poll=poll, tick=False)

    return make
