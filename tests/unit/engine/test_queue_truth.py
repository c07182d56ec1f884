"""One rule for queue outcomes, the readiness check before sending, and the audit trail —
against the simulator over real HTTP, and through the dashboard's own engine factory.
"""

from __future__ import annotations

import asyncio
import json

import pytest

from cfdash.api.errors import (
    ApiError,
    AuthError,
    BadResponseError,
    RateLimitedError,
    ServerError,
    TransportError,
)
from cfdash.config import StateStore
from cfdash.demo import demo_settings
from cfdash.engine import QueueRefused, TrackedJob, queue_outcome
from cfdash.engine.audit import AuditEntry, AuditLog
from cfdash.engine.session import build_engine
from cfdash.sim import Fault, FaultKind

PRODUCTION_RUNNING, PRODUCTION_QUEUED, PRODUCTION_FAILED = 5551001, 5551004, 5551007
PRODUCTION_CREATED = 5551010
WHERE = {"account": "a", "endpoint": "queue 1"}


@pytest.mark.parametrize(
    ("error", "status", "text"),
    [
        (ApiError("image locked", **WHERE), "refused", "refused: image locked"),
        (AuthError("Forbidden (HTTP 401)", **WHERE), "not_queued", "not queued: credentials"),
        (RateLimitedError("HTTP 429", **WHERE), "not_queued", "not queued: rate limited"),
        (TransportError("refused", **WHERE), "not_queued", "not sent: unreachable"),
        (TransportError("reset", request_sent=True, **WHERE), "unknown", "outcome unknown ("),
        (ServerError("HTTP 503", status=503, **WHERE), "unknown", "outcome unknown (server"),
        (BadResponseError("not JSON", **WHERE), "unknown", "outcome unknown (bad response"),
        (asyncio.CancelledError(), "unknown", "outcome unknown (interrupted"),
        (KeyError("bug"), "unknown", "outcome unknown (internal error"),
    ],
    ids=lambda v: type(v).__name__ if isinstance(v, BaseException) else None,
)
def test_one_rule_decides_every_answer(error, status, text):
    outcome = queue_outcome(error=error)
    assert outcome.status == status
    assert outcome.text.startswith(text)
    assert "failed" not in outcome.text
    assert outcome.trouble is (status in ("not_queued", "unknown"))
    assert outcome.audit_answer == ("unknown" if status == "unknown" else outcome.text)


def test_queue_refused_carries_its_reason_and_job():
    refused = QueueRefused("a queue request is already in flight", ("prod", "install", 7))
    assert refused.reason == "a queue request is already in flight"
    assert refused.job == ("prod", "install", 7)
    assert str(refused) == "prod/7: a queue request is already in flight"
    assert str(QueueRefused("read-only")) == "read-only"


@pytest.mark.parametrize(
    ("kind", "said"),
    [
        (FaultKind.HTTP_503, "server error 503: Service Temporarily Unavailable"),
        (FaultKind.HTTP_502, "server error 502: Bad Gateway"),
    ],
)
async def test_a_gateways_error_page_is_one_short_plain_reason(served, kind, said):
    """An nginx 5xx page says "outcome unknown (server error 503: …)", not its HTML."""
    engine = build_engine(demo_settings(served.base_url), clock=served.clock)
    try:
        await engine.poll_all()
        served.sim.faults.add(Fault(kind, endpoint="queue", count=1))
        done = await engine.queue(("production", "install", PRODUCTION_CREATED))
        assert done.outcome.status == "unknown"
        assert done.outcome.text == f"outcome unknown ({said})"
        assert "<" not in done.outcome.text and "nginx" not in done.outcome.text
        assert "<title>" in done.outcome.error.message  # the log keeps the excerpt as it came
    finally:
        await engine.aclose()


def test_markup_in_any_reason_is_dropped_and_long_words_cut():
    page = "<html><body><p>" + "word " * 40 + "</p></body></html>"
    portal = BadResponseError(f"not JSON: {page}", **WHERE)
    text = queue_outcome(error=portal).text
    assert text.startswith("outcome unknown (bad response (not JSON: word word")
    assert "<" not in text and text.endswith("…))") and len(text) < 110
    plain = ServerError("HTTP 500: a < b", detail="a < b", status=500, **WHERE)
    assert queue_outcome(error=plain).text == "outcome unknown (server error 500: a < b)"
    empty = ServerError("HTTP 503: empty body", status=503, **WHERE)
    assert queue_outcome(error=empty).text == "outcome unknown (server error 503)"


async def test_readiness_sorts_jobs_as_a_confirm_dialog_needs(served):
    engine = build_engine(demo_settings(served.base_url), clock=served.clock)
    try:
        engine.add(TrackedJob("production", 424242, mirroring_setting=True))
        await engine.poll_all()
        check = engine.queue_check
        assert check(("production", "install", PRODUCTION_CREATED)).readiness == "sendable"
        assert check(("production", "install", PRODUCTION_FAILED)).readiness == "sendable"
        running = check(("production", "install", PRODUCTION_RUNNING))
        assert (running.readiness, running.reason) == ("active", "it is Running")
        assert check(("production", "install", PRODUCTION_QUEUED)).readiness == "active"
        assert check(("production", "install", 424242)).readiness == "not_found"
        assert check(("production", "install", 1)).readiness == "not_found"  # not even tracked
        # Asked not to, the engine refuses an active job, with the reason as an attribute...
        with pytest.raises(QueueRefused) as refused:
            await engine.queue(("production", "install", PRODUCTION_RUNNING), allow_active=False)
        assert refused.value.reason == "it is Running"
        assert refused.value.job == ("production", "install", PRODUCTION_RUNNING)
        assert served.sim.requests.count("queue") == 0
        # ...else it sends (a front end warned first), but never for a job not found.
        done = await engine.queue(("production", "install", PRODUCTION_RUNNING))
        assert done.outcome.status in ("queued", "refused")
        with pytest.raises(QueueRefused, match="not found"):
            await engine.queue(("production", "install", 424242))
        assert served.sim.requests.count("queue") == 1
        # A job that left the list after running has finished: left out.
        served.clock.advance(3600)
        await engine.poll_all()
        finished = [k for k, j in engine.tracker.jobs.items() if j.phase == "finished"]
        assert finished and all(check(k).readiness == "finished" for k in finished)
    finally:
        await engine.aclose()


async def test_a_queue_from_the_dashboard_is_audited_with_its_settlement(served, tmp_path):
    """The dashboard's factory (``build_app``) gives its engine the trail beside the events."""
    from cfdash.tui.wiring import build_app

    store = StateStore(tmp_path / "state" / "state.toml")
    app = build_app(demo_settings(served.base_url), store=store, clock=served.clock, poll=False)
    engine = app.engine
    audit = tmp_path / "state" / "audit.jsonl"
    try:
        await engine.poll_all()
        done = await engine.queue(("production", "install", PRODUCTION_CREATED))
        assert done.outcome.status == "queued"
        [line] = audit.read_text().splitlines()
        record = json.loads(line)
        assert record["account"] == "production" and record["job"] == PRODUCTION_CREATED
        assert record["action"] == "queue" and record["outcome"] == "queued"
        assert record["mirroring"] is False and record["origin"] == "dashboard"
        assert record["answer"].startswith("queued (Queued), machinejobid")
        assert "user" in record and "demo-secret" not in line and "demo-access" not in line

        # A lost answer is "unknown" in the trail, and the next status list settles it there.
        served.sim.faults.add(Fault(FaultKind.HTTP_503, endpoint="queue", count=1))
        key = ("production", "install", PRODUCTION_FAILED)
        lost = await engine.queue(key)
        job = engine.tracker.jobs[key]
        assert lost.unknown and job.queue_action.text == "outcome unknown"
        assert job.queue_action.mirroring is False
        await engine.poll("production")
        assert job.queue_action.text == "outcome unknown → did not take effect (still Failed)"
        entries = AuditLog(audit).for_job(key)
        assert [(e.action, e.outcome, e.answer) for e in entries] == [
            ("queue", "unknown", "unknown"),
            ("settle", "did not take effect", "did not take effect (still Failed)"),
        ]
        assert len(AuditLog(audit).last(10)) == 3
    finally:
        await engine.aclose()


def test_the_trail_is_rotated_on_its_own_and_read_back_across_files(tmp_path):
    from cfdash.engine.outcomes import QueueOutcome

    audit = AuditLog(tmp_path / "audit.jsonl", user="bob", max_bytes=2000, backups=1)
    events = tmp_path / "events.jsonl"
    events.write_text("x" * 5000)  # a big event log is nothing to the trail
    answer = QueueOutcome("queued", "queued (Queued)")
    for n in range(30):
        assert audit.queued(("prod", "install", 100 + n % 3), False, answer, 1000.0 + n) is None
    assert events.stat().st_size == 5000
    assert audit.path.stat().st_size <= 2000
    assert audit.path.with_name("audit.jsonl.1").exists()
    last = audit.last(5)
    assert [e.at for e in last] == [1025.0, 1026.0, 1027.0, 1028.0, 1029.0]
    mine = audit.for_job(("prod", "install", 101), count=None)
    assert mine and all(e.key == ("prod", "install", 101) for e in mine)
    assert [e.at for e in mine] == sorted(e.at for e in mine)
    assert mine[-1].describe() == "bob queued prod/101 (mirroring false): queued (Queued)"
    with audit.path.open("a") as file:
        file.write("{torn\n")
    assert len(audit.last(3)) == 3  # a torn line is skipped
    assert AuditEntry.from_record({"unix": "x"}) is None


def test_the_default_trail_sits_beside_the_event_log():
    from cfdash.engine.audit import default_audit_path
    from cfdash.engine.events import default_events_path

    assert default_audit_path().parent == default_events_path().parent
    assert AuditLog().max_bytes >= 10_000_000
