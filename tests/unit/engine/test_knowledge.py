"""Knowledge has an age: an account that cannot be read makes its rows unconfirmed, never
stalled, overdue or logged; a job never seen in a list that was read is not found, never
finished. Against the simulator over real HTTP, on its fake clock.
"""

from __future__ import annotations

import json

from cfdash.api.models import BadStatusItem, StatusItem
from cfdash.demo import demo_settings
from cfdash.engine.events import EventLog
from cfdash.engine.monitor import Monitor
from cfdash.engine.session import build_engine
from cfdash.engine.stalls import StallDetector
from cfdash.engine.tracking import TrackedJob, Tracker
from cfdash.sim import Fate, Fault, FaultKind

RUNNING = 4
#: Progress climbs to 20% in the first fifth of the run, then sits there until the very end.
FROZEN = (0.0, 10.0, 20.0, 20.0, 20.0, 20.0, 20.0, 20.0, 20.0, 20.0, 100.0)


def asid_of(served, name: str) -> int:
    return next(acc.asid for acc in served.sim.accounts.values() if acc.name == name)


def frozen_job(served, account: str):
    """A running job stuck at 20% for the next ~7000 s."""
    speed = served.sim.speed
    fate = Fate(duration=10_000 * speed, queue_delay=0, curve=FROZEN)
    return served.sim.add_job(
        asid_of(served, account), state=RUNNING, fate=fate, elapsed=3000 * speed
    )


def stuck_at_zero(served, account: str, eta_in: float):
    """A running job that stays at 0% for hours, which the service expects in ``eta_in`` s."""
    speed = served.sim.speed
    curve = (0.0,) * 10 + (100.0,)
    fate = Fate(duration=10_000 * speed, queue_delay=0, curve=curve, estimate=eta_in * speed)
    return served.sim.add_job(asid_of(served, account), state=RUNNING, fate=fate)


async def test_an_outage_stalls_nothing_and_logs_nothing_but_a_real_stall_is_flagged(
    served, tmp_path
):
    """stall_after = 4 and HTTP 500s for 15 s: no job stalled, none logged as stalled."""
    stuck_in_outage = ("production", "install", frozen_job(served, "production").jobid)
    stuck_while_read = ("staging", "install", frozen_job(served, "staging").jobid)
    engine = build_engine(demo_settings(served.base_url), clock=served.clock)
    log = EventLog(tmp_path / "events.jsonl")
    monitor = Monitor(StallDetector(stall_after=4, eta_grace=2), log)
    notable = []

    async def second() -> None:
        """One second of the dashboard: polls (every 2 s here), then the tick's look."""
        served.clock.advance(1)
        if int(served.clock()) % 2 == 0:
            for event in await engine.poll_all():
                notable.extend(
                    monitor.observe(engine.tracker, event.changes, served.clock()).notable
                )
        notable.extend(monitor.observe(engine.tracker, (), served.clock()).notable)

    try:
        await engine.poll_all()
        monitor.prime(engine.tracker)
        running = [
            k
            for k, j in engine.tracker.jobs.items()
            if k[0] == "production" and j.phase == "running"
        ]
        assert stuck_in_outage in running and len(running) >= 2
        outage = served.sim.faults.add(
            Fault(FaultKind.HTTP_500, endpoint="status", asid=asid_of(served, "production"))
        )
        start = served.clock()
        for _ in range(15):
            await second()
            assert not monitor.stalls.stalled & set(running), served.clock() - start
        # Every live production row is unconfirmed since the first failed read; none stalled.
        since = engine.tracker.unconfirmed_since["production"]
        assert start < since <= start + 2
        jobs = [engine.tracker.jobs[key] for key in running]
        assert all(job.unconfirmed_since == since for job in jobs)
        assert all(monitor.stalls.reason(job, served.clock()) is None for job in jobs)
        assert all(job.as_of(served.clock()) == since for job in jobs)  # countdowns stopped
        production = sum(1 for key in engine.tracker.jobs if key[0] == "production")
        assert engine.tracker.unconfirmed_count("production") == production
        assert engine.tracker.unconfirmed_count() == production  # staging reads fine
        # Meanwhile staging read fine, and its frozen job was flagged after 4 s.
        assert stuck_while_read in monitor.stalls.stalled
        logged = [json.loads(line) for line in log.path.read_text().splitlines()]
        stalls = [
            (r["account"], r.get("stage", "install"), r["job"]) for r in logged if "stall" in r
        ]
        assert stalls == [stuck_while_read]
        assert [t.key for t in notable if t.stall] == [stuck_while_read]
        assert not [t for t in notable if t.account == "production"]

        # The first good read: rows confirmed again, every stall clock starting afresh there.
        served.sim.faults.remove(outage.id)
        while engine.tracker.unconfirmed_count():
            await second()
        back = served.clock()
        assert not monitor.stalls.stalled & set(running)
        while served.clock() < back + 3:
            await second()
            assert stuck_in_outage not in monitor.stalls.stalled
        while served.clock() < back + 5:
            await second()
        assert stuck_in_outage in monitor.stalls.stalled  # really stuck, and now it is seen
        reason = monitor.stalls.reason(engine.tracker.jobs[stuck_in_outage], served.clock())
        assert reason.startswith("no progress for")
    finally:
        await engine.aclose()


async def test_an_eta_that_passed_during_an_outage_gets_its_grace_from_the_first_good_read(
    served,
):
    key = ("production", "install", stuck_at_zero(served, "production", eta_in=30).jobid)
    engine = build_engine(demo_settings(served.base_url), clock=served.clock)
    detector = StallDetector(stall_after=600, eta_grace=10)
    try:
        await engine.poll_all()
        assert engine.tracker.jobs[key].eta == int(served.clock() + 30)
        assert key not in detector.check(engine.tracker, served.clock())
        fault = served.sim.faults.add(Fault(FaultKind.HTTP_503, endpoint="status"))
        for _ in range(30):  # a minute of outage: the ETA (+30 s) and its grace pass unseen
            served.clock.advance(2)
            await engine.poll_all()
            assert key not in detector.check(engine.tracker, served.clock())
        served.sim.faults.remove(fault.id)
        served.clock.advance(2)
        await engine.poll_all()
        back = served.clock()
        assert key not in detector.check(engine.tracker, back)
        assert key not in detector.check(engine.tracker, back + 10)
        assert key in detector.check(engine.tracker, back + 11)
    finally:
        await engine.aclose()


def test_a_failed_read_leaves_finished_rows_alone_and_a_good_read_clears_the_flag():
    tracker = Tracker(["a"])
    running = StatusItem(jobid=1, jobstateid=RUNNING, jobprogress=40, jobeta=1000)
    tracker.merge("a", [running, StatusItem(jobid=2, jobstateid=RUNNING)], 100.0)
    tracker.merge("a", [running], 110.0)  # job 2 finished
    tracker.add(TrackedJob("a", 3), 110.0)  # not read yet
    changes = tracker.unconfirm("a", 120.0)
    assert changes.changed == {("a", "install", 1), ("a", "install", 3)}
    assert tracker.unconfirm("a", 130.0).changed == set()  # still since 120
    assert tracker.jobs[("a", "install", 1)].unconfirmed_since == 120.0
    assert (
        tracker.jobs[("a", "install", 2)].unconfirmed_since is None
        and tracker.jobs[("a", "install", 2)].word == "Finished"
    )
    assert tracker.jobs[("a", "install", 1)].as_of(500.0) == 120.0
    assert tracker.unconfirmed_count() == 2
    again = tracker.merge("a", [running], 140.0)
    assert {("a", "install", 1), ("a", "install", 3)} <= again.changed
    assert tracker.unconfirmed_count() == 0 and "a" not in tracker.unconfirmed_since
    assert tracker.jobs[("a", "install", 1)].as_of(500.0) == 500.0
    assert tracker.jobs[("a", "install", 3)].phase == "notfound"


def test_not_found_becomes_a_row_like_any_other_once_listed():
    tracker = Tracker()
    job = TrackedJob("a", 7)
    tracker.add(job)
    tracker.merge("a", [], 10.0)
    assert job.phase == "notfound" and job.word == "not found" and job.left_at is None
    tracker.merge("a", [StatusItem(jobid=7, jobstateid=2)], 20.0)
    assert job.phase == "pending" and not job.not_found
    tracker.merge("a", [], 30.0)
    assert job.phase == "finished"  # seen, then gone: finished, not "not found"


def test_a_row_changes_when_any_field_extra_or_bad_flag_does_and_only_then():
    """The merge tells a moved job from an equal one without pydantic's ``==`` in the common
    cases; an equal copy, a new unknown field and an item turned bad must still read right."""
    tracker = Tracker(["a"])
    key = ("a", "install", 1)
    fields = {"jobid": 1, "jobstateid": RUNNING, "jobprogress": 40, "note": "x"}
    tracker.merge("a", [StatusItem.model_validate(fields)], 100.0)
    same = StatusItem.model_validate(fields)  # another object, equal
    assert tracker.merge("a", [same], 101.0).changed == set()
    assert tracker.jobs[key].item is same or tracker.jobs[key].item == same
    moved = StatusItem.model_validate({**fields, "jobprogress": 41})
    assert tracker.merge("a", [moved], 102.0).changed == {key}
    extra = StatusItem.model_validate({**fields, "jobprogress": 41, "note": "y"})
    assert tracker.merge("a", [extra], 103.0).changed == {key}
    bad = BadStatusItem.without(
        {**fields, "jobprogress": 41, "note": "y", "joberror": []}, ("joberror",)
    )
    assert tracker.merge("a", [bad], 104.0).changed == {key}
    assert tracker.jobs[key].item.bad == "bad data from the API (field joberror)"
