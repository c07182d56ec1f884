"""The add dialog's picker against the real app and the simulator over real HTTP.

The dashboard does not hand the dialog its ``untracked`` jobs yet, so each test pushes the
screen itself, built as the dashboard will build it: after a poll, from
``Tracker.untracked(account)``, with a few jobs untracked first so there is something to pick.
"""

from __future__ import annotations

from textual.widgets import Input, Label, Select, SelectionList

from cfdash.engine.tracking import TrackedJob
from cfdash.tui.screens.add_job import AddJobRequest, AddJobScreen

SIZE = (120, 40)


async def open_picker(app, pilot) -> tuple[AddJobScreen, list, list[TrackedJob]]:
    """Poll, stop tracking three production jobs, push the dialog; (screen, results, gone)."""
    await app.engine.poll_all()
    await pilot.pause()
    production = app.engine.accounts[0]
    gone = [job for key, job in app.engine.tracker.jobs.items() if key[0] == production][:3]
    for job in gone:
        app.engine.remove(job.key)
    untracked = {name: app.engine.tracker.untracked(name) for name in app.engine.accounts}
    tracked = set(app.engine.tracker.jobs)
    results: list = []
    app.push_screen(AddJobScreen(app.engine.accounts, tracked, untracked=untracked), results.append)
    await pilot.pause()
    assert isinstance(app.screen, AddJobScreen)
    return app.screen, results, gone


def listed(screen: AddJobScreen) -> list[int]:
    picks = screen.query_one("#picks", SelectionList)
    if not picks.display:
        return []
    return [picks.get_option_at_index(i).value for i in range(picks.option_count)]


def status(screen: AddJobScreen) -> str:
    return str(screen.query_one("#pick-status", Label).render())


async def type_filter(screen: AddJobScreen, pilot, text: str) -> None:
    box = screen.query_one("#pick-filter", Input)
    box.focus()
    box.value = ""
    await pilot.press(*text)
    await pilot.pause()


async def test_the_list_shows_only_untracked_jobs(make_app):
    app = make_app(poll=False)
    async with app.run_test(size=SIZE) as pilot:
        screen, _results, gone = await open_picker(app, pilot)
        assert screen.account == "production"
        assert listed(screen) == [job.jobid for job in gone]
        tracked = {
            jobid for account, _, jobid in app.engine.tracker.jobs if account == "production"
        }
        assert tracked and not tracked & set(listed(screen))
        assert status(screen).startswith("3 untracked jobs · 0 selected")
        # Another account: everything there is tracked, which one dim line says.
        screen.query_one("#account", Select).value = "staging"
        await pilot.pause()
        assert listed(screen) == []
        assert status(screen) == "No untracked jobs in staging's last status list."
        assert not screen.query_one("#pick-filter", Input).display
        screen.query_one("#account", Select).value = "production"
        await pilot.pause()
        assert listed(screen) == [job.jobid for job in gone]


async def test_filtering_narrows_the_list(make_app):
    app = make_app(poll=False)
    async with app.run_test(size=SIZE) as pilot:
        screen, _results, gone = await open_picker(app, pilot)
        failed = [job for job in gone if job.phase == "failed"]
        assert failed, "the demo world has a failed production job"
        await type_filter(screen, pilot, "failed")
        assert listed(screen) == [job.jobid for job in failed]
        assert status(screen).startswith("1 of 3 untracked jobs match")

        version = gone[-1].release
        await type_filter(screen, pilot, f"v{version}")
        assert listed(screen) == [job.jobid for job in gone if job.release == version]

        mirror = next(job for job in gone if job.mirroring)
        await type_filter(screen, pilot, f"{mirror.item.mirror} {mirror.jobid}")  # words AND
        assert listed(screen) == [mirror.jobid]

        await type_filter(screen, pilot, "nothing-like-this")
        assert listed(screen) == []
        assert status(screen).startswith("Nothing matches 'nothing-like-this'")


async def test_two_picked_jobs_come_back_with_their_mirroring_flags(make_app):
    app = make_app(poll=False)
    async with app.run_test(size=SIZE) as pilot:
        screen, results, gone = await open_picker(app, pilot)
        mirror = next(job for job in gone if job.mirroring is True)
        machine = next(job for job in gone if job.mirroring is False)
        # Focus starts on the job id; the list is five tabs on (after the stage).
        assert app.focused is screen.query_one("#jobid", Input)
        await pilot.press("tab", "tab", "tab", "tab", "tab")
        picks = screen.query_one("#picks", SelectionList)
        assert app.focused is picks
        order = listed(screen)
        for job in sorted((mirror, machine), key=lambda j: order.index(j.jobid)):
            picks.highlighted = order.index(job.jobid)
            await pilot.press("space")
        await pilot.pause()
        assert status(screen).startswith("3 untracked jobs · 2 selected")
        assert "(2)" in str(screen.query_one("#add-selected").label)
        await pilot.press("ctrl+s")
        await pilot.pause()
        expected = [
            AddJobRequest("production", job.jobid, job.mirroring, None)
            for job in gone
            if job in (mirror, machine)
        ]
        assert results == [expected]
        assert {request.mirroring for request in expected} == {True, False}
        assert not isinstance(app.screen, AddJobScreen)


async def test_picks_survive_the_filter_and_the_button_adds_them(make_app):
    app = make_app(poll=False)
    async with app.run_test(size=SIZE) as pilot:
        screen, results, gone = await open_picker(app, pilot)
        first, last = gone[0], gone[-1]
        await type_filter(screen, pilot, str(first.jobid))
        await pilot.press("enter", "space")  # enter: on to the list; space ticks
        await type_filter(screen, pilot, str(last.jobid))
        await pilot.press("enter", "space")
        assert status(screen).endswith("2 selected (1 not shown) · space toggles, ctrl+s adds them")
        await pilot.click("#add-selected")
        await pilot.pause()
        assert [[(r.jobid, r.mirroring, r.label) for r in requests] for requests in results] == [
            [(first.jobid, first.mirroring, None), (last.jobid, last.mirroring, None)]
        ]


async def test_adding_nothing_says_so_and_escape_cancels(make_app):
    app = make_app(poll=False)
    async with app.run_test(size=SIZE) as pilot:
        screen, results, _gone = await open_picker(app, pilot)
        assert screen.query_one("#add-selected").disabled
        await pilot.press("ctrl+s")
        assert "Nothing selected" in str(screen.query_one("#error", Label).render())
        await pilot.press("escape")
        await pilot.pause()
        assert results == [None]


async def test_the_job_id_form_still_returns_one_request(make_app):
    app = make_app(poll=False)
    async with app.run_test(size=SIZE) as pilot:
        screen, results, _gone = await open_picker(app, pilot)
        tracked = next(key for key in app.engine.tracker.jobs if key[0] == "production")
        await pilot.press(*str(tracked.jobid), "enter")
        assert "already tracked" in str(screen.query_one("#error", Label).render())
        screen.query_one("#jobid", Input).value = ""
        await pilot.press(*"4242", "tab", "enter", "down", "enter")  # mirroring: true
        await pilot.press("tab", *"EU box", "enter")
        await pilot.pause()
        assert results == [[AddJobRequest("production", 4242, True, "EU box")]]
