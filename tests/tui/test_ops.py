"""Ops monitor features on the real app: alerts once per transition, stalls, export, wall."""

from __future__ import annotations

import csv
from collections import Counter

import pytest
from rich.cells import cell_len

from cfdash.config import StateStore
from cfdash.demo import demo_settings
from cfdash.sim import Fate
from cfdash.tui.alerts import desktop_sequence
from cfdash.tui.screens.wall import WallScreen
from cfdash.tui.widgets.job_grid import JobGrid
from cfdash.tui.widgets.wall import label
from cfdash.tui.wiring import build_app

SIZE = (160, 40)


def grid(app) -> JobGrid:
    return app.main.query_one(JobGrid)


def capture_notices(app) -> list[tuple[str, str]]:
    seen: list[tuple[str, str]] = []
    original = app.notify

    def notify(message, *args, **kwargs):
        seen.append((kwargs.get("title", ""), str(message)))
        return original(message, *args, **kwargs)

    app.notify = notify
    return seen


async def test_one_summary_per_poll_at_most_and_the_event_log(served, make_app, tmp_path):
    app = make_app(poll=False)
    seen = capture_notices(app)
    polls = 0
    async with app.run_test(size=SIZE) as pilot:
        await app.engine.poll_all()
        await pilot.pause()
        for _ in range(6):  # jobs run on, some fail and finish
            served.clock.advance(10)
            await app.engine.poll_all()
            await pilot.pause()
            polls += 1
        quiet = len(seen)
        for _ in range(3):  # nothing new happens: nothing new is said
            await app.engine.poll_all()
            await pilot.pause()
        lines = app.main.report.lines.lines()
    alerts = [(title, text) for title, text in seen if title in ("Finished", "Failed", "Stalled")]
    assert alerts, "the demo world finishes and fails jobs within a minute"
    assert len(alerts) <= polls  # one summary per second at most (the polls are 10 s apart)
    assert len(alerts) == len(set(alerts))  # never repeated
    assert len(seen) == quiet
    assert not any("Completed" in text for _, text in seen)  # one word: Finished
    logged = (tmp_path / "events.jsonl").read_text().splitlines()
    per_job = [line for line in lines if line.kind not in ("queue", "recovered")]
    assert len(logged) == len(per_job) >= len(alerts)  # each transition: a log and a feed line


def test_desktop_notifications_are_wrapped_for_tmux():
    plain = desktop_sequence("cfdash: Failed", "a/1 failed\x1b[31m", env={})
    assert plain.startswith("\x1b]9;cfdash: Failed: a/1 failed") and "\x1b[31m" not in plain
    wrapped = desktop_sequence("t", "b", env={"TMUX": "/tmp/tmux-0/default,1,0"})
    assert wrapped.startswith("\x1bPtmux;\x1b\x1b]9;") and wrapped.endswith("\x1b\\")


async def test_a_stalled_job_is_flagged_and_counted(served, make_app):
    sim = served.sim
    asid = next(acc.asid for acc in sim.accounts.values() if acc.name == "production")
    # Progress sits at 20% for most of a long run: it stalls once stall_after passes.
    frozen = (0.0, 20.0, 20.0, 20.0, 20.0, 20.0, 20.0, 20.0, 20.0, 20.0, 100.0)
    fate = Fate(duration=10_000 * sim.speed, queue_delay=0, curve=frozen)
    job = sim.add_job(asid, state=4, fate=fate, elapsed=2_000 * sim.speed)
    key = ("production", "install", job.jobid)
    app = make_app(poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await app.engine.poll_all()
        await pilot.pause()
        assert grid(app).cell_text(key, "state") == "▶ Running"
        served.clock.advance(601)  # stall_after defaults to 600 s
        await app.engine.poll_all()
        await pilot.pause()
        assert key in app.main.monitor.stalls.stalled
        assert grid(app).cell_text(key, "state") == "⚠ STALLED"
        stalled = len(app.main.monitor.stalls.stalled)
        assert f"⚠ {stalled} stalled" in app.main.header.build().plain


async def test_export_writes_the_rows_in_view(served, make_app, tmp_path):
    app = make_app(poll=False)
    target = tmp_path / "view.csv"
    app.main.export_path = lambda now: target
    async with app.run_test(size=SIZE) as pilot:
        await app.engine.poll_all()
        await pilot.pause()
        await pilot.press("f")  # failed only
        await pilot.press("e")
        await pilot.pause()
    rows = list(csv.DictReader(target.open()))
    failed = [j for j in app.engine.tracker.jobs.values() if j.phase == "failed"]
    assert len(rows) == len(failed) >= 1
    assert rows[0]["error"] == failed[0].error
    assert "demo-secret" not in target.read_text()


@pytest.mark.parametrize("raw", [False, True], ids=["default", "export_raw"])
async def test_export_defuses_formula_cells_unless_export_raw(served, tmp_path, raw):
    asid = next(acc.asid for acc in served.sim.accounts.values() if acc.name == "production")
    job = served.sim.add_job(asid, state=6, error='=HYPERLINK("http://evil.example")')
    settings = demo_settings(served.base_url).model_copy(update={"export_raw": raw})
    store = StateStore(tmp_path / "state.toml")
    app = build_app(settings, store=store, clock=served.clock, poll=False, tick=False)
    target = tmp_path / "view.csv"
    app.main.export_path = lambda now: target
    async with app.run_test(size=SIZE) as pilot:
        await app.engine.poll_all()
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
    rows = {row["job"]: row for row in csv.DictReader(target.open(newline=""))}
    sent = '=HYPERLINK("http://evil.example")'
    assert rows[str(job.jobid)]["error"] == (sent if raw else "'" + sent)


async def test_the_wall_fills_the_screen_and_counts_every_state(served, make_app):
    app = make_app(poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await app.engine.poll_all()
        await pilot.pause()
        await pilot.press("w")
        await pilot.pause()
        assert isinstance(app.screen, WallScreen)
        view = app.screen.view
        assert view.region.width == SIZE[0] and view.region.height == SIZE[1] - 1  # the footer
        phases = Counter(job.phase for job in app.engine.tracker.jobs.values())
        assert {"pending", "created", "failed", "running"} <= phases.keys()  # the demo's mix
        text = view.render().plain
        for phase, count in phases.items():
            assert view.counts.totals[phase] == count
            assert label(phase) in text  # a tile for every state a job is in
        for account in app.engine.accounts:
            jobs = [j for j in app.engine.tracker.jobs.values() if j.account == account]
            line = next(ln for ln in text.splitlines() if ln.startswith(account))
            assert line.split()[1] == str(len(jobs))  # its jobs, then each state's count
        await pilot.press("w")
        await pilot.pause()
        assert app.screen is app.main


async def test_failed_counts_stand_out_without_colour(served, make_app):
    app = make_app(poll=False, theme="mono")
    async with app.run_test(size=SIZE) as pilot:
        await app.engine.poll_all()
        await pilot.pause()
        await pilot.press("w")
        await pilot.pause()
        text = app.screen.view.render()
        at = text.plain.index(label("failed"))
        styles = [span.style for span in text.spans if span.start <= at < span.end]
        assert any(getattr(style, "reverse", False) for style in styles)
        at = text.plain.index(label("running"))
        styles = [span.style for span in text.spans if span.start <= at < span.end]
        assert not any(getattr(style, "reverse", False) for style in styles)


@pytest.mark.parametrize("size", [(80, 24), (120, 40), (250, 60)])
async def test_every_account_line_fits_the_width(served, make_app, size):
    app = make_app(poll=False)
    async with app.run_test(size=size) as pilot:
        await app.engine.poll_all()
        await pilot.pause()
        await pilot.press("w")
        await pilot.pause()
        lines = app.screen.view.render().plain.splitlines()
        assert len(lines) <= size[1] - 1
        assert all(cell_len(line) <= size[0] for line in lines)
        for account in app.engine.accounts:  # named in full, with how its connection is
            line = next(ln for ln in lines if ln.startswith(account))
            assert line.rstrip().endswith("ok")
        runs, run = [], 0  # the digits' height: the longest run of lines drawing blocks
        for line in lines:
            run = run + 1 if "█" in line else 0
            runs.append(run)
        assert max(runs) >= (15 if size == (250, 60) else 3)  # a quarter of 60 rows
