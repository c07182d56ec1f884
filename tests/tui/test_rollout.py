"""A rollout on the real app, against the simulator over real HTTP on a fake clock: summary
toasts, the toast cap, the bulk queue's one toast, the event feed, hide-finished, retention,
and finished rows without a percentage."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from cfdash.config import JobEntry, StateStore
from cfdash.demo import demo_settings
from cfdash.sim import FakeClock, Fate, RunningServer, Simulator, build_demo, start_server
from cfdash.tui.app import CfdashApp
from cfdash.tui.screens.confirm import BulkConfirmScreen
from cfdash.tui.screens.events import EventsScreen
from cfdash.tui.widgets.event_panel import EventPanel
from cfdash.tui.widgets.job_grid import JobGrid
from cfdash.tui.wiring import build_app

from .conftest import wait_for

WIDE = (170, 40)
RUNNING, PENDING = 4, 2


@dataclass
class Quiet:
    """The demo's accounts and no jobs: only what a test adds moves, so counts are exact."""

    sim: Simulator
    server: RunningServer
    clock: FakeClock

    @property
    def base_url(self) -> str:
        return self.server.base_url


@pytest.fixture
async def served(clock: FakeClock) -> AsyncIterator[Quiet]:
    """Overrides the shared fixture (and so ``make_app``'s) for this module."""
    sim = build_demo(seed=7, clock=clock, jobs=0)
    server = await start_server(sim)
    try:
        yield Quiet(sim, server, clock)
    finally:
        await server.stop()


def grid(app) -> JobGrid:
    return app.main.query_one(JobGrid)


def asid_of(served, name: str = "production") -> int:
    return next(acc.asid for acc in served.sim.accounts.values() if acc.name == name)


def build(served, tmp_path, *, notify=("bell",), jobs=(), retention=None):
    """The dashboard as the CLI builds it, with the bell on and, optionally, jobs by id."""
    settings = demo_settings(served.base_url, refresh=60.0)
    accounts = {}
    for name, account in settings.accounts.items():
        update: dict = {"notify": tuple(notify)}
        if name == "production" and jobs:
            update["jobs"] = tuple(JobEntry(id=jobid) for jobid in jobs)
        if retention is not None:
            update["finished_retention"] = retention
        accounts[name] = account.model_copy(update=update)
    settings = settings.model_copy(update={"accounts": accounts})
    store = StateStore(tmp_path / "state.toml")
    return build_app(settings, store=store, clock=served.clock, poll=False, tick=False)


def ending_jobs(served, count: int, *, after: float, failing: int = 0, release: int = 4243):
    """``count`` running jobs that end ``after`` seconds from now (the first ``failing`` fail)."""
    speed = served.sim.speed
    made = []
    for n in range(count):
        fate = Fate(
            duration=after * speed,
            queue_delay=0,
            fail_at=50.0 if n < failing else None,
            error="disk full on machine 4411",
        )
        made.append(
            served.sim.add_job(
                asid_of(served), state=RUNNING, fate=fate, target_imageversionid=release
            )
        )
    return made


def toasts(app) -> list:
    """The toast widgets on screen (Textual's Toast class is private: its CSS type is not)."""
    return list(app.screen.query("Toast"))


@pytest.fixture
def rings(monkeypatch) -> list[int]:
    rung: list[int] = []
    monkeypatch.setattr(CfdashApp, "bell", lambda self: rung.append(1))
    return rung


@pytest.mark.parametrize(("count", "failing"), [(1, 0), (3, 1), (50, 5)])
async def test_jobs_ending_in_one_second_give_one_summary_and_one_bell(
    served, tmp_path, rings, count, failing
):
    jobs = ending_jobs(served, count, after=30, failing=failing)
    app = build(served, tmp_path)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await app.engine.poll_all()
        await pilot.pause()
        before = list(app.toaster.shown)
        served.clock.advance(31)
        await app.engine.poll_all()
        await pilot.pause()
        new = [n for n in app.toaster.shown if n not in before]
        assert len(toasts(app)) <= 3
    summaries = [n for n in new if n.title in ("Finished", "Failed")]
    assert len(summaries) == 1 and app.main.alerts.sent == 1
    assert len(rings) == 1
    [summary] = summaries
    first = summary.message.splitlines()[0]
    ours = {f"production/{job.jobid}" for job in jobs}
    named = [line for line in summary.message.splitlines()[1:] if line[2:].split(":")[0] in ours]
    assert f"{count - failing} finished" in first and "v4243" in first
    if failing:
        assert f"{failing} failed" in first and summary.title == "Failed"
        failures = [line for line in named if line.startswith("✖")]
        assert len(failures) == (failing if failing <= 3 else 0)  # named, or only counted
    else:
        assert summary.title == "Finished"
    if count - failing > 3:
        assert not any(line.startswith("✔") for line in named)
    assert "%" not in "".join(line for line in named if line.startswith("✔"))


async def test_a_failure_summary_stays_under_the_three_toast_cap(served, tmp_path, rings):
    ending_jobs(served, 2, after=30, failing=1)
    app = build(served, tmp_path)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await app.engine.poll_all()
        await pilot.pause()
        served.clock.advance(31)
        await app.engine.poll_all()
        await pilot.pause()
        failure = app.toaster.failure
        assert failure is not None and "1 failed" in failure.message
        for _ in range(6):  # status replies pile in: sort, sort, sort…
            await pilot.press("s")
            await pilot.pause()
            assert len(app.toaster.shown) <= 3 and len(toasts(app)) <= 3
            assert app.toaster.failure is failure  # never pushed out by a status toast
        drawn = [str(toast.render()) for toast in toasts(app)]
        assert any("1 failed" in text for text in drawn), "the failure summary is on screen"
        statuses = [n for n in app.toaster.shown if n.message.startswith("Sorted by")]
        assert statuses and all(n.timeout == 2 for n in statuses)
        await pilot.press("l")  # the feed names every failure: opening it dismisses the toast
        await pilot.pause()
        assert app.toaster.failure is None


async def test_the_next_summary_takes_the_last_ones_toast_without_a_new_one(served, tmp_path):
    ending_jobs(served, 2, after=30)
    ending_jobs(served, 3, after=60)
    app = build(served, tmp_path, notify=())
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await app.engine.poll_all()
        served.clock.advance(31)
        await app.engine.poll_all()
        await pilot.pause()
        [toast] = toasts(app)
        first = app.toaster.shown[0]
        assert "2 finished" in str(toast.render())
        served.clock.advance(30)
        await app.engine.poll_all()
        await pilot.pause()
        assert toasts(app) == [toast]  # the same widget: repainted, not mounted again
        [summary] = app.toaster.shown
        assert summary is not first and summary.message.startswith("3 finished")
        assert "3 finished" in str(toast.render()) and "2 finished" not in str(toast.render())
        assert list(app._notifications) == [summary]  # Textual's own list agrees
        await pilot.click(toast)  # a click takes it down, with its new words
        await wait_for(lambda: not toasts(app), pilot)
        assert app.toaster.shown == []


async def test_a_bulk_queue_gives_one_toast_and_each_outcome_on_its_row_and_in_the_feed(
    served, make_app
):
    for _ in range(12):
        served.sim.add_job(asid_of(served), state=PENDING, kind="mirror")
    app = make_app(poll=False)
    titles: list[str] = []
    original = app.notify
    app.notify = lambda message, **kw: (titles.append(kw.get("title", "")), original(message, **kw))
    async with app.run_test(size=WIDE) as pilot:
        await app.engine.poll_all()
        await pilot.pause()
        waiting = [k for k, j in app.engine.tracker.jobs.items() if j.phase == "pending"]
        assert len(waiting) >= 12
        grid(app).set_marks(waiting)
        await pilot.press("q")
        assert isinstance(app.screen, BulkConfirmScreen)
        await pilot.press("y")
        await wait_for(lambda: "Bulk queue" in titles, pilot)
        await pilot.pause()
        assert titles.count("Bulk queue") == 1 and "Queue" not in titles
        assert len(app.toaster.shown) == 1
        for key in waiting:  # each job's outcome is on its own row
            assert grid(app).cell_text(key, "state") == "◔ Queued"
            assert grid(app).cell_text(key, "queue") == "queued ✓"
        queue_lines = [line for line in app.main.report.lines.lines() if line.kind == "queue"]
        assert {line.key for line in queue_lines} == set(waiting)
        assert all(" queued " in line.text and ": queued" in line.text for line in queue_lines)


async def test_the_event_feed_beside_the_table_newest_first_with_the_audit_trail(served, tmp_path):
    # An earlier session queued a job: its line is in the audit trail, and in the feed.
    earlier = {
        "time": "2025-12-31T23:00:00Z",
        "unix": served.clock() - 3600,
        "account": "production",
        "job": 5551004,
        "action": "queue",
        "mirroring": True,
        "user": "alice",
        "outcome": "queued",
        "answer": "queued (Queued)",
        "origin": "cli",
    }
    (tmp_path / "audit.jsonl").write_text(json.dumps(earlier) + "\n")
    ending_jobs(served, 2, after=30, failing=1)
    app = build(served, tmp_path, notify=())
    async with app.run_test(size=WIDE) as pilot:
        await app.engine.poll_all()
        await pilot.pause()
        served.clock.advance(31)
        await app.engine.poll_all()
        await pilot.pause()
        await pilot.press("l")
        await pilot.pause()
        panel = app.main.query_one(EventPanel)
        assert panel.display and panel.has_class("visible") and app.screen is app.main
        table = grid(app)
        assert table.region.right <= panel.region.x  # beside the table, not over it
        lines = app.main.report.lines.lines()
        assert lines[-1].text == "alice queued production/5551004 (mirroring true): queued (Queued)"
        assert [line.at for line in lines] == sorted((line.at for line in lines), reverse=True)
        kinds = {line.kind for line in lines}
        assert {"finished", "failed", "queue"} <= kinds
        drawn = [
            "".join(seg.text for seg in panel.render_line(y)) for y in range(panel.size.height)
        ]
        assert "✖" in drawn[0] or "✔" in drawn[0]  # newest first: this poll's endings on top
        assert any("Failed" in text for text in drawn)
        served.clock.advance(5)
        ending_jobs(served, 1, after=1)
        await app.engine.poll_all()  # a new job appears: its first sight is no event
        served.clock.advance(2)
        await app.engine.poll_all()
        await pilot.pause()
        top = app.main.report.lines.newest(0)
        assert top.kind == "finished" and "Finished" in top.text and "%" not in top.text
        assert "Finished" in "".join(seg.text for seg in panel.render_line(0))
        await pilot.press("escape")  # escape closes the panel first
        assert not panel.has_class("visible") and table.has_focus


async def test_the_event_feed_is_a_screen_of_its_own_on_a_narrow_terminal(served, make_app):
    app = make_app(poll=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await app.engine.poll_all()
        await pilot.pause()
        await pilot.press("l")
        await pilot.pause()
        assert isinstance(app.screen, EventsScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is app.main


async def test_hide_finished_and_finished_rows_without_a_percentage(served, make_app):
    jobs = ending_jobs(served, 3, after=20)
    app = make_app(poll=False)
    async with app.run_test(size=WIDE) as pilot:
        await app.engine.poll_all()
        await pilot.pause()
        served.clock.advance(21)
        await app.engine.poll_all()
        await pilot.pause()
        keys = [("production", "install", job.jobid) for job in jobs]
        table = grid(app)
        for key in keys:
            assert table.cell_text(key, "state") == "✔ Finished"
            assert table.cell_text(key, "progress") == "█" * 10
            table.select(key)
            await pilot.pause()
            line = "".join(seg.text for seg in table.render_line(table.cursor_row + 1))
            assert "██████████" in line and "%" not in line.split("Finished")[1][:20]
        await pilot.press("h")
        await pilot.pause()
        assert not set(keys) & set(table.row_keys) and table.view.hide_finished
        assert all(app.engine.tracker.jobs[k].phase not in ("finished",) for k in table.row_keys)
        await pilot.press("h")
        assert set(keys) <= set(table.row_keys)


async def test_finished_track_all_rows_go_after_retention_tracked_ones_stay(served, tmp_path):
    by_id, anonymous = ending_jobs(served, 2, after=10)
    app = build(served, tmp_path, jobs=[by_id.jobid], retention=120.0)
    async with app.run_test(size=WIDE) as pilot:
        await app.engine.poll_all()
        await pilot.pause()
        kept, dropped = (
            ("production", "install", by_id.jobid),
            ("production", "install", anonymous.jobid),
        )
        assert app.engine.tracker.jobs[kept].source == "config"
        served.clock.advance(11)
        await app.engine.poll_all()
        await pilot.pause()
        assert {kept, dropped} <= set(grid(app).row_keys)  # both finished, both shown
        served.clock.advance(119)
        await app.engine.poll_all()
        await pilot.pause()
        assert dropped in grid(app).row_keys  # not yet: 119 s after it finished
        served.clock.advance(1)
        await app.engine.poll_all()
        await pilot.pause()
        assert dropped not in grid(app).row_keys and dropped not in app.engine.tracker.jobs
        assert kept in grid(app).row_keys  # tracked by id: stays until untracked
        assert f"{len(app.engine.tracker)} jobs" in app.main.header.build().plain


async def test_a_storm_of_300_jobs_ending_over_30_seconds(served, tmp_path, rings):
    """The issue's rollout: 300 jobs finishing (one in ten failing) over 30 s on three accounts,
    polled every half second by hand; the once-a-second tick driven by hand too."""
    speed = served.sim.speed
    accounts = [acc.asid for acc in served.sim.accounts.values()]
    for n in range(300):
        ends = 1 + n * 29 / 299  # spread over 1 … 30 s
        fate = Fate(duration=ends * speed, queue_delay=0, fail_at=60.0 if n % 10 == 0 else None)
        served.sim.add_job(
            accounts[n % len(accounts)],
            state=RUNNING,
            fate=fate,
            target_imageversionid=4243 + n % 2,
        )
    app = build(served, tmp_path)
    most = 0
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await app.engine.poll_all()
        await pilot.pause()
        table = grid(app)
        for step in range(64):  # 32 s
            served.clock.advance(0.5)
            await app.engine.poll_all()
            if step % 2:
                app.main.tick()
            await pilot.pause()
            most = max(most, len(toasts(app)), len(app.toaster.shown))
            assert most <= 3, f"{most} toasts on screen at {step / 2} s"
        ended = [job for job in app.engine.tracker.jobs.values() if job.phase != "running"]
        assert len(ended) == 300
        for job in ended:
            if job.phase == "finished":
                cell = table.cell_text(job.key, "progress")
                assert cell == "█" * 10 and "%" not in table.row_text(job.key)
        finished = sum(job.phase == "finished" for job in ended)
        assert finished == 270
        lines = app.main.report.lines.lines()
        assert sum(line.kind == "finished" for line in lines) == 270  # each on its own line
        assert sum(line.kind == "failed" for line in lines) == 30
    summaries = app.main.alerts.sent
    assert 1 <= summaries <= 32  # at most one a second
    assert len(rings) == summaries  # the bell once per summary, never per job
