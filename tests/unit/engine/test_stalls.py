"""Stall detection: exact timing on synthetic jobs, then a frozen job in the simulator."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cfdash.api.models import StatusItem
from cfdash.demo import demo_settings
from cfdash.engine.events import notable
from cfdash.engine.session import build_engine
from cfdash.engine.stalls import StallDetector, span_text
from cfdash.engine.tracking import Tracker
from cfdash.sim import Fate

T0 = 1_767_225_600.0
QUEUED, RUNNING, COMPLETE, FAILED = 3, 4, 5, 6
KEY = ("a", "install", 1)


def item(progress: int, state: int = RUNNING, eta: float | None = None) -> StatusItem:
    return StatusItem(
        jobid=1, jobstateid=state, jobprogress=progress, jobeta=None if eta is None else int(eta)
    )


class World:
    """One account's tracker, fed a status list at chosen times."""

    def __init__(self, detector: StallDetector) -> None:
        self.tracker = Tracker(["a"])
        self.detector = detector

    def poll(self, now: float, *items: StatusItem) -> set:
        self.tracker.merge("a", list(items), now)
        return self.detector.check(self.tracker, now)


def test_no_progress_for_stall_after_seconds_is_a_stall():
    world = World(StallDetector(stall_after=600, eta_grace=120))
    assert world.poll(T0, item(10)) == set()
    assert world.poll(T0 + 599, item(10)) == set()
    assert world.poll(T0 + 600, item(10)) == {KEY}
    assert world.detector.newly_stalled == {KEY}
    assert world.detector.reason(world.tracker.jobs[KEY], T0 + 600) == "no progress for 10m00s"
    assert world.poll(T0 + 700, item(10)) == {KEY}
    assert world.detector.newly_stalled == set()  # reported once per stall


def test_a_move_clears_a_stall_and_restarts_the_clock():
    world = World(StallDetector(stall_after=600))
    world.poll(T0, item(10))
    world.poll(T0 + 600, item(10))
    assert world.poll(T0 + 650, item(11)) == set()
    assert not world.detector.is_stalled(KEY)
    assert world.poll(T0 + 1249, item(11)) == set()
    assert world.poll(T0 + 1250, item(11)) == {KEY}
    assert world.detector.newly_stalled == {KEY}  # a new stall, so a new notice


@pytest.mark.parametrize("state", [QUEUED, COMPLETE, FAILED])
def test_leaving_running_clears_a_stall(state):
    world = World(StallDetector(stall_after=600))
    world.poll(T0, item(10))
    assert world.poll(T0 + 600, item(10)) == {KEY}
    assert world.poll(T0 + 601, item(10, state)) == set()
    assert world.detector.stalled == frozenset()


def test_leaving_the_list_clears_a_stall_and_a_rerun_starts_afresh():
    world = World(StallDetector(stall_after=600))
    world.poll(T0, item(10))
    assert world.poll(T0 + 600, item(10)) == {KEY}
    assert world.poll(T0 + 601) == set()  # finished
    assert world.poll(T0 + 602, item(10)) == set()  # listed and running again: new watch
    assert world.poll(T0 + 1201, item(10)) == set()
    assert world.poll(T0 + 1202, item(10)) == {KEY}


def test_an_eta_long_passed_is_a_stall_until_the_job_moves():
    world = World(StallDetector(stall_after=600, eta_grace=120))
    eta = T0 + 100
    world.poll(T0, item(10, eta=eta))
    assert world.poll(T0 + 220, item(10, eta=eta)) == set()  # within the grace
    assert world.poll(T0 + 221, item(10, eta=eta)) == {KEY}
    assert world.detector.reason(world.tracker.jobs[KEY], T0 + 221) == "ETA passed 2m01s ago"
    # It moves after its deadline without a new ETA: late, not stuck.
    assert world.poll(T0 + 300, item(12, eta=eta)) == set()
    assert world.poll(T0 + 899, item(12, eta=eta)) == set()
    assert world.poll(T0 + 900, item(12, eta=eta)) == {KEY}  # then it stops: stalled again


def test_a_move_before_the_deadline_does_not_excuse_a_passed_eta():
    world = World(StallDetector(stall_after=600, eta_grace=120))
    eta = T0 + 100
    world.poll(T0, item(10, eta=eta))
    world.poll(T0 + 50, item(20, eta=eta))
    assert world.poll(T0 + 221, item(20, eta=eta)) == {KEY}


def test_a_job_first_seen_long_past_its_eta_is_stalled_at_once():
    world = World(StallDetector())
    assert world.poll(T0, item(40, eta=T0 - 3600)) == {KEY}
    assert world.detector.reason(world.tracker.jobs[KEY], T0) == "ETA passed 1h00m ago"


def test_per_account_threshold_and_settings():
    detector = StallDetector(stall_after=600, per_account={"a": 60})
    assert detector.threshold("a") == 60 and detector.threshold("b") == 600
    world = World(detector)
    world.poll(T0, item(10))
    assert world.poll(T0 + 60, item(10)) == {KEY}
    settings = demo_settings("http://127.0.0.1:1")
    from_settings = StallDetector.from_settings(settings)
    assert from_settings.stall_after == settings.stall_after == 600
    assert all(from_settings.threshold(name) == 600 for name in settings.accounts)
    with pytest.raises(ValueError):
        StallDetector(stall_after=0)


def test_stall_events_are_notable_once():
    world = World(StallDetector(stall_after=600))
    world.poll(T0, item(10))
    world.poll(T0 + 600, item(10))
    [event] = world.detector.stall_events(world.tracker, T0 + 600)
    assert notable(event) == "stalled"
    assert event.key == KEY and event.stall == "no progress for 10m00s" and event.progress == 10
    assert event.describe() == "a/1: stalled at 10%: no progress for 10m00s"
    world.poll(T0 + 601, item(10))
    assert world.detector.stall_events(world.tracker, T0 + 601) == []


def test_span_text():
    assert [span_text(s) for s in (5, 60, 3599, 3600, 3660, 86400, 90000)] == [
        "5s",
        "1m00s",
        "59m59s",
        "1h00m",
        "1h01m",
        "1d00h",
        "1d01h",
    ]


# -- against the simulator -------------------------------------------------------------------

# Progress climbs to 20% in the first fifth of the run, then sits there until the very end.
FROZEN = (0.0, 10.0, 20.0, 20.0, 20.0, 20.0, 20.0, 20.0, 20.0, 20.0, 100.0)


async def test_a_frozen_job_in_the_simulator_stalls_once(served):
    sim = served.sim
    asid = next(acc.asid for acc in sim.accounts.values() if acc.name == "production")
    segment = 1000  # wall seconds per curve segment
    fate = Fate(duration=segment * 10 * sim.speed, queue_delay=0, curve=FROZEN)
    job = sim.add_job(asid, state=RUNNING, fate=fate, elapsed=1.5 * segment * sim.speed)
    key = ("production", "install", job.jobid)
    engine = build_engine(demo_settings(served.base_url), clock=served.clock)
    detector = StallDetector(stall_after=600, eta_grace=120)
    notices = []

    async def poll(advance: float) -> set:
        served.clock.advance(advance)
        await engine.poll_all()
        found = detector.check(engine.tracker, served.clock())
        notices.extend(e for e in detector.stall_events(engine.tracker, served.clock()))
        return found

    try:
        assert key not in await poll(0)
        assert engine.tracker.jobs[key].progress == 15
        assert key not in await poll(600)  # reached 20% (at +500): it moved
        assert engine.tracker.jobs[key].progress == 20
        assert key not in await poll(599)
        assert key in await poll(1)  # 600 s since the poll that saw it move
        assert key in await poll(5)
        assert [e.key for e in notices if e.key == key] == [key]
    finally:
        await engine.aclose()


async def test_a_passed_eta_in_the_simulator_is_a_stall(served):
    sim = served.sim
    asid = next(acc.asid for acc in sim.accounts.values() if acc.name == "staging")
    # The service guesses 100 s; the job crawls to 3% in its first 1000 s and stays there.
    crawl = (0.0, 3.0, 3.0, 3.0, 3.0, 3.0, 3.0, 3.0, 3.0, 3.0, 100.0)
    fate = Fate(duration=10_000 * sim.speed, queue_delay=0, curve=crawl, estimate=100 * sim.speed)
    job = sim.add_job(asid, state=RUNNING, fate=fate)
    key = ("staging", "install", job.jobid)
    engine = build_engine(demo_settings(served.base_url), clock=served.clock)
    detector = StallDetector(stall_after=600, eta_grace=120)
    try:
        await engine.poll_all()
        assert engine.tracker.jobs[key].eta == int(served.clock() + 100)
        assert key not in detector.check(engine.tracker, served.clock())
        served.clock.advance(220)
        await engine.poll_all()
        assert key not in detector.check(engine.tracker, served.clock())
        served.clock.advance(1)
        await engine.poll_all()
        assert key in detector.check(engine.tracker, served.clock())
        assert detector.reason(engine.tracker.jobs[key], served.clock()).startswith("ETA passed")
    finally:
        await engine.aclose()


# -- the stall_after config key --------------------------------------------------------------

CONFIG = """
stall_after = {top}

[accounts.prod]
accountserviceid = 1
access_key = "k"
secret_key = "s"
{account}

[accounts.stage]
accountserviceid = 2
access_key = "k"
secret_key = "s"
"""


def write_config(tmp_path, top="600", account=""):
    path = tmp_path / "config.toml"
    path.write_text(CONFIG.format(top=top, account=account), encoding="utf-8")
    path.chmod(0o600)
    return path


def test_stall_after_config_key_with_account_override(tmp_path):
    from cfdash.config import load_settings

    settings = load_settings(write_config(tmp_path, "300", "stall_after = 45.5"), env={})
    assert settings.stall_after == 300
    assert settings.accounts["prod"].stall_after == 45.5
    assert settings.accounts["stage"].stall_after == 300
    detector = StallDetector.from_settings(settings)
    assert (detector.threshold("prod"), detector.threshold("stage")) == (45.5, 300)


@pytest.mark.parametrize(
    ("top", "account", "where"),
    [("0", "", "stall_after"), ('"600"', "", "stall_after"), ("600", "stall_after = -1", "prod")],
)
def test_stall_after_must_be_positive_seconds(tmp_path, top, account, where):
    from cfdash.config import find_problems

    problems = find_problems(write_config(tmp_path, top, account), env={})
    assert len(problems) == 1 and where in problems[0].key and "stall_after" in problems[0].key


# -- the deadline queue: a check looks only at changed rows and at deadlines that passed -------


class Keyed:
    """A tracker fed status lists, and a detector told only what each merge changed."""

    def __init__(self, detector: StallDetector, jobs: int = 1) -> None:
        self.tracker = Tracker(["a"])
        self.detector = detector
        self.progress = dict.fromkeys(range(1, jobs + 1), 10)

    def poll(self, now: float, eta: float | None = None) -> set:
        items = [
            StatusItem(
                jobid=jobid,
                jobstateid=RUNNING,
                jobprogress=progress,
                jobeta=None if eta is None else int(eta),
            )
            for jobid, progress in self.progress.items()
        ]
        changes = self.tracker.merge("a", items, now)
        return self.detector.update(self.tracker, now, changes.added | changes.changed)

    def tick(self, now: float) -> set:
        """The clock tick: nothing changed, only time passed."""
        return self.detector.update(self.tracker, now, ())


def test_jobs_that_keep_moving_are_never_flagged_and_add_no_queue_entries():
    world = Keyed(StallDetector(stall_after=60, eta_grace=10), jobs=50)
    world.poll(T0, eta=T0 + 30)
    for second in range(1, 600):
        if second % 20 == 0:  # each job moves every 20 s: well inside stall_after
            world.progress = {jobid: (p % 99) + 1 for jobid, p in world.progress.items()}
            world.poll(T0 + second, eta=T0 + second + 30)  # and the ETA moves on
        assert world.tick(T0 + second) == set()
    assert world.detector.stalled == frozenset()
    assert len(world.detector) == 50
    assert world.detector.queued <= 2 * 50  # an entry per job, not one per move


def test_a_deadline_that_passes_between_polls_is_flagged_once_by_the_tick():
    world = Keyed(StallDetector(stall_after=600, eta_grace=120))
    world.poll(T0)
    flips = [(second, world.tick(T0 + second)) for second in range(1, 1200)]
    assert [(second, keys) for second, keys in flips if keys] == [(600, {KEY})]
    assert world.detector.stalled == {KEY}
    assert world.detector.reason(world.tracker.jobs[KEY], T0 + 1199) == "no progress for 19m59s"
    world.progress[1] = 11  # it moves: unflagged at once, and a new deadline queued
    assert world.poll(T0 + 1200) == {KEY} and world.detector.stalled == frozenset()
    assert world.tick(T0 + 1799) == set()
    assert world.tick(T0 + 1800) == {KEY} and world.detector.newly_stalled == {KEY}


def test_an_eta_deadline_is_queued_too_and_fires_strictly_after_the_grace():
    world = Keyed(StallDetector(stall_after=600, eta_grace=120))
    world.poll(T0, eta=T0 + 100)
    assert world.tick(T0 + 220) == set()
    assert world.tick(T0 + 220.5) == {KEY}
    assert world.detector.reason(world.tracker.jobs[KEY], T0 + 221).startswith("ETA passed")


def test_an_unconfirmed_job_is_never_flagged_and_its_clock_restarts_at_the_first_good_read():
    world = Keyed(StallDetector(stall_after=600, eta_grace=120))
    world.poll(T0, eta=T0 + 100)
    changes = world.tracker.unconfirm("a", T0 + 50)  # the account cannot be read from here
    assert world.detector.update(world.tracker, T0 + 50, changes.changed) == set()
    for second in range(51, 3000, 7):  # its deadlines (T0+220, T0+600) pass unseen
        assert world.tick(T0 + second) == set()
    assert world.detector.stalled == frozenset()
    back = T0 + 3000
    assert world.poll(back, eta=T0 + 100) == set()  # the first good read: a fresh start
    assert world.tick(back + 120) == set()  # the passed ETA gets its grace again from here
    assert world.tick(back + 121) == {KEY}
    assert world.detector.reason(world.tracker.jobs[KEY], back + 121).startswith("ETA passed")


def test_a_job_that_leaves_running_or_is_untracked_is_forgotten_with_its_deadline():
    world = Keyed(StallDetector(stall_after=600), jobs=2)
    world.poll(T0)
    assert world.tick(T0 + 600) == {("a", "install", 1), ("a", "install", 2)}
    finished = world.tracker.merge("a", [StatusItem(jobid=2, jobstateid=RUNNING, jobprogress=10)],
                                   T0 + 601)  # fmt: skip
    assert world.detector.update(world.tracker, T0 + 601, finished.changed) == {("a", "install", 1)}
    world.tracker.remove(("a", "install", 2))
    assert world.detector.update(world.tracker, T0 + 602, [("a", "install", 2)]) == {
        ("a", "install", 2)
    }
    assert world.detector.stalled == frozenset() and len(world.detector) == 0


class Walking:
    """The rules as first written, for comparison: every job, at every check, from scratch."""

    def __init__(self, stall_after: float, eta_grace: float) -> None:
        self.stall_after, self.eta_grace = stall_after, eta_grace
        self.watch: dict = {}  # key -> [progress, since, moved, paused, resumed]
        self.stalled: set = set()

    def check(self, tracker: Tracker, now: float) -> set:
        running = {key for key, job in tracker.jobs.items() if job.phase == "running"}
        self.watch = {key: w for key, w in self.watch.items() if key in running}
        for key in running:
            job, watch = tracker.jobs[key], self.watch.get(key)
            if job.unconfirmed:
                if watch is not None:
                    watch[3] = True
            elif watch is None:
                self.watch[key] = [job.progress, now, None, False, None]
            elif watch[3]:
                self.watch[key] = [job.progress, now, None, False, now]
            elif watch[0] != job.progress:
                watch[0:3] = [job.progress, now, now]
        before, self.stalled = (
            self.stalled,
            {
                key
                for key, w in self.watch.items()
                if not w[3] and self.why(tracker.jobs[key], w, now)
            },
        )
        return self.stalled - before

    def why(self, job, watch, now: float) -> bool:
        _, since, moved, _, resumed = watch
        if now - since >= self.stall_after:
            return True
        if job.eta is None:
            return False
        deadline = job.eta + self.eta_grace
        if resumed is not None:
            deadline = max(deadline, resumed + self.eta_grace)
        return now > deadline and (moved is None or moved <= deadline)


STEPS = st.lists(
    st.tuples(
        st.sampled_from(["poll", "tick", "outage"]),
        st.integers(min_value=1, max_value=20),  # seconds that pass first
        st.sets(st.integers(min_value=1, max_value=12)),  # jobs that move (poll; 7+: none)
        st.sets(st.integers(min_value=1, max_value=6)),  # jobs that leave running (poll)
        st.one_of(st.none(), st.integers(min_value=-30, max_value=60)),  # ETA from now
    ),
    min_size=10,
    max_size=80,
)


@given(STEPS)
def test_the_deadline_queue_agrees_with_walking_every_job(steps):
    """Told only what changed, the detector flags exactly what a walk over all jobs flags."""
    tracker = Tracker(["a"])
    keyed = StallDetector(stall_after=40, eta_grace=10)
    walked = Walking(stall_after=40, eta_grace=10)
    progress = dict.fromkeys(range(1, 7), 0)
    states = dict.fromkeys(range(1, 7), RUNNING)
    now = T0
    for kind, wait, moving, stopping, eta in steps:
        now += wait
        keys: set = set()
        if kind == "outage":
            keys = tracker.unconfirm("a", now).changed
        elif kind == "poll":
            for jobid in moving & progress.keys():
                progress[jobid] += 1
            for jobid in stopping:
                states[jobid] = QUEUED if states[jobid] == RUNNING else RUNNING
            items = [
                StatusItem(
                    jobid=jobid,
                    jobstateid=states[jobid],
                    jobprogress=progress[jobid],
                    jobeta=None if eta is None else int(now + eta),
                )
                for jobid in progress
            ]
            changes = tracker.merge("a", items, now)
            keys = changes.added | changes.changed
        keyed.update(tracker, now, keys)
        newly = walked.check(tracker, now)
        assert keyed.stalled == walked.stalled
        assert keyed.newly_stalled == newly
