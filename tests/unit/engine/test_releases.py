"""Roll-up by release: exact arithmetic on synthetic jobs, then the simulator's demo world."""

from __future__ import annotations

from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from cfdash.api.models import StatusItem
from cfdash.demo import demo_settings
from cfdash.engine.releases import Census, Release, in_flight, job_progress, rollup
from cfdash.engine.session import build_engine
from cfdash.engine.tracking import TrackedJob, Tracker

T0 = 1_767_225_600.0
PENDING, QUEUED, RUNNING, COMPLETE, FAILED, SQUASHED = 2, 3, 4, 5, 6, 7


def item(jobid: int, state: int, progress: int = 0, release: int | None = 4242, **fields):
    return StatusItem(
        jobid=jobid,
        jobstateid=state,
        jobprogress=progress,
        target_imageversionid=release,
        **fields,
    )


def world() -> Tracker:
    tracker = Tracker(["a"])
    tracker.merge(
        "a",
        [
            item(1, RUNNING, 40, mirroring=True, jobeta=int(T0) + 300),
            item(2, RUNNING, 60, mirroring=False, jobeta=int(T0) + 900),
            item(3, FAILED, 30, mirroring=False, jobfailed=2, joberror="disk full"),
            item(4, COMPLETE, 100, mirroring=False),
            item(5, RUNNING, 10, mirroring=True),  # no ETA yet
            item(6, PENDING, 0, jobeta=int(T0) + 5000),  # not running: its ETA is ignored
            item(7, SQUASHED, 20, release=4241, mirroring=False),
            item(8, QUEUED, 0, release=4241, mirroring=True, jobfailed=1),
            item(9, RUNNING, 50, release=4243, mirroring=False),
            item(10, PENDING, 0, release=None),
        ],
        T0,
    )
    tracker.merge(
        "a",
        [
            item(1, RUNNING, 40, mirroring=True, jobeta=int(T0) + 300),
            item(2, RUNNING, 60, mirroring=False, jobeta=int(T0) + 900),
            item(3, FAILED, 30, mirroring=False, jobfailed=2, joberror="disk full"),
            item(5, RUNNING, 10, mirroring=True),
            item(6, PENDING, 0, jobeta=int(T0) + 5000),
            item(7, SQUASHED, 20, release=4241, mirroring=False),
            item(8, QUEUED, 0, release=4241, mirroring=True, jobfailed=1),
            item(10, PENDING, 0, release=None),
        ],
        T0 + 5,
    )  # job 4 left the list: finished; job 9 left while running: finished too
    tracker.add(TrackedJob("a", 99, mirroring_setting=True))  # never listed: no release
    return tracker


def test_rollup_arithmetic():
    releases = rollup(world().jobs.values())
    assert [r.imageversionid for r in releases] == [4241, 4242, 4243, None]
    r4241, r4242, r4243, none = releases
    assert r4242 == Release(
        imageversionid=4242,
        counts={"running": 3, "failed": 1, "finished": 1, "pending": 1},
        total=6,
        mirrors=2,
        machines=3,  # job 6 has no mirroring flag: neither
        progress=(40 + 60 + 30 + 100 + 10 + 0) / 6,
        latest_eta=int(T0) + 900,
        failures=2,
        failed=1,
    )
    assert r4241.counts == {"squashed": 1, "queued": 1}
    assert (r4241.progress, r4241.failures, r4241.failed, r4241.latest_eta) == (10.0, 1, 0, None)
    assert r4243.counts == {"finished": 1} and r4243.progress == 100.0
    assert none.counts == {"pending": 1, "notlisted": 1} and none.progress == 0.0
    assert none.mirrors == 1 and none.label == "no release"  # mirroring from the config
    assert [r.imageversionid for r in in_flight(releases)] == [4241, 4242]
    assert (r4242.active, r4242.done, r4243.done) == (3, 1, 1)


def test_progress_rule_per_phase():
    tracker = world()
    shares = {jobid: job_progress(job) for (_, _, jobid), job in tracker.jobs.items()}
    assert shares[4] == 100  # finished after Complete
    assert shares[9] == 100  # finished after Running at 50%: counted done
    assert shares[3] == 30  # failed counts where it stopped
    assert shares[7] == 20  # squashed too
    assert shares[99] == 0  # never listed


def test_empty_and_hashable():
    assert rollup([]) == []
    [release] = rollup([world().jobs[("a", "install", 10)]])
    assert hash(release) == hash(release)  # counts is left out of the hash, not unhashable


def test_five_thousand_jobs_in_one_pass():
    tracker = Tracker(["a"])
    items = [
        item(n, (RUNNING, QUEUED, FAILED, PENDING)[n % 4], n % 100, release=4000 + n % 25)
        for n in range(5000)
    ]
    tracker.merge("a", items, T0)
    handed = 0

    def once():  # a one-shot iterator: a second pass would see no jobs and get the sums wrong
        nonlocal handed
        for job in tracker.jobs.values():
            handed += 1
            yield job

    # Counted, not timed: a timed assert measures the machine; speed belongs in bench/.
    releases = rollup(once())
    assert handed == 5000
    assert len(releases) == 25 and sum(r.total for r in releases) == 5000
    assert sum(r.failed for r in releases) == 1250


async def test_rollup_of_the_demo_world_over_real_polls(served):
    engine = build_engine(demo_settings(served.base_url), clock=served.clock)
    try:
        await engine.poll_all()
        first = rollup(engine.tracker.jobs.values())
        assert [r.imageversionid for r in first] == [4242, 4243]
        assert sum(r.total for r in first) == len(engine.tracker) == len(served.sim.jobs)
        for release in first:
            jobs = [j for j in engine.tracker.jobs.values() if j.release == release.imageversionid]
            assert release.total == len(jobs) == sum(release.counts.values())
            assert release.mirrors + release.machines == release.total
            assert release.failures == sum(j.failures for j in jobs)
            running_etas = [j.eta for j in jobs if j.phase == "running" and j.eta is not None]
            assert release.latest_eta == (max(running_etas) if running_etas else None)
        assert in_flight(first)
        served.clock.advance(3600)  # everything that was running has ended
        await engine.poll_all()
        later = rollup(engine.tracker.jobs.values())
        assert sum(r.done for r in later) > sum(r.done for r in first)
        assert all("running" not in r.counts for r in later)
    finally:
        await engine.aclose()


# -- the census: the same roll-up, kept up to date from the changed keys ----------------------


def reference(jobs: list[TrackedJob]) -> list[Release]:
    """The roll-up's rules written out plainly: each release from all of its jobs."""
    by_release: dict = {}
    for job in jobs:
        by_release.setdefault(job.release, []).append(job)
    releases = []
    for version in sorted(by_release, key=lambda v: (v is None, v or 0)):
        members = by_release[version]
        counts = Counter(job.phase for job in members)
        etas = [job.eta for job in members if job.phase == "running" and job.eta is not None]
        releases.append(
            Release(
                imageversionid=version,
                counts=dict(counts),
                total=len(members),
                mirrors=sum(job.kind == "mirror" for job in members),
                machines=sum(job.kind == "machine" for job in members),
                progress=sum(job_progress(job) for job in members) / len(members),
                latest_eta=max(etas) if etas else None,
                failures=sum(job.failures for job in members),
                failed=counts["failed"],
            )
        )
    return releases


def test_the_world_counted_by_a_census_matches_the_rollup():
    tracker = world()
    census = Census(tracker.jobs)
    assert (
        census.releases() == rollup(tracker.jobs.values()) == reference(list(tracker.jobs.values()))
    )
    assert census.phases == Counter(job.phase for job in tracker.jobs.values())
    assert census.accounts == {"a": census.phases}
    assert census.versions_in_flight() == [4241, 4242]


def test_a_change_never_passed_in_is_caught_by_the_count():
    tracker = world()
    census = Census(tracker.jobs)
    tracker.remove(("a", "install", 1))  # and nobody tells the census
    census.update(tracker.jobs, [])
    assert len(census) == len(tracker) and census.releases() == reference(
        list(tracker.jobs.values())
    )


ITEMS = st.lists(
    st.builds(
        lambda jobid, state, progress, release, mirroring, eta, failed: item(
            jobid,
            state,
            progress,
            release,
            mirroring=mirroring,
            jobeta=None if eta is None else int(T0) + eta,
            jobfailed=failed,
        ),
        st.integers(min_value=1, max_value=8),
        st.integers(min_value=1, max_value=8),  # 8: a state id cfdash does not know
        st.integers(min_value=0, max_value=100),
        st.sampled_from([None, 4241, 4242]),
        st.sampled_from([None, True, False]),
        st.one_of(st.none(), st.integers(min_value=0, max_value=5)),
        st.integers(min_value=0, max_value=3),
    ),
    max_size=8,
    unique_by=lambda i: i.jobid,
)
CENSUS_STEPS = st.lists(
    st.tuples(
        st.sampled_from(["a", "b", "remove", "unconfirm"]),
        ITEMS,
        st.booleans(),  # read the releases (the lazy sums) after this step
    ),
    max_size=25,
)


@given(CENSUS_STEPS)
def test_a_census_told_the_changed_keys_agrees_with_counting_everything(steps):
    tracker = Tracker(["a", "b"])
    tracker.add(TrackedJob("b", 5, mirroring_setting=False))  # from the config: not listed yet
    census = Census(tracker.jobs)
    for what, items, read in steps:
        if what == "remove":
            keys = {next(iter(tracker.jobs))} if tracker.jobs else set()
            for key in keys:
                tracker.remove(key)
        elif what == "unconfirm":
            keys = tracker.unconfirm("a", T0).changed
        else:
            changes = tracker.merge(what, items, T0)
            keys = changes.added | changes.changed | changes.removed
        census.update(tracker.jobs, keys)
        jobs = list(tracker.jobs.values())
        assert census.phases == Counter(job.phase for job in jobs)
        assert census.unconfirmed == Counter(job.phase for job in jobs if job.unconfirmed)
        for account in ("a", "b"):
            mine = Counter(job.phase for job in jobs if job.account == account)
            assert census.accounts.get(account, Counter()) == mine
        expected = reference(jobs)
        assert census.versions_in_flight() == [r.imageversionid for r in in_flight(expected)]
        if read:
            assert census.releases() == expected
    assert census.releases() == reference(list(tracker.jobs.values()))
