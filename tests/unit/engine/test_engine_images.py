"""Fleet readiness in the engine, over real HTTP against the simulator: one read of each
watched image per refresh, after the install list; whose trouble an image's error is."""

from __future__ import annotations

import asyncio

from cfdash.api.errors import AuthError, RateLimitedError
from cfdash.config.pipeline import ImageEntry
from cfdash.demo import demo_settings
from cfdash.engine import Engine, ImagesRead, PollDone
from cfdash.engine.health import AUTH_RETRY
from cfdash.engine.session import build_engine
from cfdash.redact import MASK
from cfdash.sim import Fault, FaultKind
from cfdash.sim.demo import DEMO_IMAGE, DEMO_IMAGE_LABEL

PROD = 12345
OTHER_IMAGE = 1002


def engine_for(served, *, images: bool = True) -> Engine:
    """The demo's accounts; production watches the demo image and a second one."""
    served.sim.pipeline.add_image(PROD, OTHER_IMAGE, elapsed=300.0)
    settings = demo_settings(served.base_url, pipeline=True)
    production = settings.accounts["production"]
    watched = (*production.images, ImageEntry(id=OTHER_IMAGE))
    production = production.model_copy(update={"images": watched})
    accounts = {**settings.accounts, "production": production}
    settings = settings.model_copy(update={"accounts": accounts})
    return build_engine(settings, clock=served.clock, images=images)


def image_requests(served, imageid: int) -> int:
    return served.sim.requests.count("image_status", PROD, jobid=imageid)


def truth(served, imageid: int) -> dict:
    return served.sim.pipeline.images[imageid].body(served.clock(), served.sim.speed, detail=True)


async def test_each_watched_image_is_read_once_per_refresh_with_its_fleets(served):
    engine = engine_for(served)
    try:
        for _ in range(3):
            served.clock.advance(5)
            await engine.poll_all()
        assert image_requests(served, DEMO_IMAGE) == 3
        assert image_requests(served, OTHER_IMAGE) == 3
        assert served.sim.requests.count("image_status") == 6  # no other account watches any
        assert served.sim.requests.count("status") == 3 * len(served.sim.accounts)
        lines = engine.images.lines
        assert [(line.account, line.imageid, line.label) for line in lines] == [
            ("production", DEMO_IMAGE, DEMO_IMAGE_LABEL),
            ("production", OTHER_IMAGE, None),
        ]
        for line in lines:
            body = truth(served, line.imageid)
            status = line.status
            assert line.confirmed and line.error is None and line.requests == 3
            assert (status.pending, status.failed, status.completed) == (
                body["pending_machines"],
                body["failed_machines"],
                body["completed_machines"],
            )
            assert [fleet.id for fleet in status.fleets] == list(body["fleets"])
            names = [region.name for fleet in status.fleets for region in fleet.regions]
            assert names == ["EU West", "EU Central", "US East", "US West", "South America"]
    finally:
        await engine.aclose()


async def test_without_images_asked_for_no_image_is_read(served):
    engine = engine_for(served, images=False)
    try:
        await engine.poll_all()
        assert engine.images is None
        assert served.sim.requests.count("image_status") == 0
    finally:
        await engine.aclose()


async def test_the_rows_go_out_before_any_image_is_asked(served):
    engine = engine_for(served)
    seen: list[tuple[str, int]] = []

    def heard(event) -> None:
        if isinstance(event, PollDone) and event.account == "production":
            seen.append(("rows", served.sim.requests.count("image_status")))

    engine.subscribe(heard)
    engine.images.subscribe(lambda read: seen.append(("images", image_requests(served, 1001))))
    try:
        await engine.poll("production")
        await engine.poll("production")
        assert seen == [("rows", 0), ("images", 1), ("rows", 2), ("images", 2)]
    finally:
        await engine.aclose()


async def test_one_image_failing_marks_its_line_only(served):
    engine = engine_for(served)
    try:
        await engine.poll("production")
        before = engine.images.get(("production", OTHER_IMAGE)).status
        served.sim.faults.add(
            Fault(FaultKind.HTTP_503, endpoint="image_status", asid=PROD, jobid=OTHER_IMAGE)
        )
        served.clock.advance(30)
        event = await engine.poll("production")
        assert event.error is None and engine.health("production").state == "ok"
        demo, other = engine.images.lines
        assert demo.confirmed and demo.state in ("ready", "rolling out")
        assert other.state == "error" and other.problem == "server error 503"
        assert not other.confirmed and other.status is before  # the last counts stay shown
        rows = [j for j in engine.tracker.jobs.values() if j.account == "production"]
        assert rows and all(not job.unconfirmed for job in rows)

        served.sim.faults.clear()
        await engine.poll("production")
        assert other.state in ("ready", "rolling out") and other.confirmed
    finally:
        await engine.aclose()


async def test_an_image_the_account_lacks_says_not_found_on_its_line(served):
    engine = engine_for(served)
    production = engine.images.for_account("production")
    try:
        served.sim.pipeline.images.pop(OTHER_IMAGE)
        event = await engine.poll("production")
        assert event.error is None
        assert production[1].state == "error"
        assert production[1].problem.startswith("not found")
        assert production[0].confirmed
    finally:
        await engine.aclose()


async def test_a_401_on_an_image_is_the_accounts_auth_trouble(served):
    engine = engine_for(served)
    events: list[PollDone] = []
    engine.subscribe(lambda event: events.append(event))
    served.sim.faults.add(
        Fault(
            FaultKind.ERROR_ENVELOPE,
            endpoint="image_status",
            asid=PROD,
            jobid=OTHER_IMAGE,
            message="Forbidden",
            status=401,
        )
    )
    try:
        event = await engine.poll("production")
        assert isinstance(event.error, AuthError)
        health = engine.health("production")
        assert health.state == "auth" and health.reason == "credentials rejected"
        assert engine._runners["production"].backoff.delay(health.failures, event.error) == (
            AUTH_RETRY
        )
        # The rows were read: the first event says so; the second carries the account's trouble.
        assert [e.error is None for e in events] == [True, False]
        assert not events[1].changes
        demo, other = engine.images.lines
        assert demo.confirmed
        assert other.error is None and not other.confirmed  # the account's, not the line's
        assert [name for name in engine.accounts if engine.health(name).state == "auth"] == [
            "production"
        ]
    finally:
        await engine.aclose()


async def test_a_429_on_an_image_backs_the_whole_account_off(served):
    engine = engine_for(served)
    served.sim.faults.add(
        Fault(
            FaultKind.HTTP_429,
            endpoint="image_status",
            asid=PROD,
            jobid=DEMO_IMAGE,
            retry_after=42,
            count=1,
        )
    )
    try:
        event = await engine.poll("production")
        assert isinstance(event.error, RateLimitedError)
        health = engine.health("production")
        assert health.state == "backoff" and health.reason == "rate limited"
        runner = engine._runners["production"]
        assert runner.backoff.delay(health.failures, event.error) == 42
        assert engine.images.lines[1].confirmed  # the other image was read all the same

        event = await engine.poll("production")  # the next refresh: all well again
        assert event.error is None and health.state == "ok" and health.failures == 0
    finally:
        await engine.aclose()


async def test_when_the_list_is_refused_the_images_are_not_asked(served):
    engine = engine_for(served)
    try:
        await engine.poll("production")
        served.sim.faults.add(
            Fault(
                FaultKind.ERROR_ENVELOPE,
                endpoint="status",
                asid=PROD,
                message="Forbidden",
                status=401,
            )
        )
        reads: list[ImagesRead] = []
        engine.images.subscribe(reads.append)
        event = await engine.poll("production")
        assert isinstance(event.error, AuthError)
        assert served.sim.requests.count("image_status") == 2  # the first refresh's only
        assert [line.confirmed for line in reads[0].lines] == [False, False]
        assert all(line.status is not None for line in reads[0].lines)  # counts kept
    finally:
        await engine.aclose()


async def test_reads_of_one_account_never_overlap(served):
    engine = engine_for(served)
    served.sim.faults.add(
        Fault(FaultKind.LATENCY, endpoint="image_status", asid=PROD, delay=0.5, count=2)
    )
    try:
        first = asyncio.create_task(engine.poll("production"))
        while image_requests(served, DEMO_IMAGE) == 0:  # the first read is out
            await asyncio.sleep(0.01)
        second = await engine.poll("production")  # the list is read again; the images are not
        assert second is not None and second.error is None
        await first
        assert served.sim.requests.count("status", PROD) == 2
        assert image_requests(served, DEMO_IMAGE) == image_requests(served, OTHER_IMAGE) == 1
    finally:
        await engine.aclose()


async def test_a_secret_in_a_region_name_is_blanked(served):
    served.sim.pipeline.add_image(PROD, 1003, layout={7: {70: ("demo-secret-production", 3)}})
    settings = demo_settings(served.base_url)
    production = settings.accounts["production"].model_copy(
        update={"images": (ImageEntry(id=1003),)}
    )
    settings = settings.model_copy(update={"accounts": {"production": production}})
    engine = build_engine(settings, clock=served.clock, images=True)
    try:
        await engine.poll("production")
        (line,) = engine.images.lines
        assert line.status.fleets[0].regions[0].name == MASK
    finally:
        await engine.aclose()
