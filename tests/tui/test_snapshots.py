"""Snapshots of what a person sees: deterministic (seeded simulator on a frozen clock, fixed
terminal size, no timers, no background polling). Look at each SVG before accepting it."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from cfdash.demo import demo_settings
from cfdash.sim import FakeClock, Fault, FaultKind, SimThread, build_demo
from cfdash.tui.widgets.job_grid import JobGrid
from cfdash.tui.wiring import build_app

SIZE = (150, 32)


@pytest.fixture
def world(monkeypatch) -> Iterator[tuple]:
    monkeypatch.setenv("TZ", "UTC")  # the details screen shows clock times
    time.tzset()
    clock = FakeClock()
    sim = build_demo(seed=7, clock=clock)
    thread = SimThread(sim)
    base_url = thread.start()
    yield sim, clock, base_url
    thread.stop()
    monkeypatch.delenv("TZ")
    time.tzset()


def dashboard(world):
    _sim, clock, base_url = world
    settings = demo_settings(base_url)
    return build_app(settings, demo=True, clock=clock, poll=False, tick=False)


async def polled(pilot) -> None:
    """One refresh of every account, applied to the screen."""
    await pilot.app.engine.poll_all()
    await pilot.pause()


def select(pilot, phase: str) -> None:
    job = next(j for j in pilot.app.engine.tracker.jobs.values() if j.phase == phase)
    pilot.app.main.query_one(JobGrid).select(job.key)


def test_main_table(snap_compare, world):
    assert snap_compare(dashboard(world), terminal_size=SIZE, run_before=polled)


def test_confirm_queue_dialog(snap_compare, world):
    async def run_before(pilot):
        await polled(pilot)
        select(pilot, "pending")
        await pilot.press("q")

    assert snap_compare(dashboard(world), terminal_size=SIZE, run_before=run_before)


def test_details_of_a_failed_job(snap_compare, world):
    async def run_before(pilot):
        await polled(pilot)
        select(pilot, "failed")
        await pilot.press("enter")

    assert snap_compare(dashboard(world), terminal_size=SIZE, run_before=run_before)


def test_help_screen(snap_compare, world):
    async def run_before(pilot):
        await polled(pilot)
        await pilot.press("question_mark")

    assert snap_compare(dashboard(world), terminal_size=SIZE, run_before=run_before)


def test_account_in_error(snap_compare, world):
    sim, _, _ = world
    staging = next(a.asid for a in sim.accounts.values() if a.name == "staging")
    eu_test = next(a.asid for a in sim.accounts.values() if a.name == "eu-test")

    async def run_before(pilot):
        await polled(pilot)
        sim.faults.add(Fault(FaultKind.HTTP_503, endpoint="status", asid=staging))
        sim.faults.add(Fault(FaultKind.ERROR_ENVELOPE, endpoint="status", asid=eu_test,
                             message="Forbidden", status=401))  # fmt: skip
        await polled(pilot)

    assert snap_compare(dashboard(world), terminal_size=SIZE, run_before=run_before)


def test_bulk_confirm_lists_what_is_left_out(snap_compare, world):
    async def run_before(pilot):
        await polled(pilot)
        table = pilot.app.main.query_one(JobGrid)
        table.set_marks(table.row_keys)  # ctrl+a, without its toast
        await pilot.press("q")

    assert snap_compare(dashboard(world), terminal_size=(150, 40), run_before=run_before)


def test_queue_column_and_unconfirmed_rows(snap_compare, world):
    """queued ✓, refused: …, outcome unknown; and staging's rows unconfirmed (dim ?)."""
    sim, _, _ = world
    staging = next(a.asid for a in sim.accounts.values() if a.name == "staging")

    async def run_before(pilot):
        await polled(pilot)
        engine = pilot.app.engine
        waiting = [j for j in engine.tracker.jobs.values() if j.phase in ("pending", "created")]
        ok, refused, lost = sorted(waiting, key=lambda job: job.key)[:3]
        sim.faults.add(Fault(FaultKind.ERROR_ENVELOPE, endpoint="queue", jobid=refused.jobid))
        sim.faults.add(Fault(FaultKind.HTTP_503, endpoint="queue", jobid=lost.jobid))
        for job in (ok, refused, lost):
            await engine.queue(job.key, allow_active=False)
        sim.faults.add(Fault(FaultKind.HTTP_503, endpoint="status", asid=staging))
        await polled(pilot)
        pilot.app.clear_notifications()  # the queue toasts would cover the rows
        await pilot.pause()

    assert snap_compare(dashboard(world), terminal_size=SIZE, run_before=run_before)


def test_wall_at_250_by_60(snap_compare, world):
    """The ops wall on a wall monitor: digits a quarter of the screen high or more, failed as a
    block, staging's trouble named on its line."""
    sim, _, _ = world
    staging = next(a.asid for a in sim.accounts.values() if a.name == "staging")

    async def run_before(pilot):
        await polled(pilot)
        sim.faults.add(Fault(FaultKind.HTTP_503, endpoint="status", asid=staging))
        await polled(pilot)
        await pilot.press("w")
        await pilot.pause()

    assert snap_compare(dashboard(world), terminal_size=(250, 60), run_before=run_before)


def test_wall_at_80_by_24_in_mono(snap_compare, world):
    """A laptop pane without colour: smaller digits, symbols for headings, nothing cut."""

    async def run_before(pilot):
        await polled(pilot)
        pilot.app.theme = "mono"
        await pilot.press("w")
        await pilot.pause()

    assert snap_compare(dashboard(world), terminal_size=(80, 24), run_before=run_before)


def _rejected(sim, name: str) -> Fault:
    asid = next(a.asid for a in sim.accounts.values() if a.name == name)
    return Fault(FaultKind.ERROR_ENVELOPE, endpoint="status", asid=asid, message="Forbidden",
                 status=401)  # fmt: skip


def test_main_screen_at_80x24_names_a_rejected_account(snap_compare, world):
    """A split pane: the essentials fit, running jobs show their percentage, and the account
    whose credentials were rejected is named."""
    sim, _, _ = world

    async def run_before(pilot):
        await polled(pilot)
        sim.faults.add(_rejected(sim, "staging"))
        await polled(pilot)

    assert snap_compare(dashboard(world), terminal_size=(80, 24), run_before=run_before)


def test_main_screen_at_120x40_with_a_filter(snap_compare, world):
    """No header cut; Seen and Fail give way; the mode line names the filter, 3 of 12."""

    async def run_before(pilot):
        await polled(pilot)
        await pilot.press("slash", *"machine", "enter", "f", "f", "S")
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(dashboard(world), terminal_size=(120, 40), run_before=run_before)


def test_main_screen_at_250x60(snap_compare, world):
    """The wall monitor: every column, the Error at its widest."""
    assert snap_compare(dashboard(world), terminal_size=(250, 60), run_before=polled)
