"""The dashboard under trouble: stale rows, backoff in the header, queue outcome unknown."""

from __future__ import annotations

from cfdash.sim import Fault, FaultKind
from cfdash.tui.widgets.job_grid import JobGrid

from .conftest import wait_for

SIZE = (160, 40)


def cell(app, key, column) -> str:
    return app.main.query_one(JobGrid).cell_text(key, column)


async def test_rows_go_stale_and_the_header_says_when_it_retries(served, make_app):
    app = make_app(refresh=5, poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await app.engine.poll_all()
        await pilot.pause()
        staging = next(a.asid for a in served.sim.accounts.values() if a.name == "staging")
        served.sim.faults.add(Fault(FaultKind.HTTP_502, endpoint="status", asid=staging))
        served.clock.advance(16)  # more than three refresh intervals
        await app.engine.poll_all()
        app.engine.health("staging").next_poll = served.clock() + 8
        app.main.tick()
        await pilot.pause()
        stale = next(j for j in app.engine.tracker.jobs.values() if j.account == "staging")
        fresh = next(j for j in app.engine.tracker.jobs.values() if j.account == "production")
        assert cell(app, stale.key, "age") == "⚠ 16s ago"
        assert cell(app, fresh.key, "age") == "now"
        header = app.main.header.build().plain
        assert "staging ✖ server error 502, retry in 8s" in header


async def test_lost_queue_answer_says_unknown_then_the_poll_settles_it(served, make_app):
    app = make_app(poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await app.engine.poll_all()
        await pilot.pause()
        job = next(j for j in app.engine.tracker.jobs.values() if j.phase == "pending")
        app.main.query_one(JobGrid).select(job.key)
        served.sim.faults.add(Fault(FaultKind.DROP_CONNECTION, endpoint="queue", count=1))
        await pilot.press("q", "y")
        await wait_for(lambda: cell(app, job.key, "queue") == "outcome unknown", pilot)
        await app.engine.poll(job.account)
        await wait_for(lambda: "took effect" in cell(app, job.key, "queue"), pilot)
        assert cell(app, job.key, "queue") == "unknown → took effect"
        assert served.sim.requests.count("queue") == 1
