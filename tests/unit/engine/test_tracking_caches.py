"""The tracker's speed-ups must never change an answer.

A row keeps its phase, word and progress until a field they follow is set, and the tracker
keeps its rows per account so a merge walks only the list and that account's rows. These
tests fail if a cached value goes stale or the per-account index drifts from ``jobs``: the
last one runs random sequences against the merge as it was (a walk over every row).
"""

from __future__ import annotations

import random

import pytest

from cfdash.api.models import BadStatusItem, StatusItem
from cfdash.config import JobEntry
from cfdash.config.lastseen import LastSeen
from cfdash.config.state_rows import State
from cfdash.demo import demo_settings
from cfdash.engine.session import build_engine
from cfdash.engine.tracking import Changes, JobKey, TrackedJob, Tracker, _moved

T0 = 1_767_225_600.0
RUNNING, FAILED, SQUASHED = 4, 6, 7


def item(
    jobid: int, state: int | None = RUNNING, progress: int | None = 40, release: int | None = None
) -> StatusItem:
    return StatusItem(
        jobid=jobid, jobstateid=state, jobprogress=progress, target_imageversionid=release
    )


def shown(job: TrackedJob) -> tuple[str, str, int | None]:
    return (job.phase, job.word, job.progress)


def fresh(job: TrackedJob) -> tuple[str, str, int | None]:
    """What a row with the same fields, never read before, shows."""
    twin = TrackedJob(
        job.account,
        job.jobid,
        stage=job.stage,
        item=job.item,
        listed=job.listed,
        not_found=job.not_found,
        gone_unseen=job.gone_unseen,
        seen_before=job.seen_before,
    )
    return shown(twin)


FAILED_BEFORE = LastSeen(at=T0 - 60, word="Failed", state=FAILED)
RAN_BEFORE = LastSeen(at=T0 - 60, word="Running", state=RUNNING, progress=97)


@pytest.mark.parametrize(
    ("start", "field", "value", "after"),
    [
        ({"item": item(1), "listed": True}, "item", item(1, progress=41), "running"),
        ({"item": item(1), "listed": True}, "item", item(1, FAILED), "failed"),
        ({"item": item(1), "listed": True}, "listed", False, "finished"),
        ({"item": item(1, 1), "listed": False}, "listed", True, "created"),
        ({}, "not_found", True, "notfound"),
        ({"seen_before": RAN_BEFORE}, "gone_unseen", True, "finished"),
        ({"gone_unseen": True}, "seen_before", FAILED_BEFORE, "failed"),
        ({"item": item(1, SQUASHED), "listed": True}, "stage", "update", "unknown"),
        ({}, "stage", "diff", "notlisted"),  # "not listed" becomes "not read"
        ({"item": item(1), "listed": True}, "item", None, "notlisted"),
    ],
)
def test_the_phase_word_and_progress_follow_every_field_they_are_made_of(
    start, field, value, after
):
    job = TrackedJob("a", 1, **start)
    before = shown(job)  # worked out and kept
    setattr(job, field, value)
    assert shown(job) == fresh(job)
    assert job.phase == after
    assert shown(job) != before


def test_a_merged_item_is_shown_at_once_including_a_bad_progress():
    tracker = Tracker(["a"])
    tracker.merge("a", [item(1, progress=40)], T0)
    job = tracker.jobs[JobKey("a", "install", 1)]
    assert shown(job) == ("running", "Running", 40)
    raw = {"jobid": 1, "jobstateid": RUNNING, "jobprogress": "x"}
    bad = BadStatusItem.without(raw, ("jobprogress",))
    tracker.merge("a", [bad], T0 + 1)
    assert shown(job) == ("running", "Running", None) == fresh(job)
    tracker.merge("a", [item(1, progress=250)], T0 + 2)
    assert shown(job) == ("running", "Running", 100) == fresh(job)
    tracker.merge("a", [], T0 + 3)
    assert shown(job) == ("finished", "Finished", None) == fresh(job)


def test_the_key_follows_its_parts():
    job = TrackedJob("a", 1)
    assert job.key == ("a", "install", 1)
    job.jobid = 2
    assert job.key == ("a", "install", 2)
    job.stage = "diff"
    assert job.key == ("a", "diff", 2)
    job.account = "b"
    assert job.key == JobKey("b", "diff", 2)


def test_untracked_forgotten_and_retracked_rows_are_merged_as_they_stand():
    tracker = Tracker(["a"])
    tracker.add(TrackedJob("b", 1))
    tracker.merge("a", [item(1), item(2)], T0)
    one, b_one = JobKey("a", "install", 1), JobKey("b", "install", 1)
    assert tracker.jobs[b_one].phase == "notlisted"  # another account's list: not its news
    removed = tracker.remove(one)
    assert removed is not None
    changes = tracker.merge("a", [item(1, progress=50), item(2, progress=50)], T0 + 1)
    assert one not in tracker.jobs and one not in changes.added | changes.changed
    assert removed.progress == 40  # an untracked row is left alone
    assert [job.jobid for job in tracker.untracked("a")] == [1]
    tracker.add(TrackedJob("a", 1, source="config"), T0 + 1)
    assert tracker.jobs[one].progress == 50  # from the last list, at once
    assert tracker.untracked("a") == []
    assert tracker.forget(JobKey("a", "install", 2)) is not None
    changes = tracker.merge("a", [item(1, progress=60), item(2, progress=60)], T0 + 2)
    assert changes.added == {JobKey("a", "install", 2)}  # track_all brings a forgotten row back
    assert tracker.jobs[one].progress == 60
    assert tracker.jobs[b_one].phase == "notlisted"
    tracker.merge("b", [], T0 + 3)
    assert tracker.jobs[b_one].phase == "notfound"


def test_pipeline_rows_per_account_follow_adds_and_removes():
    tracker = Tracker()
    for key in [("a", "update", 91), ("b", "diff", 92), ("a", "install", 93), ("a", "diff", 94)]:
        tracker.add(TrackedJob(key[0], key[2], stage=key[1]))
    assert [job.key for job in tracker.pipeline_jobs("a")] == [
        ("a", "update", 91),
        ("a", "diff", 94),
    ]
    tracker.remove(("a", "update", 91))  # a plain tuple stands for a key
    assert [job.key for job in tracker.pipeline_jobs("a")] == [("a", "diff", 94)]
    assert [job.key for job in tracker.pipeline_jobs("b")] == [("b", "diff", 92)]
    assert tracker.pipeline_jobs("c") == []


def test_rows_loaded_from_the_config_and_state_are_merged():
    settings = demo_settings("http://127.0.0.1:9")
    accounts = dict(settings.accounts)
    accounts["production"] = accounts["production"].model_copy(
        update={"jobs": (JobEntry(id=5), JobEntry(id=6, stage="update"), JobEntry(id=7))}
    )
    settings = settings.model_copy(update={"accounts": accounts})
    state = State(
        added_jobs=[("production", JobEntry(id=8)), ("production", JobEntry(id=9))],
        removed_jobs={("production", "install", 7)},
        last_seen={("production", "install", 9): RAN_BEFORE},
    )
    tracker = build_engine(settings, state).tracker
    tracker.merge("production", [item(5), item(7)], T0)
    phases = {key.jobid: job.phase for key, job in tracker.jobs.items()}
    assert phases == {5: "running", 6: "notlisted", 8: "notfound", 9: "finished"}
    assert [job.jobid for job in tracker.pipeline_jobs("production")] == [6]
    assert [listed.jobid for listed in tracker.untracked("production")] == [7]


def test_rows_put_in_jobs_behind_the_trackers_back_are_still_merged():
    tracker = Tracker()
    job = TrackedJob("a", 1)
    tracker.jobs[job.key] = job
    tracker.merge("a", [item(1)], T0)
    assert job.phase == "running" and job.confirmed_at == T0


# -- the merge as it was: a walk over every row -----------------------------------------------


def walking_merge(tracker: Tracker, account: str, items: list[StatusItem], now: float) -> Changes:
    changes = Changes()
    listed = {item.jobid: item for item in items}
    tracker.latest[account] = listed
    tracker.unconfirmed_since.pop(account, None)
    if account in tracker.track_all:
        for jobid in listed:
            key = JobKey(account, "install", jobid)
            if key not in tracker.jobs and key not in tracker.dismissed:
                tracker.jobs[key] = TrackedJob(account, jobid, source="track_all")
                changes.added.add(key)
    for job in tracker.jobs.values():
        if job.account != account or job.stage != "install":
            continue
        if job.unconfirmed_since is not None:
            job.unconfirmed_since = None
            changes.changed.add(job.key)
        item = listed.get(job.jobid)
        if item is not None:
            if _moved(job.item, item) or not job.listed:
                job.item, job.listed, job.left_at = item, True, None
                job.not_found = job.gone_unseen = False
                job._note_transition(now)
                if job.key not in changes.added:
                    changes.changed.add(job.key)
            if job.settle_queue(now):
                changes.changed.add(job.key)
                changes.settled.add(job.key)
            job.confirmed_at = now
        elif job.listed:
            job.listed, job.left_at = False, now
            if job.settle_queue(now):
                changes.settled.add(job.key)
            job._note_transition(now)
            changes.changed.add(job.key)
        elif job.item is None and not (job.not_found or job.gone_unseen):
            job._absent()
            if job.settle_queue(now):
                changes.settled.add(job.key)
            job._note_transition(now)
            changes.changed.add(job.key)
    return changes


def views(tracker: Tracker) -> dict[JobKey, tuple]:
    """Each row's standing: what ``Changes.turned`` must name a row for when it changes."""
    return {
        key: (job.phase, job.word, job.release, job.unconfirmed)
        for key, job in tracker.jobs.items()
    }


def assert_turned(changes: Changes, before: dict, after: dict) -> None:
    """Every row whose standing changed (or that is new) is in ``changes.turned``, and
    nothing but added or changed rows is: consumers of transitions walk only ``turned``."""
    assert changes.turned is not None
    assert changes.turned <= changes.added | changes.changed
    moved = {key for key, view in after.items() if before.get(key) != view}
    assert moved <= changes.turned | changes.added


def snapshot(tracker: Tracker) -> dict[JobKey, tuple]:
    rows = {}
    for key, job in tracker.jobs.items():
        assert shown(job) == fresh(job), key  # the cached view is never stale
        rows[key] = (
            *shown(job),
            job.item,
            job.listed,
            job.left_at,
            job.confirmed_at,
            job.not_found,
            job.gone_unseen,
            job.unconfirmed_since,
            job.queue_note,
            [(entry.at, entry.word, entry.progress) for entry in job.history],
        )
    return rows


@pytest.mark.parametrize("seed", range(8))
def test_the_merge_answers_as_the_walk_over_every_row_did(seed):
    rng = random.Random(seed)
    fast, slow = Tracker(["a"]), Tracker(["a"])
    remembered = {JobKey("b", "install", 3): RAN_BEFORE, JobKey("b", "install", 4): FAILED_BEFORE}
    fast.remembered = slow.remembered = remembered
    pool: dict[int, StatusItem] = {}
    now = T0
    for _ in range(120):
        now += 1
        op = rng.random()
        if op < 0.5:
            account = rng.choice("ab")
            items = []
            for jobid in rng.sample(range(1, 13), rng.randint(0, 10)):
                if jobid not in pool or rng.random() < 0.5:  # else the very same object
                    state = rng.choice([1, 2, 3, RUNNING, RUNNING, 5, FAILED, SQUASHED, None])
                    progress = rng.choice([None, 0, 40, 41, 100])
                    pool[jobid] = item(jobid, state, progress, rng.choice([None, 7, 7, 8]))
                items.append(pool[jobid])
            before = views(fast)
            changes = fast.merge(account, items, now)
            assert_turned(changes, before, views(fast))
            changes.turned = None  # the walk knew no such thing
            assert changes == walking_merge(slow, account, items, now)
        elif op < 0.65:
            account, jobid = rng.choice("ab"), rng.randint(1, 12)
            stage = rng.choice(["install", "install", "update"])
            read = rng.random() < 0.3
            for tracker in (fast, slow):
                tracker.add(TrackedJob(account, jobid, stage=stage), now, fresh=read)
        elif op < 0.75:
            key = JobKey(rng.choice("ab"), "install", rng.randint(1, 12))
            assert (fast.remove(key) is None) == (slow.remove(key) is None)
        elif op < 0.85:
            key = JobKey(rng.choice("ab"), "install", rng.randint(1, 12))
            assert (fast.forget(key) is None) == (slow.forget(key) is None)
        elif op < 0.93:
            account, every = rng.choice("ab"), rng.random() < 0.5
            before = views(fast)
            changes = fast.unconfirm(account, now, every_stage=every)
            assert changes.turned == changes.changed  # each changed row is unconfirmed now
            assert_turned(changes, before, views(fast))
            assert changes == slow.unconfirm(account, now, every_stage=every)
        else:
            key = rng.choice(sorted(fast.jobs)) if fast.jobs else None
            if key is not None:
                fast.jobs[key].queue_unknown = slow.jobs[key].queue_unknown = True
        assert list(fast.jobs) == list(slow.jobs)
        assert snapshot(fast) == snapshot(slow)
        for account in "ab":
            assert fast.untracked(account) == [
                listed
                for jobid, listed in slow.latest.get(account, {}).items()
                if JobKey(account, "install", jobid) not in slow.jobs
            ]
            assert fast.pipeline_jobs(account) == [
                job
                for job in fast.jobs.values()
                if job.account == account and job.stage != "install"
            ]


def named(state: int | None, name: str, progress: int = 40) -> StatusItem:
    return StatusItem(jobid=1, jobstateid=state, jobstatename=name, jobprogress=progress)


@pytest.mark.parametrize(
    ("start", "new"),
    [
        (item(1), item(1, progress=41)),  # the same state: phase and word kept, progress anew
        (item(1), item(1, progress=140)),
        (item(1), item(1, progress=None)),
        (item(1), named(RUNNING, "Stuck")),
        (item(1), item(1, FAILED, 41)),
        (named(None, "Running"), named(None, "Failed", 41)),  # no id: the name says
        (named(99, "Running"), named(99, "Complete", 41)),
        (
            item(1),
            BadStatusItem.without(
                {"jobid": 1, "jobstateid": RUNNING, "jobprogress": "x"}, ("jobprogress",)
            ),
        ),
    ],
)
def test_a_merge_keeps_the_phase_and_word_only_while_the_state_stays(start, new):
    tracker = Tracker()
    tracker.add(TrackedJob("a", 1), T0)
    tracker.merge("a", [start], T0)
    job = tracker.jobs[JobKey("a", "install", 1)]
    assert shown(job) == fresh(job) and job.phase != "notlisted"
    tracker.merge("a", [new], T0 + 1)
    assert shown(job) == fresh(job)
