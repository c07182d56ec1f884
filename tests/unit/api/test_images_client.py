"""Fleet readiness (image status v2) over real HTTP against the simulator."""

from __future__ import annotations

import pytest

from cfdash.api import (
    AuthError,
    BadResponseError,
    ImageStatus,
    NotFoundError,
    RateLimitedError,
    ServerError,
    TransportError,
    image_status,
)
from cfdash.sim import Fault, FaultKind

PROD = 12345


def expected_counts(served, imageid: int = 1001) -> dict:
    image = served.sim.pipeline.images[imageid]
    return image.body(served.clock(), served.sim.speed, detail=True)


def counts(level) -> tuple[int, int, int]:
    return level.pending, level.failed, level.completed


async def test_with_detail_every_fleet_and_region_is_counted(served):
    async with served.client(0) as client:
        status = await image_status(client, 1001, detail=True)
    truth = expected_counts(served)
    assert counts(status) == (
        truth["pending_machines"],
        truth["failed_machines"],
        truth["completed_machines"],
    )
    assert status.total == 40 and status.pending > 0 and not status.ready
    assert status.fleets is not None
    assert [fleet.id for fleet in status.fleets] == list(truth["fleets"])
    for fleet in status.fleets:
        regions = truth["fleets"][fleet.id]["regions"]
        assert [(r.id, r.name) for r in fleet.regions] == [
            (rid, region["name"]) for rid, region in regions.items()
        ]
        assert fleet.total == sum(r.total for r in fleet.regions)
    assert sum(fleet.total for fleet in status.fleets) == status.total
    assert served.sim.requests.count("image_status", PROD, jobid=1001) == 1


async def test_without_detail_only_the_totals_come(served):
    async with served.client(0) as client:
        status = await image_status(client, 1001, detail=False)
    assert status.fleets is None and status.total == 40


async def test_the_fleet_fills_up_and_becomes_ready(served):
    async with served.client(0) as client:
        before = await image_status(client, 1001)
        served.clock.advance(600)  # the version's new rollout has run its course
        after = await image_status(client, 1001)
    assert before.pending > 0
    assert after.ready and after.pending == 0
    assert after.failed > 0 or after.completed == 40  # some machines may be disabled
    assert after.completed + after.failed == 40


async def test_counts_as_strings_and_missing_regions_are_read(served):
    for kind in (FaultKind.NUMBERS_AS_STRINGS, FaultKind.OMIT_NULLS):
        served.sim.faults.add(Fault(kind, endpoint="image_status", count=1))
    truth = expected_counts(served)
    async with served.client(0) as client:
        status = await image_status(client, 1001)
    assert status.pending == truth["pending_machines"]
    assert status.fleets is not None and all(fleet.regions == () for fleet in status.fleets)
    assert all(fleet.total > 0 for fleet in status.fleets)  # its own counts, read from strings


@pytest.mark.parametrize("kind", [FaultKind.EXTRA_FIELDS, FaultKind.REPEATED_KEYS])
async def test_other_quirks_parse(served, kind):
    served.sim.faults.add(Fault(kind, endpoint="image_status", count=1))
    truth = expected_counts(served)
    async with served.client(0) as client:
        status = await image_status(client, 1001)
    assert isinstance(status, ImageStatus)
    assert status.pending == truth["pending_machines"]  # the last of repeated keys wins


@pytest.mark.parametrize(
    ("kind", "error"),
    [
        (FaultKind.HTTP_502, ServerError),
        (FaultKind.HTTP_429, RateLimitedError),
        (FaultKind.NOT_JSON, BadResponseError),
        (FaultKind.TRUNCATED_JSON, BadResponseError),
        (FaultKind.DROP_CONNECTION, TransportError),
    ],
)
async def test_faults_on_one_image(served, kind, error):
    served.sim.pipeline.add_image(PROD, 1002)
    served.sim.faults.add(Fault(kind, endpoint="image_status", jobid=1002, count=1))
    async with served.client(0) as client:
        assert await image_status(client, 1001)  # the other image: untouched
        with pytest.raises(error) as caught:
            await image_status(client, 1002)
        assert caught.value.endpoint == "image 1002"
        assert await image_status(client, 1002)


async def test_an_unknown_or_foreign_image_is_not_found(served):
    served.sim.pipeline.add_image(23456, 2002)  # staging's
    async with served.client(0) as client:
        with pytest.raises(NotFoundError):
            await image_status(client, 9999)
        with pytest.raises(NotFoundError):
            await image_status(client, 2002)


async def test_the_asid_in_the_path_must_be_the_tokens(served):
    async with served.client(0, accountserviceid=23456) as client:
        with pytest.raises(AuthError) as caught:
            await image_status(client, 1001)
    assert caught.value.status == 403


async def test_a_bearer_account_reads_its_fleets(served):
    client = served.client(0, access_key=None, secret_key=None, token="demo-token-production")
    async with client:
        status = await image_status(client, 1001)
    assert status.total == 40
