"""Transitions (one per real change), which are notable, and the JSONL event log."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from cfdash.api.models import StatusItem
from cfdash.config.paths import state_path
from cfdash.demo import demo_settings
from cfdash.engine.events import (
    EventLog,
    Transition,
    TransitionWatcher,
    default_events_path,
    notable,
)
from cfdash.engine.session import build_engine
from cfdash.engine.tracking import TrackedJob, Tracker

T0 = 1_767_225_600.0
CREATED, PENDING, QUEUED, RUNNING, COMPLETE, FAILED, SQUASHED = range(1, 8)


def item(jobid: int, state: int | None = RUNNING, progress: int = 0, **fields) -> StatusItem:
    return StatusItem(jobid=jobid, jobstateid=state, jobprogress=progress, **fields)


def tracker_with(*items: StatusItem, now: float = T0) -> Tracker:
    tracker = Tracker(["a"])
    tracker.merge("a", list(items), now)
    return tracker


def step(tracker: Tracker, watcher: TransitionWatcher, items, now) -> list[Transition]:
    return watcher.look(tracker, tracker.merge("a", list(items), now), now)


def test_first_sight_is_remembered_not_reported():
    tracker = Tracker(["a"])
    watcher = TransitionWatcher()
    assert step(tracker, watcher, [item(1, FAILED, 40)], T0) == []
    assert len(watcher) == 1


def test_one_transition_per_change_never_repeated():
    tracker = tracker_with(item(1, QUEUED))
    watcher = TransitionWatcher()
    watcher.prime(tracker)
    moved = step(tracker, watcher, [item(1, RUNNING, 5)], T0 + 5)
    assert moved == [Transition(T0 + 5, "a", 1, "Queued", "Running", "queued", "running", 5, None)]
    # Progress alone is not a transition; neither is looking again at an unchanged tracker.
    assert step(tracker, watcher, [item(1, RUNNING, 50)], T0 + 10) == []
    assert watcher.look(tracker, None, T0 + 11) == []
    assert watcher.look(tracker, [(("a", "install", 1))], T0 + 12) == []


def test_complete_then_finished_notifies_once():
    tracker = tracker_with(item(1, RUNNING, 90))
    watcher = TransitionWatcher()
    watcher.prime(tracker)
    done = step(tracker, watcher, [item(1, COMPLETE, 100)], T0 + 5)
    gone = step(tracker, watcher, [], T0 + 10)
    assert [(t.from_phase, t.to_phase) for t in done + gone] == [
        ("running", "complete"),
        ("complete", "finished"),
    ]
    assert [notable(t) for t in done + gone] == ["finished", None]
    assert gone[0].at == T0 + 10 and gone[0].to_word == "Finished"


@pytest.mark.parametrize(
    ("before", "expected"),
    [
        (RUNNING, "finished"),
        (QUEUED, "finished"),
        (SQUASHED, None),
        (PENDING, None),
        (CREATED, None),
    ],
)
def test_leaving_the_list_is_a_completion_only_after_work(before, expected):
    tracker = tracker_with(item(1, before, 30))
    watcher = TransitionWatcher()
    watcher.prime(tracker)
    [left] = step(tracker, watcher, [], T0 + 5)
    assert left.to_phase == "finished"
    assert notable(left) == expected


def test_failure_is_notable_once_and_vanishing_keeps_it_failed():
    tracker = tracker_with(item(1, RUNNING, 30))
    watcher = TransitionWatcher()
    watcher.prime(tracker)
    [failed] = step(tracker, watcher, [item(1, FAILED, 31, joberror="disk full")], T0 + 5)
    assert notable(failed) == "failed" and failed.error == "disk full"
    assert failed.describe() == "a/1: Running → Failed (31%): disk full"
    assert step(tracker, watcher, [], T0 + 10) == []  # dropped from the list: still failed
    # A retry that fails again is a second failure, so a second notice.
    step(tracker, watcher, [item(1, QUEUED)], T0 + 20)
    step(tracker, watcher, [item(1, RUNNING, 10)], T0 + 25)
    [again] = step(tracker, watcher, [item(1, FAILED, 12, joberror="disk full")], T0 + 30)
    assert notable(again) == "failed"


def test_never_listed_job_first_listing_is_first_sight():
    tracker = Tracker()
    tracker.add(TrackedJob("a", 7, mirroring_setting=True))
    watcher = TransitionWatcher()
    watcher.prime(tracker)
    assert len(watcher) == 0  # "not listed" is nothing to compare with
    assert step(tracker, watcher, [item(7, FAILED, 10)], T0) == []
    [moved] = step(tracker, watcher, [item(7, QUEUED)], T0 + 5)
    assert (moved.from_word, moved.to_word) == ("Failed", "Queued")


def test_unknown_state_words_are_transitions_too():
    tracker = tracker_with(StatusItem(jobid=1, jobstatename="Verifying"))
    watcher = TransitionWatcher()
    watcher.prime(tracker)
    [moved] = step(tracker, watcher, [StatusItem(jobid=1, jobstatename="Unpacking")], T0 + 5)
    assert (moved.from_phase, moved.to_phase) == ("unknown", "unknown")
    assert (moved.from_word, moved.to_word) == ("Verifying", "Unpacking")
    assert notable(moved) is None


def test_removed_jobs_are_forgotten_and_keys_can_be_given_directly():
    tracker = tracker_with(item(1, PENDING), item(2, PENDING))
    watcher = TransitionWatcher()
    watcher.prime(tracker)
    tracker.remove(("a", "install", 1))
    assert watcher.look(tracker, None, T0) == [] and len(watcher) == 1
    # A queue answer moves a row outside a merge: look at that one key.
    job = tracker.jobs[("a", "install", 2)]
    job.item = item(2, QUEUED)
    [queued] = watcher.look(tracker, {("a", "install", 2)}, T0 + 1)
    assert queued.to_phase == "queued" and queued.at == T0 + 1


def test_notable_stall_and_its_log_line(tmp_path):
    stall = Transition(T0, "a", 1, "Running", "Running", "running", "running", 40, None, "x")
    assert notable(stall) == "stalled"
    EventLog(tmp_path / "events.jsonl").append([stall])
    record = json.loads((tmp_path / "events.jsonl").read_text())
    assert (record["to"], record["stall"]) == ("Running", "x")


# -- the event log ---------------------------------------------------------------------------


def sample(jobid: int = 1, error: str | None = None) -> Transition:
    return Transition(T0, "prod", jobid, "Running", "Failed", "running", "failed", 45, error)


def test_event_log_appends_one_json_line_per_transition(tmp_path):
    path = tmp_path / "state" / "events.jsonl"
    events = EventLog(path)
    assert events.append([sample(1, 'disk full: "/" ünïcode'), sample(2)]) is None
    assert events.append([]) is None
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    first = json.loads(lines[0])
    assert first == {
        "time": "2026-01-01T00:00:00Z",
        "unix": T0,
        "account": "prod",
        "job": 1,
        "from": "Running",
        "to": "Failed",
        "from_phase": "running",
        "to_phase": "failed",
        "progress": 45,
        "error": 'disk full: "/" ünïcode',
    }


def test_event_log_rotates_by_size(tmp_path):
    path = tmp_path / "events.jsonl"
    events = EventLog(path, max_bytes=1000, backups=2)
    for jobid in range(60):
        assert events.append([sample(jobid)]) is None
    names = sorted(p.name for p in tmp_path.iterdir())
    # The lock beside the log guards rotation between dashboards; it stays, empty.
    assert names == ["events.jsonl", "events.jsonl.1", "events.jsonl.2", "events.jsonl.lock"]
    for p in tmp_path.iterdir():
        assert p.stat().st_size <= 1000
    kept = [
        json.loads(line)["job"]
        for name in ("events.jsonl.2", "events.jsonl.1", "events.jsonl")
        for line in (tmp_path / name).read_text().splitlines()
    ]
    assert kept == list(range(60 - len(kept), 60))  # newest kept, in order, none repeated


def test_event_log_reports_a_write_failure_once_and_recovers(tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    events = EventLog(blocker / "events.jsonl")
    message = events.append([sample()])
    assert message and "cannot write the event log" in message
    assert events.append([sample()]) is None  # still broken: not repeated
    assert events.problem == message
    blocker.unlink()
    assert events.append([sample()]) is None and events.problem is None
    assert events.append([sample()]) is None
    # A new failure after recovery is reported again.
    (blocker / "events.jsonl").unlink()
    (blocker / "events.jsonl").mkdir()
    assert events.append([sample()])


def test_default_events_path_is_beside_the_state_file():
    assert default_events_path() == state_path().parent / "events.jsonl"
    assert EventLog().path == default_events_path()


def test_core_modules_never_import_textual():
    code = (
        "import sys, cfdash.engine.events, cfdash.engine.stalls, cfdash.engine.releases, "
        "cfdash.export; print('textual' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# -- against the simulator -------------------------------------------------------------------


async def test_watcher_over_real_polls_matches_each_jobs_history(served, tmp_path):
    engine = build_engine(demo_settings(served.base_url), clock=served.clock)
    watcher = TransitionWatcher()
    log = EventLog(tmp_path / "events.jsonl")
    seen: list[Transition] = []
    try:
        for _ in range(40):
            for done in await engine.poll_all():
                found = watcher.look(engine.tracker, done.changes, served.clock())
                assert log.append(found) is None
                seen += found
            served.clock.advance(3)
    finally:
        await engine.aclose()
    assert seen, "the demo moves jobs within two minutes"
    assert any(notable(t) == "finished" for t in seen)
    assert any(notable(t) == "failed" for t in seen)
    for transition in seen:
        job = engine.tracker.jobs[transition.key]
        words = [step.word for step in job.history]
        assert transition.to_word in words and transition.from_word in words
    # Each change once: consecutive transitions of a job chain, never repeat.
    by_job: dict = {}
    for transition in seen:
        previous = by_job.get(transition.key)
        if previous is not None:
            assert previous.to_word == transition.from_word
            assert previous.at < transition.at
        by_job[transition.key] = transition
    logged = (tmp_path / "events.jsonl").read_text().splitlines()
    assert len(logged) == len(seen)
    assert "demo-secret" not in "".join(logged) and "demo-access" not in "".join(logged)
