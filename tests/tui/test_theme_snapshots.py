"""The main screen in every shipped theme, and under NO_COLOR: deterministic like
test_snapshots.py (seeded simulator on a frozen clock, fixed size, no timers, no polling
worker).  Look at each SVG before accepting it (rsvg-convert file.svg -o file.png)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cfdash.demo import demo_settings
from cfdash.sim import FakeClock, SimThread, build_demo
from cfdash.tui.themes import BUILTIN_THEMES
from cfdash.tui.widgets.job_grid import JobGrid
from cfdash.tui.wiring import build_app

SIZE = (150, 32)


@pytest.fixture
def world(tmp_path) -> Iterator[tuple]:
    clock = FakeClock()
    thread = SimThread(build_demo(seed=7, clock=clock))
    base_url = thread.start()
    yield clock, base_url, tmp_path / "no-user-themes"
    thread.stop()


def dashboard(world, *, theme: str | None = None):
    clock, base_url, themes_dir = world
    return build_app(
        demo_settings(base_url),
        demo=True,
        clock=clock,
        poll=False,
        tick=False,
        theme=theme,
        themes_dir=themes_dir,
    )


async def polled_with_a_failure_selected(pilot) -> None:
    """One refresh of every account; the cursor on a running job, so a failed row shows in
    its own colours rather than the cursor's."""
    await pilot.app.engine.poll_all()
    await pilot.pause()
    running = next(j for j in pilot.app.engine.tracker.jobs.values() if j.phase == "running")
    pilot.app.main.query_one(JobGrid).select(running.key)
    await pilot.pause()


@pytest.mark.parametrize("theme", BUILTIN_THEMES)
def test_main_screen_in_theme(snap_compare, world, monkeypatch, theme):
    monkeypatch.delenv("NO_COLOR", raising=False)
    app = dashboard(world, theme=theme)
    assert snap_compare(app, terminal_size=SIZE, run_before=polled_with_a_failure_selected)


def test_main_screen_with_no_color(snap_compare, world, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")  # read by build_app (mono) and by Textual itself
    app = dashboard(world)
    assert app.theme == "mono"
    assert snap_compare(app, terminal_size=SIZE, run_before=polled_with_a_failure_selected)
