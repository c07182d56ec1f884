"""The simulated pipeline: update, diff and version jobs, diff locks, images filling up."""

from __future__ import annotations

import pytest

from cfdash.sim import FakeClock, Fate, JobState, Simulator
from cfdash.sim.fate import LINEAR

PROD = 12345


def quick(*, fail_at: float | None = None) -> Fate:
    """A 100 s run after a 10 s wait, linear progress: exact numbers for the asserts below."""
    return Fate(duration=100, queue_delay=10, fail_at=fail_at, error="broke", curve=LINEAR)


def test_jobs_start_by_themselves_then_complete_or_fail(sim: Simulator, clock: FakeClock):
    update = sim.pipeline.add_update(PROD, 1001, jobid=91, fate=quick())
    diff = sim.pipeline.add_diff(PROD, 1002, jobid=91, fate=quick(fail_at=50))
    assert update.state == diff.state == JobState.CREATED
    clock.advance(10 + 30)
    sim.pipeline.advance()
    assert (update.state, update.progress) == (JobState.RUNNING, 30)
    assert update.jobstart == str(int(FakeClock.DEFAULT_START + 10))
    clock.advance(70)
    sim.pipeline.advance()
    assert (update.state, update.progress, update.eta) == (JobState.COMPLETE, 100, int(clock()))
    assert (diff.state, diff.progress, diff.failed, diff.error) == (JobState.FAILED, 50, 1, "broke")


def test_the_same_id_in_two_stages_is_two_jobs(sim: Simulator):
    sim.pipeline.add_update(PROD, 1001, jobid=91)
    sim.pipeline.add_version(PROD, 1001, jobid=91)
    assert set(sim.pipeline.jobs) == {("update", 91), ("version", 91)}
    assert sim.pipeline.status(PROD, "update", 91)["updateid"] == 91
    assert sim.pipeline.status(PROD, "version", 91)["imageversionid"] == 91
    assert sim.pipeline.status(PROD, "diff", 91)["error_message"] == "No rows in result set"
    assert sim.pipeline.status(23456, "update", 91)["error_message"] == "No rows in result set"
    with pytest.raises(ValueError, match="already exists"):
        sim.pipeline.add_update(PROD, 1001, jobid=91)
    with pytest.raises(ValueError, match="never squashed"):
        sim.pipeline.add_update(PROD, 1001, state=JobState.SQUASHED)


def test_fates_are_drawn_from_the_seed():
    def run(seed: int) -> list:
        clock = FakeClock()
        sim = Simulator(clock=clock, seed=seed, speed=10)
        sim.add_account("p", PROD, "a", "s")
        for _ in range(8):
            sim.pipeline.add_update(PROD, 1001)
        clock.advance(100)
        return [sim.pipeline.status(PROD, "update", j.jobid) for j in sim.pipeline.jobs.values()]

    assert run(1) == run(1)
    assert run(1) != run(2)


def test_retry_rules(sim: Simulator, clock: FakeClock):
    update = sim.pipeline.add_update(PROD, 1001, jobid=91, state=JobState.FAILED)
    running = sim.pipeline.add_update(PROD, 1001, jobid=92, state=JobState.RUNNING)
    diff = sim.pipeline.add_diff(PROD, 1002, jobid=93, state=JobState.COMPLETE)
    assert sim.pipeline.retry(PROD, "update", 92)["error_message"] == (
        "only failed updates can be retried"
    )
    answer = sim.pipeline.retry(PROD, "update", 91)
    assert answer["success"] is True and answer["jobstatename"] == "Queued"
    assert (update.state, update.attempt, update.error, update.failed) == (
        JobState.QUEUED,
        1,
        None,
        1,
    )
    assert sim.pipeline.retry(PROD, "diff", 93)["jobstatename"] == "Queued"  # complete: allowed
    assert diff.changes and running.state == JobState.RUNNING
    sim.pipeline.add_version(PROD, 1002, diffid=93)
    assert sim.pipeline.retry(PROD, "diff", 93)["error_message"] == "diff 93 was already accepted"
    assert sim.pipeline.retry(23456, "update", 91)["error_message"] == "No rows in result set"


def test_an_outstanding_diff_locks_its_image_until_accepted(sim: Simulator, clock: FakeClock):
    failed = sim.pipeline.add_update(PROD, 1001, jobid=90, state=JobState.FAILED)
    sim.pipeline.add_diff(PROD, 1001, jobid=500, state=JobState.RUNNING)
    held = sim.pipeline.add_update(PROD, 1001, jobid=91, fate=quick())
    other_image = sim.pipeline.add_update(PROD, 1002, jobid=92, fate=quick())
    assert sim.pipeline.lock_holder(1001) == 500 and sim.pipeline.lock_holder(1002) is None
    locked = "image locked by diffid: 500"
    assert sim.pipeline.status(PROD, "update", 91)["error_message"] == locked
    assert sim.pipeline.retry(PROD, "update", 90)["error_message"] == locked
    assert sim.pipeline.status(PROD, "update", 90)["jobstatename"] == "Failed"  # readable
    clock.advance(500)
    sim.pipeline.advance()
    assert held.state == JobState.CREATED and held.held_by == 500  # it waits for the lock
    assert other_image.state == JobState.COMPLETE
    sim.pipeline.add_version(PROD, 1001, jobid=4244, diffid=500)
    assert sim.pipeline.lock_holder(1001) is None and held.held_by is None
    assert sim.pipeline.status(PROD, "update", 91)["jobstatename"] == "Created"
    clock.advance(10)
    assert sim.pipeline.job("update", 91).state == JobState.RUNNING
    assert sim.pipeline.retry(PROD, "update", 90)["jobstatename"] == "Queued"
    assert failed.attempt == 1


def test_a_rejected_diff_hands_the_lock_to_the_next(sim: Simulator, clock: FakeClock):
    sim.pipeline.add_diff(PROD, 1001, jobid=500, state=JobState.FAILED)
    clock.advance(1)
    second = sim.pipeline.add_diff(PROD, 1001, jobid=501, fate=quick())
    assert second.held_by == 500
    assert sim.pipeline.retry(PROD, "diff", 501)["error_message"] == "image locked by diffid: 500"
    assert sim.pipeline.retry(PROD, "diff", 500)["jobstatename"] == "Queued"  # its own: allowed
    sim.pipeline.reject_diff(500)
    assert sim.pipeline.lock_holder(1001) == 501 and second.held_by is None
    assert sim.pipeline.retry(PROD, "diff", 500)["error_message"] == "diff 500 was already rejected"


def test_an_image_fills_up_with_some_machines_disabled(sim: Simulator, clock: FakeClock):
    image = sim.pipeline.add_image(PROD, 1001, duration=600, fail_rate=0.2)
    start = sim.pipeline.image_status(PROD, 1001, detail=True)
    assert (start["pending_machines"], start["completed_machines"]) == (40, 0)
    seen = []
    for _ in range(7):
        body = sim.pipeline.image_status(PROD, 1001, detail=False)
        seen.append(body["completed_machines"] + body["failed_machines"])
        assert "fleets" not in body
        clock.advance(100)
    assert seen == sorted(seen) and seen[0] < seen[-1] == 40
    final = sim.pipeline.image_status(PROD, 1001, detail=True)
    assert final["pending_machines"] == 0 and final["failed_machines"] > 0
    regions = [r for fleet in final["fleets"].values() for r in fleet["regions"].values()]
    assert {r["name"] for r in regions} >= {"EU West", "US East"}
    assert sum(r["failed_machines"] for r in regions) == final["failed_machines"]
    assert image.rollout == 1


def test_a_completed_version_starts_a_new_rollout(sim: Simulator, clock: FakeClock):
    image = sim.pipeline.add_image(PROD, 1001, duration=50, elapsed=1000)
    assert sim.pipeline.image_status(PROD, 1001, detail=False)["pending_machines"] == 0
    sim.pipeline.add_version(PROD, 1001, jobid=4244, fate=quick())
    clock.advance(110)  # the version completes now
    body = sim.pipeline.image_status(PROD, 1001, detail=False)
    assert body["pending_machines"] == 40 and image.rollout == 2
    assert image.imageversionid == 4244
    clock.advance(50)
    assert sim.pipeline.image_status(PROD, 1001, detail=False)["pending_machines"] == 0


def test_images_belong_to_their_account(sim: Simulator):
    sim.pipeline.add_image(PROD, 1001)
    refused = sim.pipeline.image_status(23456, 1001, detail=True)
    assert refused["error_message"] == "No rows in result set"
    with pytest.raises(ValueError):
        sim.pipeline.add_image(PROD, 1001)
    with pytest.raises(KeyError):
        sim.pipeline.add_image(99999, 1003)
    with pytest.raises(ValueError):
        sim.pipeline.add_image(PROD, 1004, layout={1: {}})


def test_a_diff_shows_its_paths_once_complete_and_php_empty_maps(sim: Simulator, clock):
    sim.pipeline.add_diff(PROD, 1001, jobid=7, fate=quick())
    body = sim.pipeline.status(PROD, "diff", 7)
    assert body["added"] == body["modified"] == body["removed"] == []
    clock.advance(110)
    body = sim.pipeline.status(PROD, "diff", 7, diff_info=True)
    assert body["jobstatename"] == "Completed" and body["modified"]
    assert body["image"]["imageid"] == 1001 and "game" in body and "machine" in body
    assert "game" not in sim.pipeline.status(PROD, "diff", 7)


def test_state_dump_lists_pipeline_and_images_without_tokens(clock: FakeClock):
    sim = Simulator(clock=clock, seed=1)
    sim.add_account("p", PROD, token="tok-SECRET-9")
    sim.pipeline.add_image(PROD, 1001)
    sim.pipeline.add_diff(PROD, 1001, jobid=5)
    dump = sim.to_json()
    assert [(j["stage"], j["diffid"], j["outstanding"]) for j in dump["pipeline"]] == [
        ("diff", 5, True)
    ]
    assert dump["images"][0]["imageid"] == 1001 and dump["images"][0]["rollout"] == 1
    assert "tok-SECRET-9" not in repr(dump) and "tok-SECRET-9" not in repr(sim.accounts)


def test_accounts_need_keys_or_a_token(clock: FakeClock):
    sim = Simulator(clock=clock)
    with pytest.raises(ValueError):
        sim.add_account("a", 1)
    with pytest.raises(ValueError):
        sim.add_account("a", 1, "access-only")
    account = sim.add_account("a", 1, token="t0k3n")
    assert sim.account_for_token("t0k3n") is account
    assert sim.account_for_token("t0k3") is None
    assert sim.account_for_keys("", "") is None
