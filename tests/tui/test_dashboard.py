"""Pilot tests of the dashboard against the simulator over real HTTP, on its fake clock."""

from __future__ import annotations

from cfdash.sim import Fault, FaultKind
from cfdash.tui.screens.add_job import AddJobScreen
from cfdash.tui.screens.confirm import ConfirmScreen
from cfdash.tui.screens.details import DetailsScreen
from cfdash.tui.widgets.job_grid import JobGrid

from .conftest import notices_of, wait_for

SIZE = (160, 40)


def table(app) -> JobGrid:
    return app.main.query_one(JobGrid)


def cell(app, key, column) -> str:
    return table(app).cell_text(key, column)


def row_text(app, key) -> str:
    return table(app).row_text(key)


async def test_rows_appear_and_move_with_the_clock(served, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(lambda: table(app).row_count == len(served.sim.jobs), pilot)
        running = next(j for j in app.engine.tracker.jobs.values() if j.phase == "running")
        line = row_text(app, running.key)
        assert str(running.jobid) in line and "Running" in line  # id and state on one line
        before = cell(app, running.key, "progress")
        served.clock.advance(2)  # 80 s of service time at the demo speed
        await app.engine.poll(running.account)
        await wait_for(lambda: cell(app, running.key, "progress") != before, pilot)
        assert cell(app, running.key, "age") == "now"


async def test_one_status_request_per_account_per_refresh(served, make_app, stepped_sleep):
    app = make_app()
    app.engine.sleep = stepped_sleep  # each loop sleeps once per poll: asleep means answered
    async with app.run_test(size=SIZE) as pilot:
        accounts = len(served.sim.accounts)
        await stepped_sleep.until(lambda: stepped_sleep.asleep == accounts)
        assert served.sim.requests.count("status") == accounts
        await pilot.press("r")
        await stepped_sleep.until(
            lambda: len(stepped_sleep.delays) == 2 * accounts and stepped_sleep.asleep == accounts
        )
        assert served.sim.requests.count("status") == 2 * accounts
        for asid in served.sim.accounts:
            assert served.sim.requests.count("status", asid) == 2


async def test_queue_confirms_and_sends_exactly_one_request(served, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(lambda: table(app).row_count == len(served.sim.jobs), pilot)
        job = next(j for j in app.engine.tracker.jobs.values() if j.phase == "pending")
        table(app).select(job.key)
        await pilot.press("q", "q")  # a held or repeated key
        assert isinstance(app.screen, ConfirmScreen)
        body = str(app.screen.body_text)
        assert str(job.jobid) in body and job.account in body
        assert f"Mirroring  {str(job.mirroring).lower()}" in body
        await pilot.press("enter")
        await wait_for(lambda: "Queued" in cell(app, job.key, "state"), pilot)
        shown = notices_of(app)
        await pilot.press("q")  # Queued now: left out with a word, not sent again
        assert not isinstance(app.screen, ConfirmScreen)
        assert any("it is Queued" in text and "--force" in text for text in shown)
        await wait_for(lambda: not [w for w in app.workers if w.group == "queue"], pilot)
        calls = served.sim.requests.queue_calls
        assert [c.jobid for c in calls] == [job.jobid]


async def test_escape_cancels_the_queue(served, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(lambda: table(app).row_count == len(served.sim.jobs), pilot)
        job = next(j for j in app.engine.tracker.jobs.values() if j.phase == "pending")
        table(app).select(job.key)
        await pilot.press("q")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("escape")
        await wait_for(lambda: not isinstance(app.screen, ConfirmScreen), pilot)
        await pilot.pause()  # the dismissal's callback has run: a queue would have a worker
        assert not [worker for worker in app.workers if worker.group == "queue"]
        assert served.sim.requests.count("queue") == 0


async def test_queue_refusal_shows_the_message_in_the_row(served, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(lambda: table(app).row_count == len(served.sim.jobs), pilot)
        job = next(j for j in app.engine.tracker.jobs.values() if j.phase == "pending")
        table(app).select(job.key)
        served.sim.faults.add(Fault(FaultKind.ERROR_ENVELOPE, endpoint="queue", count=1))
        await pilot.press("q", "y")
        await wait_for(lambda: "image locked" in cell(app, job.key, "queue"), pilot)
        assert served.sim.requests.count("queue") == 1


async def test_add_and_remove_survive_a_restart(served, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(lambda: table(app).row_count == len(served.sim.jobs), pilot)
        await pilot.press("a")
        assert isinstance(app.screen, AddJobScreen)
        await pilot.press(*"4242")
        await pilot.press("enter")
        await wait_for(lambda: ("production", "install", 4242) in app.engine.tracker.jobs, pilot)
        gone = next(key for key in app.engine.tracker.jobs if key[0] == "staging")
        table(app).select(gone)
        await pilot.press("d", "y")
        await wait_for(lambda: gone not in app.engine.tracker.jobs, pilot)

    again = make_app()
    async with again.run_test(size=SIZE) as pilot:
        await wait_for(lambda: table(again).row_count >= len(served.sim.jobs), pilot)
        assert ("production", "install", 4242) in again.engine.tracker.jobs
        assert "not found" in cell(
            again, ("production", "install", 4242), "state"
        )  # read, never seen
        assert gone not in again.engine.tracker.jobs


async def test_add_rejects_a_bad_job_id(served, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a")
        await pilot.press(*"0", "enter")
        assert isinstance(app.screen, AddJobScreen)
        assert "positive whole number" in str(app.screen.query_one("#error").render())
        await pilot.press("escape")
        assert not isinstance(app.screen, AddJobScreen)


async def test_filter_sort_and_failed_only(served, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(lambda: table(app).row_count == len(served.sim.jobs), pilot)
        await pilot.press("slash", *"staging")
        await pilot.pause()
        assert table(app).row_count == sum(1 for k in app.engine.tracker.jobs if k[0] == "staging")
        await pilot.press("enter")  # keeps the filter, back to the table
        assert table(app).has_focus and table(app).filter_text == "staging"
        await pilot.press("slash", "escape")
        assert table(app).row_count == len(served.sim.jobs)

        await pilot.press("f")
        failed = [j for j in app.engine.tracker.jobs.values() if j.phase == "failed"]
        assert failed and table(app).row_count == len(failed)
        await pilot.press("f")

        await pilot.press("s")  # by state: failed first
        assert table(app).sort_label == "state"
        assert shown_jobs(app)[0].phase == "failed"
        await pilot.press("s")  # by progress, highest first
        assert table(app).sort_label == "progress"
        progress = [job.progress or 0 for job in shown_jobs(app)]
        assert progress == sorted(progress, reverse=True)
        assert len(set(progress)) > 1  # the order was actually tested


def shown_jobs(app):
    """The tracked jobs in the order the table shows them."""
    return [app.engine.tracker.get(key) for key in table(app).row_keys]


def tuple_key(value: str) -> tuple[str, int]:
    account, _, jobid = value.rpartition("/")
    return account, int(jobid)


async def test_details_show_every_field_and_history(served, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(lambda: table(app).row_count == len(served.sim.jobs), pilot)
        failed = next(j for j in app.engine.tracker.jobs.values() if j.phase == "failed")
        table(app).select(failed.key)
        await pilot.press("enter")
        assert isinstance(app.screen, DetailsScreen)
        text = str(app.screen.query_one("#details").render())
        assert failed.error in text and "jobfailed" in text and "raw JSON" in text
        assert "history" in text and "Failed" in text
        await pilot.press("escape")
        assert not isinstance(app.screen, DetailsScreen)


async def test_account_in_error_shows_in_the_header_and_rows_keep_values(served, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(lambda: table(app).row_count == len(served.sim.jobs), pilot)
        asid = next(a.asid for a in served.sim.accounts.values() if a.name == "staging")
        served.sim.faults.add(Fault(FaultKind.HTTP_503, endpoint="status", asid=asid))
        await app.engine.poll("staging")
        await pilot.pause()
        header = app.main.header.build().plain
        assert "staging ✖ server error 503" in header and "production ✔ ok" in header
        assert table(app).row_count == len(served.sim.jobs)


async def test_bad_items_of_a_healthy_account_are_named_on_its_line(served, make_app):
    """Items left out of the list have no row: the account's line is where they are told."""
    app = make_app(poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await app.engine.poll_all()
        await pilot.pause()
        accounts = app.main.header.build().plain.splitlines()[1]
        assert "bad item" not in accounts
        app.engine.health("production").bad_items = 1  # as the engine counts them after a read
        app.engine.health("staging").bad_items = 3
        accounts = app.main.header.build().plain.splitlines()[1]
        assert "production ✔ ok, 1 bad item" in accounts
        assert "staging ✔ ok, 3 bad items" in accounts


async def test_pause_and_help(served, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("p")
        assert app.engine.paused and "PAUSED" in app.main.header.build().plain
        await pilot.press("p")
        assert not app.engine.paused
        await pilot.press("question_mark")
        rows = dict((d, k) for k, d in app.help_rows())
        assert rows["Queue"] == "q" and rows["Filter"] == "/"


async def test_every_action_is_in_the_command_palette(served, make_app):
    app = make_app(poll=False)
    async with app.run_test(size=SIZE):
        titles = {command.title for command in app.get_system_commands(app.main)}
        assert {"Queue", "Add", "Untrack", "Refresh", "Pause", "Filter", "Sort"} <= titles


async def test_add_picks_untracked_jobs_from_the_account(served, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(lambda: table(app).row_count == len(served.sim.jobs), pilot)
        gone = [key for key in app.engine.tracker.jobs if key[0] == "production"][:2]
        for key in gone:
            app.engine.remove(key)
        await pilot.press("a")
        await pilot.press("tab", "tab", "tab", "tab", "tab", "space", "down", "space", "ctrl+s")
        await wait_for(lambda: all(key in app.engine.tracker.jobs for key in gone), pilot)
        assert all(app.engine.tracker.jobs[key].phase != "notlisted" for key in gone)


async def test_release_panel_filters_the_table_to_one_release(served, make_app):
    app = make_app(poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await app.engine.poll_all()
        await pilot.pause()
        await pilot.press("v")
        panel = app.main.releases
        assert panel.display and panel.has_focus
        await pilot.press("down", "enter")  # the first release after "All releases"
        version = table(app).release
        assert version is not None and table(app).has_focus
        shown = {app.engine.tracker.jobs[key].release for key in table(app).row_keys}
        assert shown == {version}
        expected = sum(1 for j in app.engine.tracker.jobs.values() if j.release == version)
        assert table(app).row_count == expected
        await pilot.press("v", "home", "enter")  # back to all
        assert table(app).release is None
        assert table(app).row_count == len(app.engine.tracker.jobs)


async def test_polls_that_add_track_all_rows_do_not_rewrite_the_state_file(
    served, make_app, tmp_path
):
    app = make_app(poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await app.engine.poll_all()  # track_all brings every row in: nothing of the user's
        await pilot.pause()
        assert not (tmp_path / "state.toml").exists()
        await pilot.press("a", *"4242", "enter")
        await wait_for(lambda: (tmp_path / "state.toml").exists(), pilot)
