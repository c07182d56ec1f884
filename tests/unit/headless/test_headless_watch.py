"""``cfdash watch`` against small simulators whose jobs' fates are fixed, on a fake clock.

The injected sleep moves the simulator's clock, so each watch runs in milliseconds of real
time while the simulator sees minutes pass; every outcome is certain.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass, field

import pytest

from cfdash.config import JobEntry
from cfdash.headless import (
    EXIT_API,
    EXIT_FAILED,
    EXIT_NOT_FOUND,
    EXIT_OK,
    EXIT_SQUASHED,
    run_watch,
)
from cfdash.headless.common import HeadlessError
from cfdash.headless.watch import MAX_FAILED_POLLS, NOT_FOUND_POLLS
from cfdash.sim import Fate, Fault, FaultKind, JobState, Simulator

RUNS_A_MINUTE = Fate(duration=60, queue_delay=0, estimate=60)
FAILS = Fate(duration=60, queue_delay=0, fail_at=50, error="disk full on machine 4411")
SQUASHED = Fate(duration=60, queue_delay=0, squash_at=50)


class KeepsSquashedJobs(Simulator):
    """A service that still lists squashed jobs (ours drops them, like finished ones)."""

    def status(self, asid, **kwargs):
        items = super().status(asid, **kwargs)
        return items + [
            job.status_item()
            for job in self.jobs.values()
            if job.asid == asid and job.state == JobState.SQUASHED
        ]


@dataclass
class Watched:
    code: int
    out: str
    err: str
    sleeps: list[float] = field(default_factory=list)


async def watch(settings, jobids, clock, **kwargs) -> Watched:
    out, err, sleeps = io.StringIO(), io.StringIO(), []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        clock.advance(seconds)

    code = await run_watch(
        settings,
        jobids,
        clock=clock,
        sleep=sleep,
        rng=random.Random(3),
        out=out,
        err=err,
        **{"tty": False, **kwargs},
    )
    return Watched(code, out.getvalue(), err.getvalue(), sleeps)


async def one_job(kit, serve, clock, fate, *, sim_class=Simulator, **job):
    sim = kit.sim(clock, "production", sim_class=sim_class)
    made = sim.add_job(100, kind="machine", state=JobState.RUNNING, fate=fate, **job)
    base_url = await serve(sim)
    settings = kit.settings(
        kit.account("production", 100, base_url, jobs=(JobEntry(id=made.jobid),))
    )
    return sim, settings, made.jobid


@pytest.mark.parametrize(
    ("fate", "sim_class", "expected", "summary"),
    [
        (RUNS_A_MINUTE, Simulator, EXIT_OK, "1 finished"),
        (FAILS, Simulator, EXIT_FAILED, "1 failed"),
        (SQUASHED, KeepsSquashedJobs, EXIT_SQUASHED, "1 squashed"),
    ],
    ids=["complete", "failed", "squashed"],
)
async def test_exit_status_follows_the_outcome(
    kit, serve, clock, fate, sim_class, expected, summary
):
    _, settings, jobid = await one_job(kit, serve, clock, fate, sim_class=sim_class)
    done = await watch(settings, [jobid], clock, exit_with_status=True)
    assert done.code == expected
    assert done.out.splitlines()[-1] == f"1 job watched: {summary}"
    assert done.err == ""
    # Without --exit-status a watch that saw its jobs through exits 0 whatever became of them.
    _, settings2, jobid2 = await one_job(kit, serve, clock, fate, sim_class=sim_class)
    assert (await watch(settings2, [jobid2], clock)).code == EXIT_OK


async def test_plain_lines_show_each_change_once(kit, serve, clock):
    _, settings, jobid = await one_job(kit, serve, clock, FAILS)
    done = await watch(settings, [jobid], clock)
    lines = done.out.splitlines()
    assert f"production/{jobid} Running 0% ETA 1m" in lines[0]
    assert f"production/{jobid} Failed 50% — disk full on machine 4411" in lines[-2]
    assert len(lines) == len(set(line.split(" ", 1)[1] for line in lines))  # no repeats
    assert set(done.sleeps) == {5.0}  # the account's refresh_interval, every round


async def test_one_status_request_per_account_per_interval(kit, serve, clock):
    sim = kit.sim(clock, "production", "staging")
    short = Fate(duration=30, queue_delay=0)
    ids = [sim.add_job(100, state=JobState.RUNNING, fate=f).jobid for f in (RUNS_A_MINUTE, short)]
    ids += [sim.add_job(100, state=JobState.PENDING).jobid]  # listed, never runs: not watched
    ids_b = sim.add_job(101, state=JobState.RUNNING, fate=short).jobid
    base = await serve(sim)
    settings = kit.settings(
        kit.account("production", 100, base, track_all=True),
        kit.account("staging", 101, base, track_all=True),
    )
    start = clock()
    done = await watch(settings, [*ids[:2], ids_b], clock, interval=10, exit_with_status=True)
    assert done.code == EXIT_OK
    assert set(done.sleeps) == {10.0}
    # production is read once per interval until its last job ends at +60s (plus the read
    # that sees it gone); staging stops once its only job has ended at +30s.
    assert sim.requests.count("status", 100) == (clock() - start) / 10 + 1 == 7
    assert sim.requests.count("status", 101) == 4


async def test_a_job_not_in_the_config_can_be_watched_with_account(kit, serve, clock):
    sim = kit.sim(clock, "production")
    jobid = sim.add_job(100, state=JobState.RUNNING, fate=RUNS_A_MINUTE).jobid
    settings = kit.settings(kit.account("production", 100, await serve(sim)))
    done = await watch(settings, [jobid], clock, account="production", exit_with_status=True)
    assert done.code == EXIT_OK


async def test_ids_resolve_to_exactly_one_tracked_account(kit, serve, clock):
    sim = kit.sim(clock, "production", "staging")
    jobid = sim.add_job(101, state=JobState.RUNNING, fate=RUNS_A_MINUTE).jobid
    base = await serve(sim)
    both = kit.settings(
        kit.account("production", 100, base, jobs=(JobEntry(id=jobid),)),
        kit.account("staging", 101, base, jobs=(JobEntry(id=jobid),)),
    )
    with pytest.raises(HeadlessError, match="tracked in production and staging"):
        await watch(both, [jobid], clock)
    with pytest.raises(HeadlessError, match="not tracked by any account"):
        await watch(both, [999], clock)
    # A track_all account is read once to find it; that read is the first of the watch.
    found = kit.settings(
        kit.account("production", 100, base), kit.account("staging", 101, base, track_all=True)
    )
    sim.requests.reset()
    done = await watch(found, [jobid], clock, exit_with_status=True)
    assert done.code == EXIT_OK
    assert sim.requests.count("status", 100) == 0
    assert sim.requests.count("status", 101) == 60 / 5 + 1


async def test_rejected_credentials_end_the_watch_at_once_with_3(kit, serve, clock):
    sim, settings, jobid = await one_job(kit, serve, clock, RUNS_A_MINUTE)
    bad = kit.account("production", 100, settings.accounts["production"].base_url, secret="x")
    bad = bad.model_copy(update={"jobs": (JobEntry(id=jobid),)})
    done = await watch(kit.settings(bad), [jobid], clock, exit_with_status=True)
    assert done.code == EXIT_API
    assert (
        done.err == "cfdash: account production could not be read: credentials rejected "
        "(Forbidden (HTTP 401))\n"
    )
    assert sim.requests.count("status") == 1


async def test_an_unreadable_api_ends_the_watch_after_a_bounded_run_of_failures(kit, serve, clock):
    sim, settings, jobid = await one_job(kit, serve, clock, RUNS_A_MINUTE)
    sim.faults.add(Fault(FaultKind.HTTP_503, endpoint="status"))
    done = await watch(settings, [jobid], clock, exit_with_status=True)
    assert done.code == EXIT_API
    assert f"could not be read {MAX_FAILED_POLLS} times in a row: server error 503" in done.err
    assert sim.requests.count("status") == MAX_FAILED_POLLS
    assert len(done.sleeps) == MAX_FAILED_POLLS - 1
    assert all(5.0 <= s <= 60.0 for s in done.sleeps)  # backed off, with jitter, capped
    assert "next try in" in done.err


async def test_retry_after_is_honoured_and_the_watch_recovers(kit, serve, clock):
    sim, settings, jobid = await one_job(kit, serve, clock, RUNS_A_MINUTE)
    sim.faults.add(Fault(FaultKind.HTTP_429, endpoint="status", count=1, retry_after=30))
    done = await watch(settings, [jobid], clock, exit_with_status=True)
    assert done.code == EXIT_OK
    assert done.sleeps[0] == 30.0 and set(done.sleeps[1:]) == {5.0}
    assert "rate limited" in done.err and "production: reading again" in done.err


async def test_a_job_never_listed_is_not_found_exit_4_and_named(kit, serve, clock):
    sim = kit.sim(clock, "production")
    settings = kit.settings(kit.account("production", 100, await serve(sim)))
    done = await watch(settings, [424242], clock, account="production", exit_with_status=True)
    assert done.code == EXIT_NOT_FOUND
    assert done.out.splitlines()[-2:] == [
        "production/424242: not found in production's status list (a wrong id, another "
        "account's job, or it finished before cfdash started)",
        "1 job watched: 1 not found",
    ]
    assert "finished:" not in done.out
    assert sim.requests.count("status") == NOT_FOUND_POLLS


async def test_another_accounts_job_is_not_found_and_never_called_finished(kit, serve, clock):
    sim = kit.sim(clock, "production", "staging")
    mine = sim.add_job(100, state=JobState.RUNNING, fate=RUNS_A_MINUTE).jobid
    theirs = sim.add_job(101, state=JobState.RUNNING, fate=RUNS_A_MINUTE).jobid
    base = await serve(sim)
    settings = kit.settings(kit.account("production", 100, base), kit.account("staging", 101, base))
    done = await watch(settings, [mine, theirs], clock, account="production", exit_with_status=True)
    assert done.code == EXIT_NOT_FOUND
    assert done.out.splitlines()[-1] == "2 jobs watched: 1 finished, 1 not found"
    assert f"production/{theirs}: not found in production's status list" in done.out
    assert "2 jobs finished" not in done.out
    # Without --exit-status the watch still ends 0, and still says which was not found.
    again = await watch(settings, [theirs], clock, account="production")
    assert again.code == EXIT_OK and f"production/{theirs}: not found" in again.out


async def test_not_found_outranks_failed_and_squashed(kit, serve, clock):
    sim = kit.sim(clock, "production", sim_class=KeepsSquashedJobs)
    failed = sim.add_job(100, state=JobState.RUNNING, fate=FAILS).jobid
    squashed = sim.add_job(100, state=JobState.RUNNING, fate=SQUASHED).jobid
    settings = kit.settings(kit.account("production", 100, await serve(sim)))
    both = await watch(
        settings, [failed, squashed], clock, account="production", exit_with_status=True
    )
    assert both.code == EXIT_FAILED  # failed outranks squashed
    done = await watch(
        settings, [failed, squashed, 424242], clock, account="production", exit_with_status=True
    )
    assert done.code == EXIT_NOT_FOUND


async def test_an_untracked_id_absent_from_every_track_all_list_is_not_found(kit, serve, clock):
    sim = kit.sim(clock, "production")
    settings = kit.settings(kit.account("production", 100, await serve(sim), track_all=True))
    with pytest.raises(HeadlessError, match="424242 was not found in production's") as error:
        await watch(settings, [424242], clock, exit_with_status=True)
    assert error.value.code == EXIT_NOT_FOUND


async def test_a_terminal_gets_a_redrawn_block(kit, serve, clock):
    _, settings, jobid = await one_job(kit, serve, clock, RUNS_A_MINUTE)
    done = await watch(settings, [jobid], clock, tty=True)
    assert done.code == EXIT_OK
    assert done.out.count("\x1b[2F\x1b[J") == len(done.sleeps)  # one redraw per later round
    assert f"production/{jobid} Finished" in done.out.rsplit("\x1b[J", 1)[1]


async def test_too_short_an_interval_is_refused(kit, serve, clock):
    _, settings, jobid = await one_job(kit, serve, clock, RUNS_A_MINUTE)
    with pytest.raises(HeadlessError, match="at least 1 second"):
        await watch(settings, [jobid], clock, interval=0.2)
