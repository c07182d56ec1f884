"""Finished track_all rows drop out after finished_retention; rows tracked by id stay."""

from __future__ import annotations

from cfdash.api.models import StatusItem
from cfdash.config import JobEntry
from cfdash.demo import demo_settings
from cfdash.engine.retention import Retention
from cfdash.engine.session import build_engine
from cfdash.engine.tracking import TrackedJob, Tracker

T0 = 1_767_225_600.0
RUNNING = 4


def item(jobid: int, state: int = RUNNING, progress: int = 40) -> StatusItem:
    return StatusItem(jobid=jobid, jobstateid=state, jobprogress=progress)


def merge(tracker: Tracker, retention: Retention, items, now: float) -> set:
    changes = tracker.merge("a", list(items), now)
    retention.note(tracker, changes.changed)
    return retention.expire(tracker, now)


def test_a_finished_track_all_row_goes_when_its_time_is_up_and_not_before():
    tracker = Tracker(["a"])
    tracker.add(TrackedJob("a", 2, source="config"))
    retention = Retention({"a": 100.0})
    merge(tracker, retention, [item(1), item(2), item(3)], T0)
    assert merge(tracker, retention, [item(3)], T0 + 10) == set()  # 1 and 2 finish now
    assert tracker.jobs[("a", "install", 1)].phase == "finished"
    assert len(retention) == 1  # only the track_all row is queued; 2 was asked for by id
    assert merge(tracker, retention, [item(3)], T0 + 109) == set()
    assert merge(tracker, retention, [item(3)], T0 + 110) == {("a", "install", 1)}
    assert set(tracker.jobs) == {("a", "install", 2), ("a", "install", 3)}
    assert ("a", "install", 1) not in tracker.dismissed  # forgotten, not untracked


def test_a_job_back_in_the_list_is_not_dropped_and_comes_back_after_pruning():
    tracker = Tracker(["a"])
    retention = Retention(default=50.0)
    merge(tracker, retention, [item(1)], T0)
    merge(tracker, retention, [], T0 + 10)  # finished at T0+10
    merge(tracker, retention, [item(1)], T0 + 20)  # queued again and listed
    assert merge(tracker, retention, [item(1)], T0 + 70) == set()
    merge(tracker, retention, [], T0 + 80)  # finished again: a fresh deadline
    assert merge(tracker, retention, [], T0 + 129) == set()
    assert merge(tracker, retention, [], T0 + 130) == {("a", "install", 1)}
    merge(tracker, retention, [item(1)], T0 + 140)  # listed once more: track_all brings it back
    assert ("a", "install", 1) in tracker.jobs


def test_noting_the_same_finish_twice_queues_it_once():
    tracker = Tracker(["a"])
    retention = Retention(default=50.0)
    merge(tracker, retention, [item(1)], T0)
    merge(tracker, retention, [], T0 + 10)
    retention.note(tracker, [("a", "install", 1)])
    retention.note(tracker, [("a", "install", 1)])
    assert len(retention) == 1 and len(retention._heap) == 1


async def test_the_engine_prunes_through_its_polls_with_a_per_account_override(served):
    settings = demo_settings(served.base_url)
    production = settings.accounts["production"]
    accounts = dict(settings.accounts)
    accounts["production"] = production.model_copy(
        update={"finished_retention": 60.0, "jobs": (JobEntry(id=5551001),)}
    )
    settings = settings.model_copy(update={"accounts": accounts, "finished_retention": 3600.0})
    engine = build_engine(settings, clock=served.clock)
    try:
        await engine.poll_all()
        by_id = engine.tracker.jobs[("production", "install", 5551001)]
        assert by_id.source == "config"
        served.clock.advance(3000)  # every job of the demo ends
        first = {e.account: e for e in await engine.poll_all()}
        finished = {key for key, job in engine.tracker.jobs.items() if job.phase == "finished"}
        assert ("production", "install", 5551001) in finished
        prod = {key for key in finished if key[0] == "production"} - {
            ("production", "install", 5551001)
        }
        others = finished - prod - {("production", "install", 5551001)}
        assert prod and others and not first["production"].changes.removed
        served.clock.advance(61)
        dropped = set()
        for event in await engine.poll_all():
            dropped |= event.changes.removed
        assert dropped == prod  # production's override: a minute
        assert ("production", "install", 5551001) in engine.tracker.jobs  # tracked by id: stays
        assert others <= set(engine.tracker.jobs)  # the others keep the hour
        served.clock.advance(3600)
        await engine.poll_all()
        assert not others & set(engine.tracker.jobs)
        assert by_id.phase == "finished" and by_id.key in engine.tracker.jobs
    finally:
        await engine.aclose()
