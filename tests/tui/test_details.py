"""The details screen reads like the table: local times with their zone, states by name,
yes/no, never ``None``, the job's audit lines, and keys that copy the id and the JSON."""

from __future__ import annotations

import json
import time

import pytest

from cfdash.sim import Fault, FaultKind
from cfdash.textfmt import local_time
from cfdash.tui.screens.details import DetailsScreen, field_text
from cfdash.tui.widgets.job_grid import JobGrid

from .conftest import notices_of, wait_for

SIZE = (160, 40)


@pytest.fixture(autouse=True)
def berlin(monkeypatch):
    """A zone that is not UTC, so a time without its zone would be wrong, not just bare."""
    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()
    yield
    monkeypatch.delenv("TZ")
    time.tzset()


def grid(app) -> JobGrid:
    return app.main.query_one(JobGrid)


def details_text(app) -> str:
    assert isinstance(app.screen, DetailsScreen)
    return str(app.screen.query_one("#details").render())


async def open_details(app, pilot, job) -> str:
    grid(app).select(job.key)
    await pilot.press("enter")
    return details_text(app)


async def test_details_read_like_the_table(served, make_app):
    app = make_app(poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await app.engine.poll_all()
        await pilot.pause()
        failed = next(j for j in app.engine.tracker.jobs.values() if j.phase == "failed")
        text = await open_details(app, pilot, failed)
        assert "None" not in text and "True" not in text and "False" not in text
        created = failed.item.jobcreated
        assert f"jobcreated{' ' * 15}{local_time(created)} (" in text
        assert "CET" in text and str(created) not in text.split("raw JSON")[0]
        assert 'state                    Failed (jobstateid 6, jobstatename "Failed")' in text
        assert f"mirroring                {'yes' if failed.mirroring else 'no'}" in text
        assert "jobprogress              52%" in text
        assert " ago)" in text  # a relative age beside each time
        assert "nothing recorded for this job" in text
        assert failed.error in text


async def test_a_job_never_seen_says_so_without_none(served, make_app):
    app = make_app(poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await app.engine.poll_all()
        await pilot.pause()
        await pilot.press("a", *"4242", "enter")
        await wait_for(lambda: ("production", "install", 4242) in app.engine.tracker.jobs, pilot)
        await app.engine.poll_all()
        await pilot.pause()
        text = await open_details(
            app, pilot, app.engine.tracker.jobs[("production", "install", 4242)]
        )
        assert "None" not in text
        assert "∅ not found" in text and "a wrong id, another account's job" in text
        assert "label            —" in text and "null (not seen yet)" in text


async def test_details_show_the_jobs_audit_lines_and_the_queue_outcome(served, make_app):
    app = make_app(poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await app.engine.poll_all()
        await pilot.pause()
        job = next(j for j in app.engine.tracker.jobs.values() if j.phase == "pending")
        grid(app).select(job.key)
        served.sim.faults.add(Fault(FaultKind.HTTP_503, endpoint="queue", count=1))
        await pilot.press("q", "y")
        await wait_for(lambda: job.queue_action is not None and job.queue_action.outcome, pilot)
        await app.engine.poll(job.account)
        await wait_for(lambda: job.queue_action.settled is not None, pilot)
        text = await open_details(app, pilot, job)
        audit = text.split("audit trail")[1].split("history")[0]
        assert f"queued {job.account}/{job.jobid} (mirroring " in audit and ": unknown" in audit
        assert f"{job.account}/{job.jobid}: the unknown queue outcome " in audit
        last = text.split("last queue")[1]
        assert "answer                   outcome unknown (server error 503" in last
        assert "settled by a status list" in last


async def test_keys_copy_the_job_id_and_the_raw_json(served, make_app):
    app = make_app(poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await app.engine.poll_all()
        await pilot.pause()
        job = next(j for j in app.engine.tracker.jobs.values() if j.phase == "running")
        await open_details(app, pilot, job)
        shown = notices_of(app)
        await pilot.press("c")
        assert app.clipboard == str(job.jobid)
        assert shown[-1] == f"Copied job id {job.jobid}."
        await pilot.press("j")
        copied = json.loads(app.clipboard)
        assert copied["jobid"] == job.jobid and copied == job.item.model_dump(mode="json")
        assert shown[-1] == f"Copied the JSON of {job.account}/{job.jobid}."
        await pilot.press("escape")
        assert not isinstance(app.screen, DetailsScreen)


def test_fields_read_as_people_read_them():
    now = 1_767_225_600.0
    assert field_text("joberror", None, now) == "—"
    assert field_text("mirroring", True, now) == "yes" and field_text("x", False, now) == "no"
    started = field_text("jobstart", str(int(now) - 180), now)
    assert started == f"{local_time(now - 180)} (3m00s ago)"
    assert field_text("jobeta", int(now) + 300, now).endswith("CET (in 5m00s)")
    assert field_text("jobstart", "soon", now) == "soon"
    assert field_text("extra", {"b": 1}, now) == '{"b": 1}'
    # Times no calendar can show read as such instead of stopping the screen.
    assert field_text("jobeta", 10**30, now) == "invalid time"
    assert field_text("jobcreated", -99_999_999_999, now) == "invalid time"


def test_a_running_job_with_an_impossible_eta_still_describes():
    from cfdash.api.models import StatusItem
    from cfdash.engine.tracking import TrackedJob
    from cfdash.tui.screens.details import describe_job

    item = StatusItem(jobid=7, jobstateid=4, jobeta=10**30, jobcreated=-99_999_999_999)
    job = TrackedJob("prod", 7, item=item, listed=True, confirmed_at=1_767_225_600.0)
    text = describe_job(job, 1_767_225_600.0)
    assert f"eta              invalid time (jobeta {10**30})" in text
    assert "jobcreated               invalid time" in text and "None" not in text
