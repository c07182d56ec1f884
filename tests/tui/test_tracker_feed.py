"""The main screen's one "tracker changed" signal, and the panels that follow it."""

from __future__ import annotations

from textual.widgets import Static

from cfdash.tui.feed import TrackerChanged, TrackerFeed

SIZE = (160, 40)


class Spy(Static):
    """A panel as a future one would be written: subscribe in on_mount, and that is all."""

    def __init__(self, feed: TrackerFeed) -> None:
        super().__init__()
        self.feed = feed
        self.heard: list[TrackerChanged] = []

    def on_mount(self) -> None:
        self.feed.subscribe(self, self.heard.append)


def changed_keys(events) -> set:
    keys: set = set()
    for event in events:
        keys |= event.changes.added | event.changes.changed | event.changes.removed
    return keys


async def test_a_new_panel_hears_each_applied_poll_with_its_rows(served, make_app):
    app = make_app(poll=False)
    async with app.run_test(size=SIZE) as pilot:
        spy = Spy(app.main.feed)
        await app.main.mount(spy)
        assert len(spy.heard) == 1 and spy.heard[0].keys == frozenset()  # the state at once
        assert spy.heard[0].accounts == app.engine.accounts
        events = await app.engine.poll_all()
        await pilot.pause()
        heard = spy.heard[1:]
        assert len(heard) == sum(1 for event in events if event.changes)  # once per poll
        assert set().union(*(change.keys for change in heard)) == changed_keys(events)
        assert heard[-1].jobs is app.engine.tracker.jobs


async def test_with_the_tick_deferred_polls_are_one_signal(served, make_app):
    app = make_app(poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await app.engine.poll_all()  # new rows are drawn (and told) at once
        await pilot.pause()
        spy = Spy(app.main.feed)
        await app.main.mount(spy)
        app.main.defer_polls = True  # as when the app's one-second tick runs
        served.clock.advance(10)
        events = await app.engine.poll_all()
        await pilot.pause()
        assert len(spy.heard) == 1  # nothing until the tick
        app.main.tick()
        [change] = spy.heard[1:]
        assert change.keys >= changed_keys(events) and change.keys


async def test_shown_panels_follow_polls_without_being_named(served, make_app):
    app = make_app(poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await app.engine.poll_all()
        await pilot.pause()
        await pilot.press("v", "w")  # the releases beside the table, the wall on top
        await pilot.pause()
        wall, releases = app.screen.view, app.main.releases
        before = releases.line_texts()
        running = sum(1 for j in app.engine.tracker.jobs.values() if j.phase == "running")
        assert wall.counts.totals["running"] == running
        served.clock.advance(10)  # jobs run on; some finish
        await app.engine.poll_all()
        await pilot.pause()
        now_running = sum(1 for j in app.engine.tracker.jobs.values() if j.phase == "running")
        assert now_running != running  # so the wall had something to follow
        assert wall.counts.totals["running"] == now_running
        assert releases.line_texts() != before
        assert f"{now_running} running" in app.main.header.build().plain


async def test_the_header_follows_while_another_screen_is_on_top(served, make_app):
    app = make_app(poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await app.engine.poll_all()
        await pilot.pause()
        app.main.table.select(next(iter(app.engine.tracker.jobs)))
        await pilot.press("enter")
        assert app.screen is not app.main  # the details screen
        served.clock.advance(30)  # jobs finish and fail meanwhile
        await app.engine.poll_all()
        await pilot.pause()
        failed = sum(1 for j in app.engine.tracker.jobs.values() if j.phase == "failed")
        assert failed > 1 and f"✖ {failed} failed" in app.main.header.build().plain
