"""What the rows claim is true: the queue column apart from the job's error, unconfirmed rows
during an outage, a confirm that leaves out what must not be sent, and the audit trail — on
the real app against the simulator over real HTTP."""

from __future__ import annotations

import json

from rich.style import Style

from cfdash.sim import Fault, FaultKind
from cfdash.tui.screens.confirm import BulkConfirmScreen, ConfirmScreen
from cfdash.tui.widgets.job_grid import JobGrid

from .conftest import notices_of, wait_for

SIZE = (160, 40)


def grid(app) -> JobGrid:
    return app.main.query_one(JobGrid)


def cell(app, key, column) -> str:
    return grid(app).cell_text(key, column)


def jobs_in(app, *phases):
    return [j for j in app.engine.tracker.jobs.values() if j.phase in phases]


def asid_of(served, name: str) -> int:
    return next(a.asid for a in served.sim.accounts.values() if a.name == name)


async def queue_selected(app, pilot, job) -> None:
    grid(app).select(job.key)
    await pilot.press("q")
    assert isinstance(app.screen, ConfirmScreen)
    await pilot.press("y")


async def test_the_queue_column_says_queued_refused_and_unknown_until_settled(served, make_app):
    app = make_app(poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await app.engine.poll_all()
        await pilot.pause()
        ok, refused, lost = jobs_in(app, "pending", "created")[:3]

        await queue_selected(app, pilot, ok)
        await wait_for(lambda: cell(app, ok.key, "queue") == "queued ✓", pilot)
        assert cell(app, ok.key, "error") == ""  # the answer is not the job's error

        served.sim.faults.add(
            Fault(FaultKind.ERROR_ENVELOPE, endpoint="queue", jobid=refused.jobid, count=1)
        )
        await queue_selected(app, pilot, refused)
        await wait_for(lambda: cell(app, refused.key, "queue").startswith("refused:"), pilot)
        assert cell(app, refused.key, "queue") == "refused: image locked by diffid: 218595"
        assert cell(app, refused.key, "error") == ""

        served.sim.faults.add(
            Fault(FaultKind.HTTP_503, endpoint="queue", jobid=lost.jobid, count=1)
        )
        await queue_selected(app, pilot, lost)
        await wait_for(lambda: cell(app, lost.key, "queue") == "outcome unknown", pilot)
        await app.engine.poll_all()  # a status read, not the queue call again, settles it
        await wait_for(lambda: cell(app, lost.key, "queue") != "outcome unknown", pilot)
        verdict = "took effect" if lost.state.is_active else "no effect"
        assert cell(app, lost.key, "queue") == f"unknown → {verdict}"
        assert served.sim.requests.count("queue") == 3  # one each, never retried
        assert cell(app, ok.key, "queue") == "queued ✓"  # still the last action of that row


async def test_an_old_job_error_is_not_shown_as_current_while_the_queue_outcome_is_unknown(
    served, make_app
):
    app = make_app(poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await app.engine.poll_all()
        await pilot.pause()
        [failed] = jobs_in(app, "failed")
        error = failed.error
        assert cell(app, failed.key, "error") == error
        served.sim.faults.add(Fault(FaultKind.DROP_CONNECTION, endpoint="queue", count=1))
        await queue_selected(app, pilot, failed)
        await wait_for(lambda: cell(app, failed.key, "queue") == "outcome unknown", pilot)
        assert cell(app, failed.key, "error") == f"was: {error}"
        assert grid(app).cell_style(failed.key, "error").dim


async def test_a_hung_queue_shows_in_flight_and_the_old_error_as_past(served, make_app):
    app = make_app(poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await app.engine.poll_all()
        await pilot.pause()
        [failed] = jobs_in(app, "failed")
        error = failed.error
        served.clock.advance(1)  # the queue goes out after the last read
        served.sim.faults.add(Fault(FaultKind.SLOW, endpoint="queue", delay=1.0, count=1))
        await queue_selected(app, pilot, failed)
        await wait_for(lambda: cell(app, failed.key, "queue") == "queueing…", pilot)
        assert cell(app, failed.key, "error") == f"was: {error}"
        await wait_for(lambda: cell(app, failed.key, "queue") == "queued ✓", pilot)
        assert cell(app, failed.key, "error") == f"was: {error}"  # not read since the queue
        await app.engine.poll(failed.account)
        await pilot.pause()
        assert not cell(app, failed.key, "error").startswith("was:")


async def test_rows_are_unconfirmed_during_an_outage_never_overdue(served, make_app):
    app = make_app(poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await app.engine.poll_all()
        await pilot.pause()
        running = [j for j in jobs_in(app, "running") if j.account == "production"]
        production = [j for j in app.engine.tracker.jobs.values() if j.account == "production"]
        job = running[0]
        eta_before = cell(app, job.key, "eta")
        assert eta_before and not eta_before.startswith("overdue")

        outage = Fault(FaultKind.HTTP_500, endpoint="status", asid=asid_of(served, "production"))
        served.sim.faults.add(outage)
        await app.engine.poll("production")
        served.clock.advance(job.eta - served.clock() + 120)  # two minutes past its ETA
        await app.engine.poll("production")
        app.main.tick()
        await pilot.pause()

        assert cell(app, job.key, "state") == "▶ Running ?"
        # The ? is drawn dim, the word keeps its state colour.
        segments = {seg.text.strip(): seg.style for seg in grid(app).painter.row_strip(job.key)}
        assert (segments["?"] or Style()).dim and not (segments["▶ Running"] or Style()).dim
        assert cell(app, job.key, "eta") == eta_before  # stopped, not "overdue 2m"
        assert not app.main.monitor.stalls.stalled
        header = app.main.header.build().plain
        assert f"? {len(production)} unconfirmed" in header
        assert "production ✖ server error 500" in header and "unconfirmed since" in header
        staging = next(j for j in app.engine.tracker.jobs.values() if j.account == "staging")
        assert not cell(app, staging.key, "state").endswith("?")  # its account reads fine

        served.sim.faults.clear()
        await app.engine.poll("production")
        await pilot.pause()
        assert not cell(app, job.key, "state").endswith("?")
        assert "unconfirmed" not in app.main.header.build().plain


async def test_the_bulk_confirm_leaves_out_running_queued_and_not_found_jobs(served, make_app):
    app = make_app(poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await app.engine.poll_all()
        await pilot.pause()
        await pilot.press("a", *"4242", "enter")  # production/4242: no such job
        await wait_for(lambda: ("production", "install", 4242) in app.engine.tracker.jobs, pilot)
        await app.engine.poll_all()
        await pilot.pause()
        assert cell(app, ("production", "install", 4242), "state") == "∅ not found"
        assert "a wrong id" in cell(app, ("production", "install", 4242), "error")

        sendable = jobs_in(app, "pending", "created", "failed")
        active = jobs_in(app, "running", "queued")
        await pilot.press("ctrl+a", "q")
        assert isinstance(app.screen, BulkConfirmScreen)
        body = app.screen.body_text
        sent_part, left_part = body.split("Left out")
        assert all(f"{j.account}/{j.jobid}" in sent_part for j in sendable)
        assert not any(f"{j.account}/{j.jobid}" in sent_part for j in active)
        assert f"Running or queued ({len(active)}):" in left_part
        assert "Not found (1): production/4242" in left_part and "a wrong id" in left_part
        assert "Enter cancels" in body

        await pilot.press("y")
        await wait_for(
            lambda: served.sim.requests.count("queue") == len(sendable), pilot, timeout=10
        )
        # Once the bulk worker has finished, nothing more can be sent (poll=False).
        await wait_for(lambda: not [w for w in app.workers if w.group == "queue"], pilot)
        calls = sorted(call.jobid for call in served.sim.requests.queue_calls)
        assert calls == sorted(j.jobid for j in sendable)


async def test_enter_cancels_a_bulk_confirm_and_y_confirms_it(served, make_app):
    app = make_app(poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await app.engine.poll_all()
        await pilot.pause()
        await pilot.press("x")  # one failed job, plus a pending one: a bulk of two
        pending = jobs_in(app, "pending")[0]
        grid(app).select(pending.key)
        await pilot.press("space")
        assert len(grid(app).marked) == 2
        await pilot.press("q")
        assert isinstance(app.screen, BulkConfirmScreen)
        await pilot.press("enter")
        assert not isinstance(app.screen, BulkConfirmScreen)
        await pilot.pause()  # the dismissal's callback has run: a queue would have a worker
        assert not [worker for worker in app.workers if worker.group == "queue"]
        assert served.sim.requests.count("queue") == 0 and len(grid(app).marked) == 2

        await pilot.press("q", "y")
        await wait_for(lambda: served.sim.requests.count("queue") == 2, pilot)
        assert not grid(app).marked


async def test_a_single_job_confirm_still_takes_enter(served, make_app):
    app = make_app(poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await app.engine.poll_all()
        await pilot.pause()
        job = jobs_in(app, "pending")[0]
        grid(app).select(job.key)
        await pilot.press("space", "q")  # one marked job is a single-job confirm
        assert isinstance(app.screen, ConfirmScreen)
        assert "mirroring=" in app.screen.body_text  # says what will be sent
        await pilot.press("enter")
        await wait_for(lambda: served.sim.requests.count("queue") == 1, pilot)


async def test_a_running_job_is_not_queued_again(served, make_app):
    app = make_app(poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await app.engine.poll_all()
        await pilot.pause()
        shown = notices_of(app)
        job = jobs_in(app, "running")[0]
        grid(app).select(job.key)
        await pilot.press("q")
        assert not isinstance(app.screen, ConfirmScreen)
        assert any(f"{job.account}/{job.jobid}: it is Running" in text for text in shown)
        assert served.sim.requests.count("queue") == 0


async def test_a_queue_from_the_dashboard_is_written_to_the_audit_trail(served, make_app, tmp_path):
    app = make_app(poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await app.engine.poll_all()
        await pilot.pause()
        job = jobs_in(app, "pending")[0]
        await queue_selected(app, pilot, job)
        await wait_for(lambda: cell(app, job.key, "queue") == "queued ✓", pilot)
        lines = (tmp_path / "audit.jsonl").read_text().splitlines()
        [record] = [json.loads(line) for line in lines]
        assert (record["account"], "install", record["job"]) == job.key
        assert "stage" not in record  # an install's line is as it always was
        assert record["action"] == "queue" and record["outcome"] == "queued"
        assert record["mirroring"] is job.mirroring and record["origin"] == "dashboard"
        assert record["answer"].startswith("queued (")
