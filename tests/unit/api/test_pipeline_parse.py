"""The pipeline and image models read every shape the loose docs allow (no network needed)."""

from __future__ import annotations

import json

import pytest

from cfdash.api.errors import ApiError, BadResponseError
from cfdash.api.images import ImageStatus
from cfdash.api.models import StateKind
from cfdash.api.parse import parse_response
from cfdash.api.pipeline import DiffStatus, RetryResult, UpdateStatus, VersionStatus


def parse(model, body):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return parse_response(model, status=200, headers={}, body=raw, account="a", endpoint="e")


def test_diff_maps_come_as_maps_php_empties_lists_or_null():
    diff = parse(
        DiffStatus,
        {
            "diffid": "218595",
            "added": [],
            "modified": {"bin/server": {"size": 10}},
            "removed": [{"path": "old.pak", "size": 3}, "gone.txt"],
            "jobstateid": 5,
            "jobstatename": "Completed",
        },
    )
    assert diff.job_id == 218595 and diff.counts == (0, 1, 2)
    assert diff.changes() == [
        ("modified", "bin/server"),
        ("removed", "gone.txt"),
        ("removed", "old.pak"),
    ]
    assert parse(DiffStatus, {"diffid": 1, "added": None}).counts == (0, 0, 0)


def test_a_diff_map_of_another_shape_is_a_bad_response():
    with pytest.raises(BadResponseError, match="added"):
        parse(DiffStatus, {"diffid": 1, "added": "everything"})


def test_pipeline_jobs_know_states_1_to_6_only():
    update = parse(UpdateStatus, {"updateid": 1, "jobstateid": 7, "jobstatename": "Squashed"})
    assert update.state.kind is StateKind.UNKNOWN and update.state.word == "Squashed"
    version = parse(VersionStatus, {"imageversionid": "4", "jobstateid": "6"})
    assert version.state.kind is StateKind.FAILED and version.job_id == 4
    assert parse(RetryResult, {"jobstatename": "Queued"}).state.kind is StateKind.QUEUED


def test_the_error_envelope_under_200_is_an_api_error():
    body = {"error": True, "success": False, "error_message": "image locked by diffid: 7"}
    with pytest.raises(ApiError, match="image locked by diffid: 7"):
        parse(UpdateStatus, body)


def test_image_counts_fill_in_from_the_level_below():
    status = parse(
        ImageStatus,
        {
            "fleets": {
                "5011": {"regions": {"101": {"name": "EU West", "pending_machines": "2"}}},
                "5012": {"pending_machines": 1, "completed_machines": 4.0},
            }
        },
    )
    assert (status.pending, status.completed, status.failed, status.total) == (3, 4, 0, 7)
    assert [fleet.id for fleet in status.fleets] == ["5011", "5012"]
    assert status.fleets[0].regions[0].name == "EU West"


def test_fleets_and_regions_as_lists_with_numeric_ids():
    status = parse(
        ImageStatus,
        {
            "pending_machines": 0,
            "failed_machines": -1,  # nonsense, read as none
            "completed_machines": "5",
            "fleets": [{"fleetid": 5011, "regions": [{"regionid": 101, "completed_machines": 5}]}],
        },
    )
    assert status.ready and status.failed == 0 and status.completed == 5
    assert status.fleets[0].id == "5011" and status.fleets[0].regions[0].id == "101"


@pytest.mark.parametrize(
    "body",
    [
        {"pending_machines": "lots"},
        {"pending_machines": True},
        {"fleets": "all of them"},
        {"fleets": [{"regions": []}]},  # a fleet without an id
        {"fleets": {"1": {"regions": {"2": "EU"}}}},
    ],
)
def test_unreadable_image_answers_are_bad_responses(body):
    with pytest.raises(BadResponseError):
        parse(ImageStatus, body)
