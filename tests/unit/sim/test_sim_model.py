"""The job state machine, driven by a fake clock (no HTTP)."""

from __future__ import annotations

import itertools

import pytest

from cfdash.sim import FakeClock, Fate, JobState, Simulator
from cfdash.sim.fate import draw_fate, fate_rng, progress_at, time_to_reach

PROD = 12345
STAGING = 23456
NO_ROWS = "No rows in result set"


def listed(sim: Simulator, asid: int = PROD) -> dict[int, dict]:
    return {item["jobid"]: item for item in sim.status(asid)}


def test_new_jobs_wait_to_be_queued_even_past_install_at(sim: Simulator, clock: FakeClock):
    created = sim.add_job(PROD, state=JobState.CREATED, install_at=int(clock()) - 3600)
    pending = sim.add_job(PROD, state=JobState.PENDING)
    clock.advance(10_000)
    items = listed(sim)
    assert items[created.jobid]["jobstateid"] == 1
    assert items[created.jobid]["jobstatename"] == "Created"
    assert items[pending.jobid]["jobstatename"] == "Pending"
    assert items[pending.jobid]["jobstart"] is None
    assert items[pending.jobid]["jobeta"] is None


@pytest.mark.parametrize("start", [JobState.CREATED, JobState.PENDING])
def test_queue_runs_a_job_to_completion_and_it_leaves_the_list(
    sim: Simulator, clock: FakeClock, start: JobState
):
    job = sim.add_job(PROD, kind="machine", state=start, fate=Fate(duration=100, queue_delay=5))
    t0 = clock()

    body = sim.queue(PROD, job.jobid, mirroring=False)
    assert body["success"] is True
    assert body["jobstateid"] == 3 and body["jobstatename"] == "Queued"
    assert isinstance(body["machinejobid"], int)
    assert body["installs_squashed"] == 0
    assert "versionmirrorid" not in body

    clock.advance(4.9)
    assert listed(sim)[job.jobid]["jobstatename"] == "Queued"

    clock.advance(0.1 + 50)
    item = listed(sim)[job.jobid]
    assert item["jobstatename"] == "Running"
    assert item["jobstart"] == str(int(t0 + 5))  # documented as a string
    assert item["jobprogress"] == 50
    assert item["jobeta"] == int(t0 + 105)
    assert item["jobupdated"] == int(t0 + 55)

    clock.advance(50)
    assert job.jobid not in listed(sim)
    assert sim.job(job.jobid).state == JobState.COMPLETE
    assert sim.job(job.jobid).progress == 100


def test_mirror_job_queue_response_shape(sim: Simulator):
    job = sim.add_job(PROD, kind="mirror")
    body = sim.queue(PROD, job.jobid, mirroring=True)
    assert body["success"] is True
    assert isinstance(body["versionmirrorid"], int)
    assert "machinejobid" not in body and "installs_squashed" not in body
    assert set(body) >= {
        "jobcreated", "jobstart", "jobupdated", "jobeta", "jobprogress",
        "jobfailed", "joberror", "jobstateid", "jobstatename",
    }  # fmt: skip


def test_status_item_has_every_field(sim: Simulator):
    sim.add_job(PROD, kind="mirror", target_imageversionid=4243)
    (item,) = sim.status(PROD)
    assert set(item) == {
        "jobid", "jobcreated", "jobstart", "jobupdated", "jobeta", "jobprogress",
        "jobfailed", "joberror", "jobstateid", "jobstatename", "mirroring", "restart",
        "location", "machine", "imagepath", "install_at", "mirror", "target_imageversionid",
    }  # fmt: skip
    assert item["mirroring"] is True
    assert item["restart"] == 0
    assert item["target_imageversionid"] == 4243


def test_progress_rises_noisily_and_eta_is_re_estimated(clock: FakeClock):
    sim = Simulator(clock=clock, seed=3, speed=1.0)
    sim.add_account("p", PROD, "a", "s")
    rng = fate_rng(3, 1, 0)
    fate = draw_fate(rng, "mirror")
    fate = Fate(duration=600, queue_delay=1, curve=fate.curve, estimate=500)
    job = sim.add_job(PROD, kind="mirror", fate=fate)
    sim.queue(PROD, job.jobid, mirroring=True)
    seen, etas = [], set()
    for _ in range(70):
        clock.advance(10)
        item = listed(sim).get(job.jobid)
        if item is None:
            break
        seen.append(item["jobprogress"])
        etas.add(item["jobeta"])
    assert seen == sorted(seen)  # never goes back
    steps = {b - a for a, b in itertools.pairwise(seen)}
    assert len(steps) > 2  # not a straight line
    assert len(etas) > 3  # the ETA moves as the rate changes
    assert sim.job(job.jobid).state == JobState.COMPLETE


def test_queue_is_idempotent_on_queued_and_running(sim: Simulator, clock: FakeClock):
    job = sim.add_job(PROD, fate=Fate(duration=100, queue_delay=5))
    first = sim.queue(PROD, job.jobid, mirroring=False)
    again = sim.queue(PROD, job.jobid, mirroring=False)
    assert again == first
    clock.advance(30)
    running = sim.queue(PROD, job.jobid, mirroring=False)
    assert running["success"] is True
    assert running["jobstatename"] == "Running"
    assert running["jobprogress"] == 25
    assert running["machinejobid"] == first["machinejobid"]
    clock.advance(10)
    assert sim.job(job.jobid).progress == 35  # the second queue did not restart it


def test_failed_job_stays_listed_and_a_retry_requeues_it(sim: Simulator, clock: FakeClock):
    fate = Fate(duration=100, queue_delay=0, fail_at=40, error="disk full on machine 4411")
    job = sim.add_job(PROD, fate=fate)
    sim.queue(PROD, job.jobid, mirroring=False)
    clock.advance(41)
    item = listed(sim)[job.jobid]
    assert item["jobstatename"] == "Failed" and item["jobstateid"] == 6
    assert item["jobfailed"] == 1
    assert item["joberror"] == "disk full on machine 4411"
    assert item["jobprogress"] == 40
    assert item["jobupdated"] == int(clock() - 1)

    retry = sim.queue(PROD, job.jobid, mirroring=False)
    assert retry["success"] is True
    assert retry["jobstatename"] == "Queued"
    assert retry["joberror"] is None
    assert retry["jobfailed"] == 1  # kept as a count
    assert retry["jobprogress"] == 0
    assert sim.job(job.jobid).fate != fate  # a fresh draw, so the retry may succeed


def test_failed_count_accumulates_over_retries(sim: Simulator, clock: FakeClock):
    job = sim.add_job(PROD, state=JobState.FAILED, failed=2, error="image locked by diffid: 1")
    sim.queue(PROD, job.jobid, mirroring=False)
    job.fate = Fate(duration=10, queue_delay=0, fail_at=50, error="again")
    clock.advance(6)
    assert listed(sim)[job.jobid]["jobfailed"] == 3


@pytest.mark.parametrize("end", [JobState.COMPLETE, JobState.SQUASHED])
def test_queue_on_a_finished_job_is_an_envelope(sim: Simulator, end: JobState):
    job = sim.add_job(PROD, state=end)
    body = sim.queue(PROD, job.jobid, mirroring=False)
    assert body == {
        "messages": [],
        "error_code": 1,
        "error_message": "job already finished",
        "_debug": [],
        "success": False,
        "error": True,
    }
    assert job.jobid not in listed(sim)


def test_wrong_mirroring_unknown_job_or_other_account_is_no_rows(sim: Simulator):
    machine = sim.add_job(PROD, kind="machine")
    mirror = sim.add_job(PROD, kind="mirror")
    theirs = sim.add_job(STAGING, kind="machine")
    for asid, jobid, mirroring in [
        (PROD, machine.jobid, True),
        (PROD, mirror.jobid, False),
        (PROD, 999, False),
        (PROD, theirs.jobid, False),
    ]:
        body = sim.queue(asid, jobid, mirroring)
        assert body["success"] is False and body["error_message"] == NO_ROWS
    assert sim.job(machine.jobid).state == JobState.PENDING  # nothing was queued


def test_squashed_machine_job_leaves_the_list(sim: Simulator, clock: FakeClock):
    job = sim.add_job(PROD, fate=Fate(duration=100, queue_delay=0, squash_at=30))
    sim.queue(PROD, job.jobid, mirroring=False)
    clock.advance(29)
    assert listed(sim)[job.jobid]["jobstatename"] == "Running"
    clock.advance(2)
    assert job.jobid not in listed(sim)
    assert sim.job(job.jobid).state == JobState.SQUASHED
    assert sim.queue(PROD, job.jobid, False)["error_message"] == "job already finished"


def test_queueing_a_machine_install_squashes_older_ones_on_that_machine(sim: Simulator):
    older = sim.add_job(PROD, machine="gs-7", state=JobState.PENDING)
    running = sim.add_job(PROD, machine="gs-7", state=JobState.RUNNING)
    other_machine = sim.add_job(PROD, machine="gs-8")
    newer = sim.add_job(PROD, machine="gs-7")
    body = sim.queue(PROD, newer.jobid, mirroring=False)
    assert body["installs_squashed"] == 1
    assert sim.job(older.jobid).state == JobState.SQUASHED
    assert sim.job(running.jobid).state == JobState.RUNNING
    assert sim.job(other_machine.jobid).state == JobState.PENDING


def test_running_job_added_part_way(clock: FakeClock):
    sim = Simulator(clock=clock, speed=10)
    sim.add_account("p", PROD, "a", "s")
    job = sim.add_job(PROD, state=JobState.RUNNING, elapsed=300, fate=Fate(duration=600))
    assert job.progress == 50
    assert job.jobstart == str(int(clock() - 30))  # 300 service seconds at speed 10
    clock.advance(30)
    assert sim.job(job.jobid).state == JobState.COMPLETE


def test_speed_compresses_durations(clock: FakeClock):
    sim = Simulator(clock=clock, speed=60)
    sim.add_account("p", PROD, "a", "s")
    job = sim.add_job(PROD, fate=Fate(duration=600, queue_delay=0))
    sim.queue(PROD, job.jobid, False)
    clock.advance(9.9)
    assert sim.job(job.jobid).state == JobState.RUNNING
    clock.advance(0.1)
    assert sim.job(job.jobid).state == JobState.COMPLETE  # 10 minutes in 10 seconds


def _run(seed: int) -> list[list[dict]]:
    clock = FakeClock()
    sim = Simulator(clock=clock, seed=seed, speed=5)
    sim.add_account("p", PROD, "a", "s")
    jobs = [sim.add_job(PROD, kind="mirror" if i % 2 else "machine") for i in range(8)]
    for job in jobs:
        sim.queue(PROD, job.jobid, job.mirroring)
    snapshots = []
    for step in range(40):
        clock.advance(3 + step % 4)
        snapshots.append(sim.status(PROD))
        for item in snapshots[-1]:
            if item["jobstatename"] == "Failed":
                sim.queue(PROD, item["jobid"], item["mirroring"])
    return snapshots


def test_same_seed_and_clock_give_identical_output():
    assert _run(11) == _run(11)
    assert _run(11) != _run(12)


def test_reading_more_often_does_not_change_the_outcome():
    def final(reads_per_second: int) -> list[dict]:
        clock = FakeClock()
        sim = Simulator(clock=clock, seed=5, speed=3)
        sim.add_account("p", PROD, "a", "s")
        for i in range(6):
            job = sim.add_job(PROD, kind="mirror" if i % 2 else "machine")
            sim.queue(PROD, job.jobid, job.mirroring)
        for _ in range(100 * reads_per_second):
            clock.advance(1 / reads_per_second)
            if reads_per_second > 1:
                sim.advance()
        return sim.status(PROD)

    assert final(1) == final(4)


def test_curve_helpers_are_inverse():
    curve = (0.0, 5.0, 5.0, 30.0, 60.0, 100.0)
    for p in (0, 2.5, 5, 17, 30, 59.9, 99, 100):
        assert progress_at(curve, time_to_reach(curve, p)) == pytest.approx(p)
    assert time_to_reach(curve, 5) == pytest.approx(0.2)  # the start of the plateau


def test_fates_are_valid_and_retries_fail_less():
    first = [draw_fate(fate_rng(0, j, 0), "machine") for j in range(400)]
    retry = [draw_fate(fate_rng(0, j, 3), "machine", attempt=3) for j in range(400)]
    assert all(300 <= f.duration <= 900 for f in first)
    fails = sum(f.ending == "fail" for f in first)
    assert 50 < fails < 150
    assert sum(f.ending == "fail" for f in retry) < fails
    assert any(f.ending == "squash" for f in first)
    mirrors = [draw_fate(fate_rng(0, j, 0), "mirror") for j in range(200)]
    assert not any(f.ending == "squash" for f in mirrors)


def test_bad_fates_and_settings_are_refused(clock: FakeClock):
    with pytest.raises(ValueError):
        Fate(fail_at=10, squash_at=20)
    with pytest.raises(ValueError):
        Fate(curve=(0.0, 50.0, 40.0, 100.0))
    with pytest.raises(ValueError):
        Simulator(clock=clock, speed=0)
    with pytest.raises(ValueError):
        clock.advance(-1)
