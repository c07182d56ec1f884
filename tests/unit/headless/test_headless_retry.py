"""``cfdash retry`` against the simulator over real HTTP: one request per failed update or diff,
never sent again, the queue command's exit codes and its outcome rule, and the audit trail."""

from __future__ import annotations

import asyncio
import io
import json

import pytest

from cfdash.config import JobEntry
from cfdash.demo import demo_settings
from cfdash.engine.audit import AuditLog
from cfdash.headless import EXIT_API, EXIT_FAILED, EXIT_OK, EXIT_USAGE, HeadlessError, run_retry
from cfdash.sim import Fault, FaultKind, JobState
from cfdash.sim.demo import DEMO_IMAGE, DEMO_PIPELINE

PROD = 12345
UPDATE, DIFF, RUNNING_UPDATE = 91, 92, 93
(_, DEMO_VERSION) = DEMO_PIPELINE[2]


def world(served) -> None:
    """A failed update and a failed diff on images of their own (the demo's diff locks its
    image, and a locked image refuses other retries), and a running update."""
    pipeline = served.sim.pipeline
    for imageid in (1002, 1003, 1004):
        pipeline.add_image(PROD, imageid)
    pipeline.add_update(PROD, 1002, jobid=UPDATE, state=JobState.FAILED, error="disk full")
    pipeline.add_diff(PROD, 1003, jobid=DIFF, state=JobState.FAILED, error="diff failed")
    pipeline.add_update(PROD, 1004, jobid=RUNNING_UPDATE, state=JobState.RUNNING)


def settings_for(served, *jobs: JobEntry):
    settings = demo_settings(served.base_url)
    production = settings.accounts["production"].model_copy(
        update={"track_all": False, "jobs": jobs}
    )
    return settings.model_copy(update={"accounts": {"production": production}})


TRACKED = (
    JobEntry(id=UPDATE, stage="update"),
    JobEntry(id=DIFF, stage="diff"),
    JobEntry(id=RUNNING_UPDATE, stage="update"),
    JobEntry(id=DEMO_VERSION, stage="version"),
)


async def retry(served, jobids, settings=None, **kwargs) -> tuple[int, str]:
    out = io.StringIO()
    code = await run_retry(
        settings or settings_for(served, *TRACKED),
        "production",
        jobids,
        clock=served.clock,
        out=out,
        **kwargs,
    )
    return code, out.getvalue()


def retries(served) -> list[tuple[str, int | None]]:
    return [(call.stage, call.jobid) for call in served.sim.requests.retry_calls]


async def test_a_failed_update_is_retried_with_exactly_one_request(served, tmp_path):
    world(served)
    audit = AuditLog(tmp_path / "audit.jsonl", origin="cfdash retry", user="alice")
    code, out = await retry(served, [UPDATE], audit=audit)
    assert code == EXIT_OK, out
    assert out.strip() == f"production/update {UPDATE}: retried (Queued)"
    assert retries(served) == [("update", UPDATE)]
    assert served.sim.pipeline.job("update", UPDATE).state == JobState.QUEUED
    [record] = [json.loads(line) for line in audit.path.read_text().splitlines()]
    assert (record["stage"], record["job"], record["action"], record["outcome"]) == (
        "update",
        UPDATE,
        "retry",
        "retried",
    )
    assert "mirroring" not in record and record["origin"] == "cfdash retry"
    [entry] = audit.for_job(("production", "update", UPDATE))
    assert entry.describe() == f"alice retried production/update {UPDATE}: retried (Queued)"
    assert audit.for_job(("production", "install", UPDATE)) == []  # another row's trail


async def test_the_stage_comes_from_the_tracked_job_or_must_be_said(served):
    world(served)
    code, out = await retry(served, [DIFF])  # tracked as a diff only
    assert code == EXIT_OK and out.strip() == f"production/diff {DIFF}: retried (Queued)"
    both = settings_for(
        served, JobEntry(id=UPDATE, stage="update"), JobEntry(id=UPDATE, stage="diff")
    )
    with pytest.raises(HeadlessError, match="both an update and a diff: say which with --stage"):
        await retry(served, [UPDATE], both)
    with pytest.raises(HeadlessError, match="is not tracked as an update or a diff") as error:
        await retry(served, [4242])
    assert error.value.code == EXIT_USAGE
    code, out = await retry(served, [UPDATE], settings_for(served), stage="update")  # untracked
    assert code == EXIT_OK
    assert retries(served) == [("diff", DIFF), ("update", UPDATE)]


async def test_a_version_is_never_sent_and_the_line_says_why(served):
    world(served)
    code, out = await retry(served, [DEMO_VERSION], stage="version")
    assert code == EXIT_FAILED
    assert out.strip() == (
        f"production/version {DEMO_VERSION}: not retried: image versions have no retry "
        "endpoint; create a new version instead"
    )
    assert served.sim.requests.count("update_retry") + served.sim.requests.count("diff_retry") == 0


async def test_an_id_tracked_only_as_a_version_or_an_install_is_named_as_such(served):
    """Without --stage, an id tracked as a version says "no retry endpoint" (not "say which
    with --stage update or diff", which sent the user to a stage the id is not); an id tracked
    as an install points at cfdash queue."""
    world(served)
    code, out = await retry(served, [DEMO_VERSION])  # tracked as a version only
    assert code == EXIT_FAILED
    assert out.strip() == (
        f"production/version {DEMO_VERSION}: not retried: image versions have no retry "
        "endpoint; create a new version instead"
    )
    install = settings_for(served, JobEntry(id=UPDATE))
    with pytest.raises(HeadlessError, match="tracked as an install: installs are queued") as error:
        await retry(served, [UPDATE], install)
    assert error.value.code == EXIT_USAGE
    assert retries(served) == []


async def test_read_only_exits_2_before_anything_is_sent(served):
    world(served)
    settings = settings_for(served, *TRACKED).with_overrides(read_only=True)
    with pytest.raises(HeadlessError, match="read-only: retrying is disabled") as error:
        await retry(served, [UPDATE], settings)
    assert error.value.code == EXIT_USAGE and retries(served) == []


async def test_only_a_failed_job_is_sent_for(served):
    world(served)
    code, out = await retry(served, [RUNNING_UPDATE, 999_999], stage="update")
    assert code == EXIT_FAILED
    assert f"production/update {RUNNING_UPDATE}: not retried: it is Running, not failed" in out
    assert "production/update 999999: production has no update 999999; not sent" in out
    assert retries(served) == []


@pytest.mark.parametrize(
    "kind", [FaultKind.HTTP_503, FaultKind.DROP_CONNECTION, FaultKind.TRUNCATED_JSON]
)
async def test_a_lost_answer_is_outcome_unknown_exit_3_and_never_resent(served, kind):
    world(served)
    served.sim.faults.add(Fault(kind, endpoint="retry"))  # every retry call, not just one
    code, out = await retry(served, [UPDATE])
    assert code == EXIT_API
    assert out.startswith(f"production/update {UPDATE}: outcome unknown (")
    assert "not sent again" in out and "failed" not in out
    assert retries(served) == [("update", UPDATE)]


async def test_a_refusal_exits_1_and_a_429_exits_3_each_sent_once(served):
    world(served)
    served.sim.faults.add(
        Fault(FaultKind.ERROR_ENVELOPE, endpoint="update_retry", message="nope", count=1)
    )
    code, out = await retry(served, [UPDATE])
    assert code == EXIT_FAILED and out.strip() == f"production/update {UPDATE}: refused: nope"
    served.sim.faults.add(Fault(FaultKind.HTTP_429, endpoint="diff_retry", count=1))
    code, out = await retry(served, [DIFF])
    assert code == EXIT_API and f"production/diff {DIFF}: not retried: rate limited" in out
    assert retries(served) == [("update", UPDATE), ("diff", DIFF)]


async def test_a_locked_image_is_the_services_refusal(served):
    """The demo's update works on the image the demo's diff locks: the service says so."""
    pipeline = served.sim.pipeline
    (_, diff) = DEMO_PIPELINE[1]
    job = pipeline.add_update(PROD, DEMO_IMAGE, jobid=UPDATE, state=JobState.FAILED)
    assert job.state == JobState.FAILED
    code, out = await retry(served, [UPDATE])
    assert code == EXIT_FAILED, out
    assert f"refused: image locked by diffid: {diff}" in out
    assert retries(served) == [("update", UPDATE)]


async def test_an_unreadable_job_is_not_sent_and_exits_3(served):
    world(served)
    served.sim.faults.add(Fault(FaultKind.HTTP_500, endpoint="update_status"))
    code, out = await retry(served, [UPDATE, DIFF])
    assert code == EXIT_API
    assert f"production/update {UPDATE}: not retried: cannot read it: server error 500" in out
    assert f"production/diff {DIFF}: retried (Queued)" in out
    assert retries(served) == [("diff", DIFF)]


async def test_ctrl_c_with_a_retry_in_flight_names_its_unknown_outcome(served, tmp_path):
    """Ctrl+C cancels the command's task (``asyncio.run`` does that on SIGINT)."""
    world(served)
    sent = asyncio.Event()
    record = served.sim.requests.record_retry

    def recording(*args):
        record(*args)
        sent.set()

    served.sim.requests.record_retry = recording
    served.sim.faults.add(Fault(FaultKind.LATENCY, endpoint="retry", delay=30))
    audit = AuditLog(tmp_path / "audit.jsonl")
    out = io.StringIO()
    command = asyncio.create_task(
        run_retry(
            settings_for(served, *TRACKED),
            "production",
            [UPDATE, DIFF],
            clock=served.clock,
            out=out,
            audit=audit,
        )
    )
    await sent.wait()
    command.cancel()
    with pytest.raises(asyncio.CancelledError):
        await command
    assert out.getvalue().splitlines() == [
        f"production/update {UPDATE}: outcome unknown (interrupted while the request was "
        "in flight); not sent again — `cfdash status` will show whether it was retried",
        f"production/diff {DIFF}: not sent (interrupted)",
    ]
    assert retries(served) == [("update", UPDATE)]
    [entry] = audit.last()
    assert (entry.stage, entry.job, entry.action, entry.outcome) == (
        "update",
        UPDATE,
        "retry",
        "unknown",
    )


async def test_watch_follows_a_stage_and_asks_for_it_when_an_id_is_ambiguous(served):
    """``watch --stage``: the diff is followed to its end by its own reads; an id tracked as
    both an install and an update needs --stage."""
    import random

    from cfdash.headless import run_watch

    world(served)
    served.sim.add_job(PROD, jobid=UPDATE, state=JobState.PENDING)
    settings = settings_for(served, *TRACKED, JobEntry(id=UPDATE))

    async def sleep(seconds: float) -> None:
        served.clock.advance(seconds)

    out, err = io.StringIO(), io.StringIO()
    options = dict(clock=served.clock, sleep=sleep, rng=random.Random(3), out=out, err=err)
    with pytest.raises(
        HeadlessError, match="tracked as update and install: say which with --stage"
    ):
        await run_watch(settings, [UPDATE], tty=False, **options)
    code = await run_watch(
        settings, [DIFF], account="production", stage="diff", exit_with_status=True, tty=False,
        **options,
    )  # fmt: skip
    assert code == EXIT_FAILED  # the diff is Failed: watch --exit-status says so
    assert out.getvalue().strip().endswith("1 job watched: 1 failed")
    assert served.sim.requests.count("diff_status", PROD, jobid=DIFF) >= 1


async def test_watch_of_a_job_whose_own_reads_keep_failing_says_so_and_ends(served):
    """Its account reads fine, so only the job's own trouble can end the watch: each failed
    read is noted on stderr, and five in a row end it as an account's would."""
    import random

    from cfdash.headless import run_watch

    world(served)
    served.sim.faults.add(Fault(FaultKind.HTTP_500, endpoint="update_status", jobid=RUNNING_UPDATE))
    settings = settings_for(served, *TRACKED)

    async def sleep(seconds: float) -> None:
        served.clock.advance(seconds)

    out, err = io.StringIO(), io.StringIO()
    code = await run_watch(
        settings, [RUNNING_UPDATE], account="production", stage="update", tty=False,
        clock=served.clock, sleep=sleep, rng=random.Random(3), out=out, err=err,
    )  # fmt: skip
    assert code == EXIT_API
    assert "production/update 93: cannot read it: server error 500" in err.getvalue()
    assert "cfdash: production/update 93 could not be read 5 times in a row" in err.getvalue()
    assert served.sim.requests.count("update_status", PROD, jobid=RUNNING_UPDATE) == 5
