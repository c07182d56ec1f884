"""Marking and bulk queue on the real app, against the simulator over real HTTP."""

from __future__ import annotations

from cfdash.sim import Fault, FaultKind
from cfdash.tui.queueing import BULK_CONCURRENCY
from cfdash.tui.screens.confirm import BulkConfirmScreen, ConfirmScreen
from cfdash.tui.widgets.job_grid import JobGrid

from .conftest import wait_for

SIZE = (160, 40)


def grid(app) -> JobGrid:
    return app.main.query_one(JobGrid)


async def test_mark_failed_marks_exactly_the_failed_jobs(served, make_app):
    app = make_app(poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await app.engine.poll_all()
        await pilot.pause()
        await pilot.press("x")
        failed = {k for k, j in app.engine.tracker.jobs.items() if j.phase == "failed"}
        assert grid(app).marked == failed
        assert all(grid(app).cell_text(key, "mark") == "●" for key in failed)
        await pilot.press("escape")
        assert not grid(app).marked


async def test_bulk_queue_sends_one_request_per_marked_job(served, make_app):
    app = make_app(poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await app.engine.poll_all()
        await pilot.pause()
        waiting = [
            k
            for k in grid(app).row_keys
            if app.engine.tracker.jobs[k].phase in ("pending", "created")
        ]
        for key in waiting:
            grid(app).select(key)
            await pilot.press("space")
        assert grid(app).marked == set(waiting)
        refused = waiting[0]
        served.sim.faults.add(
            Fault(FaultKind.ERROR_ENVELOPE, endpoint="queue", jobid=refused.jobid, count=1)
        )
        served.sim.faults.add(Fault(FaultKind.LATENCY, endpoint="queue", delay=0.05))
        in_flight = peak = 0
        original = app.engine.queue

        async def counting(key, **options):
            nonlocal in_flight, peak
            in_flight += 1
            peak = max(peak, in_flight)
            try:
                return await original(key, **options)
            finally:
                in_flight -= 1

        app.engine.queue = counting
        await pilot.press("q", "q")
        assert isinstance(app.screen, BulkConfirmScreen)
        body = app.screen.body_text
        assert all(f"{a}/{j}" in body for a, _, j in waiting) and "true (mirror)" in body
        await pilot.press("y")
        await wait_for(lambda: served.sim.requests.count("queue") == len(waiting), pilot)
        # Once the bulk worker has finished, nothing more can be sent (poll=False).
        await wait_for(lambda: not [w for w in app.workers if w.group == "queue"], pilot)
        calls = [call.jobid for call in served.sim.requests.queue_calls]
        assert sorted(calls) == sorted(key.jobid for key in waiting)  # exactly one each
        assert peak == min(BULK_CONCURRENCY, len(waiting))  # bounded, yet never one at a time
        assert "refused: image locked" in grid(app).cell_text(refused, "queue")
        assert grid(app).cell_text(refused, "error") == ""  # the job's own error: none
        others = [k for k in waiting if k != refused]
        assert all(app.engine.tracker.jobs[k].phase == "queued" for k in others)
        assert not grid(app).marked


async def test_ctrl_a_marks_the_filtered_view_only(served, make_app):
    app = make_app(poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await app.engine.poll_all()
        await pilot.pause()
        await pilot.press("slash", *"staging", "enter")
        await pilot.press("ctrl+a")
        assert grid(app).marked == {k for k in app.engine.tracker.jobs if k[0] == "staging"}


async def test_read_only_refuses_marking_and_queueing(served, make_app):
    app = make_app(poll=False, read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await app.engine.poll_all()
        await pilot.pause()
        await pilot.press("x", "q")
        assert not grid(app).marked and not isinstance(app.screen, ConfirmScreen)
        assert "READ-ONLY" in app.main.header.build().plain
        assert served.sim.requests.count("queue") == 0
        shown = {active.binding.action for active in app.main.active_bindings.values()}
        assert not {"queue", "add", "remove", "mark_failed"} & shown  # gone from the footer
        assert "refresh" in shown
        palette = {command.title for command in app.get_system_commands(app.main)}
        assert "Queue" not in palette and "Refresh" in palette
