"""The releases panel in a tiny app of its own: lines, selection, messages, one snapshot.

Releases come from :func:`rollup` over a tracker fed synthetic status lists, so the panel is
tested on what the dashboard will hand it; no network, a frozen clock, no timers.
"""

from __future__ import annotations

from textual.app import App, ComposeResult

from cfdash.api.models import StatusItem
from cfdash.engine.releases import rollup
from cfdash.engine.tracking import TrackedJob, Tracker
from cfdash.tui.themes import DEFAULT_THEME, load_themes
from cfdash.tui.widgets.release_panel import ReleasePanel

T0 = 1_767_225_600.0
PENDING, QUEUED, RUNNING, COMPLETE, FAILED = 2, 3, 4, 5, 6
SIZE = (110, 12)


def item(jobid: int, state: int, progress: int = 0, release: int | None = 4242, **fields):
    return StatusItem(
        jobid=jobid,
        jobstateid=state,
        jobprogress=progress,
        target_imageversionid=release,
        **fields,
    )


FIRST = [
    # v4242: 3 running (two mirrors, one machine), 1 queued, 1 failed, 2 that finish below.
    item(1, RUNNING, 40, mirroring=True, mirror="eu-mirror", jobeta=int(T0) + 300),
    item(2, RUNNING, 60, mirroring=True, mirror="us-mirror", jobeta=int(T0) + 250),
    item(3, RUNNING, 20, mirroring=False, machine="m-3", jobeta=int(T0) + 900),
    item(4, QUEUED, 0, mirroring=False, machine="m-4"),
    item(5, FAILED, 30, mirroring=False, machine="m-5", jobfailed=2),
    item(6, COMPLETE, 100, mirroring=False, machine="m-6"),
    item(7, RUNNING, 90, mirroring=False, machine="m-7"),
    # v4243: 1 pending, 1 failed machine.
    item(8, PENDING, 0, release=4243, mirroring=False, machine="m-8"),
    item(9, FAILED, 50, release=4243, mirroring=False, machine="m-9", jobfailed=1),
]


def tracker() -> Tracker:
    tracker = Tracker(["a"])
    tracker.merge("a", FIRST, T0)
    tracker.merge("a", [i for i in FIRST if i.jobid not in (6, 7)], T0 + 5)  # 6, 7 finished
    return tracker


class PanelApp(App[None]):
    """Just the panel, in the dashboard's default theme, recording what it posts."""

    def __init__(self, now: float = T0 + 10) -> None:
        super().__init__()
        self.now = now
        self.posted: list[ReleasePanel.Chosen | ReleasePanel.Closed] = []
        for theme in load_themes(None).themes.values():
            self.register_theme(theme)
        self.theme = DEFAULT_THEME

    def compose(self) -> ComposeResult:
        yield ReleasePanel(lambda: self.now)

    def on_mount(self) -> None:
        panel = self.query_one(ReleasePanel)
        panel.update_releases(rollup(tracker().jobs.values()))
        panel.focus()

    def on_release_panel_chosen(self, message: ReleasePanel.Chosen) -> None:
        self.posted.append(message)

    def on_release_panel_closed(self, message: ReleasePanel.Closed) -> None:
        self.posted.append(message)


def panel(app: App) -> ReleasePanel:
    return app.query_one(ReleasePanel)


async def test_lines_show_counts_progress_eta_and_kinds():
    app = PanelApp()
    async with app.run_test(size=SIZE):
        every, v4242, v4243 = panel(app).line_texts()
        # v4242: mean of 40, 60, 20, 0, 30, 100, 100 = 50; latest running ETA in 890 s.
        assert v4242.startswith("v4242")
        assert "7 jobs" in v4242
        assert "▶3 ◔1 ✖1 ✔2" in v4242
        assert " 50%" in v4242
        assert "eta 14m" in v4242
        assert "2 failures" in v4242
        assert v4242.endswith("2 mirror · 5 machine")
        # v4243: mean of 0 and 50 = 25; nothing running, so no ETA.
        assert v4243.startswith("v4243") and "2 jobs" in v4243
        assert "◌1 ✖1" in v4243 and " 25%" in v4243 and "eta" not in v4243
        assert v4243.endswith("1 failure   0 mirror · 2 machine")
        # All: every job, weighted mean (7 × 50 + 2 × 25) / 9 = 44.4.
        assert every.startswith("All releases") and "9 jobs" in every
        assert "▶3 ◔1 ◌1 ✖2 ✔2" in every and " 44%" in every and "3 failures" in every
        # Columns line up: the progress bars start in the same place.
        assert len({line.index("%") for line in (every, v4242, v4243)}) == 1


async def test_countdown_moves_with_the_clock():
    app = PanelApp()
    async with app.run_test(size=SIZE) as pilot:
        jobs = tracker().jobs.values()
        app.now = T0 + 900 + 125  # job 3's ETA passed 2m05s ago
        panel(app).update_releases(rollup(jobs))
        await pilot.pause()
        assert "eta overdue 2m05s" in panel(app).line_texts()[1]


async def test_update_keeps_the_selection_on_the_same_release():
    app = PanelApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("down", "down")
        assert panel(app).selected.imageversionid == 4243
        # A new release sorts in before it: the highlight follows v4243, not the index.
        tracked = tracker()
        tracked.merge("a", [*FIRST, item(20, RUNNING, 5, release=4100, mirroring=True)], T0 + 6)
        panel(app).update_releases(rollup(tracked.jobs.values()))
        await pilot.pause()
        assert [line[:5] for line in panel(app).line_texts()[1:]] == ["v4100", "v4242", "v4243"]
        assert panel(app).selected.imageversionid == 4243
        # Its release gone: back to "All releases".
        tracked.remove(("a", "install", 8))
        tracked.remove(("a", "install", 9))
        panel(app).update_releases(rollup(tracked.jobs.values()))
        await pilot.pause()
        assert panel(app).selected is None and panel(app).highlighted == 0


async def test_enter_posts_chosen_with_the_version_and_all_posts_none():
    app = PanelApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("down", "enter")
        await pilot.press("up", "enter")
        await pilot.press("escape")
        await pilot.pause()
        chosen, everything, closed = app.posted
        assert isinstance(chosen, ReleasePanel.Chosen) and chosen.imageversionid == 4242
        assert not chosen.everything
        assert isinstance(everything, ReleasePanel.Chosen) and everything.imageversionid is None
        assert everything.everything and not everything.no_release
        assert isinstance(closed, ReleasePanel.Closed)


async def test_jobs_of_no_release_have_their_own_line():
    app = PanelApp()
    async with app.run_test(size=SIZE) as pilot:
        tracked = tracker()
        tracked.add(TrackedJob("a", 99, mirroring_setting=True))  # never listed
        panel(app).update_releases(rollup(tracked.jobs.values()))
        await pilot.pause()
        assert panel(app).line_texts()[-1].startswith("no release")
        await pilot.press("end", "enter")
        await pilot.pause()
        [chosen] = app.posted
        assert chosen.imageversionid is None and chosen.no_release and not chosen.everything


def test_release_panel_snapshot(snap_compare):
    async def run_before(pilot):
        await pilot.press("down")  # v4242 highlighted

    assert snap_compare(PanelApp(), terminal_size=SIZE, run_before=run_before)
