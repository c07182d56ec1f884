"""Update, diff and version jobs in the engine, over real HTTP against the simulator: one read
of each per refresh beside the account's install list, rows keyed by (account, stage, id), and
whose trouble a failed read is (decisions.md, "Errors on per-job status calls")."""

from __future__ import annotations

from cfdash.api.models import StateKind
from cfdash.config.schema import JobEntry
from cfdash.demo import demo_settings
from cfdash.engine import Engine, JobKey
from cfdash.engine.session import build_engine
from cfdash.sim import Fault, FaultKind
from cfdash.sim.demo import DEMO_PIPELINE
from cfdash.sim.model import JobState

PROD = 12345
(_, UPDATE), (_, DIFF), (_, VERSION) = DEMO_PIPELINE
UPDATE_KEY = JobKey("production", "update", UPDATE)
DIFF_KEY = JobKey("production", "diff", DIFF)
VERSION_KEY = JobKey("production", "version", VERSION)


def engine_for(served, *extra: JobEntry) -> Engine:
    """The demo's accounts; production tracks the demo's update, diff and version (and
    ``extra``)."""
    settings = demo_settings(served.base_url, pipeline=True)
    production = settings.accounts["production"]
    production = production.model_copy(update={"jobs": (*production.jobs, *extra)})
    accounts = {**settings.accounts, "production": production}
    return build_engine(settings.model_copy(update={"accounts": accounts}), clock=served.clock)


async def poll_until(engine: Engine, served, key: JobKey, phase: str, polls: int = 40) -> None:
    """Poll every 5 s of the simulator's clock until ``key``'s row is in ``phase`` (or give up
    after ``polls``: the caller's assertion then says what it is instead)."""
    for _ in range(polls):
        await engine.poll_all()
        if engine.tracker.jobs[key].phase == phase:
            return
        served.clock.advance(5)


def reads(served, stage: str, jobid: int) -> int:
    return served.sim.requests.count(f"{stage}_status", PROD, jobid=jobid)


async def test_each_pipeline_job_is_read_once_per_refresh_beside_the_install_list(served):
    engine = engine_for(served)
    try:
        for _ in range(3):
            served.clock.advance(5)
            await engine.poll_all()
        for stage, jobid in DEMO_PIPELINE:
            assert reads(served, stage, jobid) == 3
        assert served.sim.requests.count("status") == 3 * len(served.sim.accounts)
        for key in (UPDATE_KEY, DIFF_KEY, VERSION_KEY):
            job = engine.tracker.jobs[key]
            truth = served.sim.pipeline.job(key.stage, key.jobid)
            assert job.stage == key.stage and job.listed and job.item is not None
            assert job.item.jobstateid == int(truth.state)
            assert job.progress == truth.progress
            assert job.source == "config" and job.kind == ""
        diff = engine.tracker.jobs[DIFF_KEY].pipeline
        body = served.sim.pipeline.status(PROD, "diff", DIFF)
        assert diff is not None and diff.counts == tuple(
            len(body[change]) for change in ("added", "modified", "removed")
        )
    finally:
        await engine.aclose()


async def test_install_91_and_update_91_are_two_rows(served):
    served.sim.add_job(PROD, jobid=UPDATE, state=JobState.RUNNING, elapsed=60.0)
    engine = engine_for(served, JobEntry(id=UPDATE))  # install 7101 beside update 7101
    try:
        await engine.poll_all()
        install = engine.tracker.jobs[("production", "install", UPDATE)]
        update = engine.tracker.jobs[UPDATE_KEY]
        assert install is not update and len(engine.tracker) > 2
        assert install.kind in ("mirror", "machine") and update.kind == ""
        assert install.item is not None and update.item is not None
        assert install.item.jobstateid == int(served.sim.jobs[UPDATE].state)
        assert update.item.jobstateid == int(served.sim.pipeline.job("update", UPDATE).state)
        assert (
            install.name == f"production/{UPDATE}" and update.name == f"production/update {UPDATE}"
        )
        # The install list never reaches the update's row, nor the update's read the install's.
        assert update.item.target_imageversionid is None
    finally:
        await engine.aclose()


async def test_an_unknown_pipeline_id_is_not_found_on_its_row_alone(served):
    engine = engine_for(served, JobEntry(id=999_999, stage="diff"))
    try:
        event = (await engine.poll_all())[0]
        ghost = engine.tracker.jobs[("production", "diff", 999_999)]
        assert ghost.phase == "notfound" and ghost.word == "not found"
        assert ghost.error is not None and "cannot read it" in ghost.error
        assert event.error is None and engine.health("production").state == "ok"
        assert engine.tracker.jobs[UPDATE_KEY].listed  # the others were read
    finally:
        await engine.aclose()


async def test_a_5xx_or_bad_body_on_one_job_is_that_rows_trouble_never_the_accounts(served):
    engine = engine_for(served)
    try:
        await engine.poll_all()
        # The update (Failed on the diff's lock) is read at every refresh; a Complete job is not.
        before = engine.tracker.jobs[UPDATE_KEY].item
        for kind in (FaultKind.HTTP_503, FaultKind.NOT_JSON, FaultKind.TRUNCATED_JSON):
            served.sim.faults.add(Fault(kind, endpoint="update_status", count=1))
            served.clock.advance(5)
            [event] = [e for e in await engine.poll_all() if e.account == "production"]
            diff = engine.tracker.jobs[UPDATE_KEY]
            assert event.error is None, kind
            assert (
                engine.health("production").state == "ok"
                and not engine.health("production").failures
            )
            assert diff.unconfirmed and diff.error is not None and "cannot read it" in diff.error
            assert diff.item == before  # its last values stay, unconfirmed
            assert UPDATE_KEY in event.changes.changed
            assert not engine.tracker.jobs[VERSION_KEY].unconfirmed
            served.clock.advance(5)
            await engine.poll_all()  # the next good read confirms it again
            diff = engine.tracker.jobs[UPDATE_KEY]
            assert not diff.unconfirmed and diff.read_error is None
            before = diff.item
    finally:
        await engine.aclose()


async def test_a_401_on_a_pipeline_read_is_the_accounts_auth_trouble(served):
    engine = engine_for(served)
    try:
        await engine.poll_all()
        served.sim.faults.add(
            Fault(
                FaultKind.ERROR_ENVELOPE,
                endpoint="update_status",
                message="Forbidden",
                status=401,
                count=1,
            )
        )
        served.clock.advance(5)
        [event] = [e for e in await engine.poll_all() if e.account == "production"]
        health = engine.health("production")
        assert event.error is not None and health.state == "auth"
        # Every row of the account is unconfirmed, installs too; the diff was not read at all.
        assert all(
            job.unconfirmed for job in engine.tracker.jobs.values() if job.account == "production"
        )
        assert reads(served, "diff", DIFF) == 1 and reads(served, "version", VERSION) == 1
        served.clock.advance(5)
        await engine.poll_all()
        assert health.state == "ok" and not engine.tracker.jobs[UPDATE_KEY].unconfirmed
    finally:
        await engine.aclose()


async def test_a_429_on_a_pipeline_read_backs_off_the_whole_account(served):
    engine = engine_for(served)
    try:
        await engine.poll_all()
        served.sim.faults.add(
            Fault(FaultKind.HTTP_429, endpoint="diff_status", retry_after=40, count=1)
        )
        served.clock.advance(5)
        [event] = [e for e in await engine.poll_all() if e.account == "production"]
        assert event.error is not None and event.error.reason == "rate limited"
        runner_delay = engine._runners["production"].backoff.delay(
            engine.health("production").failures, event.error
        )
        assert runner_delay >= 40  # Retry-After is obeyed for the account
        assert engine.health("production").state == "backoff"
        assert reads(served, "version", VERSION) == 1  # not read after the 429
    finally:
        await engine.aclose()


async def test_a_failing_install_list_leaves_pipeline_rows_read(served):
    engine = engine_for(served)
    try:
        await engine.poll_all()
        served.sim.faults.add(Fault(FaultKind.HTTP_500, endpoint="status", asid=PROD, count=1))
        served.clock.advance(5)
        [event] = [e for e in await engine.poll_all() if e.account == "production"]
        assert event.error is not None
        installs = [j for j in engine.tracker.jobs.values() if j.account == "production"]
        assert all(j.unconfirmed for j in installs if j.stage == "install" and j.listed)
        assert not engine.tracker.jobs[UPDATE_KEY].unconfirmed  # read on its own, and fine
        assert reads(served, "update", UPDATE) == 2
    finally:
        await engine.aclose()


async def test_the_demo_update_fails_on_the_diffs_lock_and_the_row_says_so(served):
    engine = engine_for(served)
    try:
        await poll_until(engine, served, UPDATE_KEY, "failed")
        update = engine.tracker.jobs[UPDATE_KEY]
        assert update.phase == "failed" and update.state is not None
        assert update.state.kind is StateKind.FAILED
        assert update.error == f"image locked by diffid: {DIFF}"
    finally:
        await engine.aclose()


async def test_a_complete_diff_holds_its_paths_with_nothing_scrubbed_away(served):
    engine = engine_for(served)
    try:
        await poll_until(engine, served, DIFF_KEY, "complete")
        diff = engine.tracker.jobs[DIFF_KEY].pipeline
        assert diff is not None and engine.tracker.jobs[DIFF_KEY].phase == "complete"
        truth = served.sim.pipeline.job("diff", DIFF).changes
        assert sum(diff.counts) > 0
        assert diff.counts == tuple(len(truth[c]) for c in ("added", "modified", "removed"))
        assert {path for _, path in diff.changes()} == {
            path for change in truth.values() for path in change
        }
    finally:
        await engine.aclose()


async def test_a_complete_job_is_read_once_not_at_every_refresh(served):
    """Complete is final for a job read by id, and a diff's answer can be megabytes of paths."""
    engine = engine_for(served)
    try:
        await poll_until(engine, served, DIFF_KEY, "complete")
        assert engine.tracker.jobs[DIFF_KEY].phase == "complete"
        diff_reads, update_reads = reads(served, "diff", DIFF), reads(served, "update", UPDATE)
        for _ in range(3):
            served.clock.advance(5)
            await engine.poll_all()
        assert reads(served, "diff", DIFF) == diff_reads  # not read again
        assert reads(served, "update", UPDATE) == update_reads + 3  # a Failed one still is
    finally:
        await engine.aclose()
