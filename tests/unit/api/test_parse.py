"""Parsing rules, without a network: envelopes, status codes, Retry-After, and any body."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cfdash.api.errors import (
    ApiError,
    AuthError,
    BadResponseError,
    ClanforgeError,
    NotFoundError,
    RateLimitedError,
    ServerError,
)
from cfdash.api.models import QueueResult, StateKind, StatusItem, StatusList
from cfdash.api.parse import excerpt, parse_response, parse_retry_after
from cfdash.api.status import parse_status

WHERE = {"account": "production", "endpoint": "status"}


def parse(model, body, status=200, headers=None, **kwargs):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return parse_response(model, status=status, headers=headers or {}, body=raw, **WHERE, **kwargs)


def envelope(message: str) -> dict:
    return {
        "messages": [],
        "error_code": 1,
        "error_message": message,
        "_debug": [],
        "success": False,
        "error": True,
    }


def test_envelope_under_http_200_is_an_api_error_with_its_message():
    with pytest.raises(ApiError) as caught:
        parse(StatusList, envelope("image locked by diffid: 218595"))
    assert caught.value.message == "image locked by diffid: 218595"
    assert caught.value.account == "production" and caught.value.endpoint == "status"
    assert "production: status: image locked" in str(caught.value)


def test_no_rows_is_not_found_and_forbidden_is_auth():
    with pytest.raises(NotFoundError):
        parse(QueueResult, envelope("No rows in result set"))
    with pytest.raises(AuthError):
        parse(StatusList, envelope("Forbidden"))
    with pytest.raises(AuthError):
        parse(StatusList, envelope("Forbidden"), status=403)
    with pytest.raises(AuthError):
        parse(StatusList, b"<html>nope</html>", status=401)


@pytest.mark.parametrize("status", [500, 502, 503])
def test_5xx_is_a_server_error_naming_the_status(status):
    with pytest.raises(ServerError) as caught:
        parse(StatusList, b"<html>Bad gateway</html>", status=status)
    assert caught.value.reason == f"server error {status}"


def test_429_carries_retry_after_in_seconds_or_as_a_date():
    with pytest.raises(RateLimitedError) as caught:
        parse(StatusList, b"", status=429, headers={"retry-after": "7"})
    assert caught.value.retry_after == 7
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=lambda: 1445412470.0) == 10
    assert parse_retry_after("garbage") is None
    assert parse_retry_after(None) is None


@pytest.mark.parametrize(
    ("body", "phrase"),
    [
        (b"<html>proxy error</html>", "not JSON"),
        (b'{"installs": [{"jobid": 1, "jobprog', "not JSON"),
        (b"", "empty response"),
        (b"[1, 2]", "expected a JSON object"),
        (b'{"installs": [{"jobprogress": 5}]}', "installs[0].jobid"),
        (b'{"installs": "many"}', "installs"),
    ],
)
def test_bad_bodies_are_bad_response_errors(body, phrase):
    with pytest.raises(BadResponseError) as caught:
        parse(StatusList, body)
    assert phrase in str(caught.value)


def test_lenient_fields_numbers_as_strings_nulls_extras_and_completed():
    body = {
        "installs": [
            {
                "jobid": "5551001",
                "jobcreated": "1700000000",
                "jobstart": 1700000100,
                "jobupdated": 1700000200,
                "jobeta": None,
                "jobprogress": "42",
                "jobfailed": "0",
                "jobstateid": "5",
                "jobstatename": "Completed",
                "mirroring": "true",
                "brand_new_field": {"x": 1},
            },
            {"jobid": 2, "jobstatename": "Complete"},
            {"jobid": 3, "jobstateid": 9, "jobstatename": "Exploded"},
            {"jobid": 4, "jobstateid": 12},
        ]
    }
    first, second, third, fourth = parse(StatusList, body).installs
    assert first.jobid == 5551001 and first.progress == 42 and first.jobstart == "1700000100"
    assert first.start_time == 1700000100 and first.mirroring is True
    assert first.state.kind is StateKind.COMPLETE and first.kind == "mirror"
    assert first.model_extra == {"brand_new_field": {"x": 1}}
    assert second.state.kind is StateKind.COMPLETE and second.state.word == "Complete"
    assert third.state.kind is StateKind.UNKNOWN and third.state.word == "Exploded"
    assert fourth.state.word == "state 12"


def test_repeated_keys_last_one_wins():
    body = b'{"installs": [{"jobid": 1, "jobprogress": 10, "jobprogress": 20}]}'
    assert parse(StatusList, body).installs[0].progress == 20


def test_queue_shapes_with_and_without_success():
    mirror = parse(QueueResult, {"versionmirrorid": 90001, "jobstateid": 3, "jobprogress": 0})
    assert mirror.kind == "mirror" and mirror.success is None
    machine = parse(
        QueueResult,
        {"success": True, "machinejobid": 880001, "installs_squashed": 2, "jobstateid": 3},
    )
    assert machine.kind == "machine" and machine.installs_squashed == 2
    assert "machinejobid 880001" in machine.summary() and "2 squashed" in machine.summary()


def test_excerpts_are_short_single_line_and_blank_secrets():
    text = excerpt(b"line one\nkey=s3cr3t " + b"x" * 500, secrets=["s3cr3t"])
    assert "s3cr3t" not in text and "\n" not in text and len(text) <= 120


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "installs",
                    "jobid",
                    "jobprogress",
                    "jobstateid",
                    "jobstatename",
                    "error",
                    "success",
                    "error_message",
                    "jobstart",
                    "mirroring",
                    "jobeta",
                    "x",
                ]
            ),
            children,
            max_size=6,
        )
    ),
    max_leaves=20,
)


@given(
    body=st.one_of(
        json_values.map(lambda value: json.dumps(value).encode()),
        st.binary(max_size=200),
    ),
    status=st.sampled_from([200, 200, 200, 400, 401, 403, 404, 429, 500, 503]),
    model=st.sampled_from([StatusList, QueueResult]),
)
def test_any_body_parses_or_raises_a_client_error(body, status, model):
    """Nothing but a model or a ClanforgeError ever comes out of parsing."""
    try:
        result = parse(model, body, status=status)
    except ClanforgeError as error:
        assert error.account == "production"
    else:
        assert isinstance(result, model)
        if isinstance(result, StatusList):
            for item in result.installs:
                assert isinstance(item.jobid, int)
                assert 0 <= item.progress <= 100
                assert item.state.word


# -- status lists: bad items, and reuse of unchanged ones -------------------------------------

FIELDS = ["jobid", "jobprogress", "jobstateid", "jobstatename", "joberror", "mirroring", "x"]
scalars = (
    st.none()
    | st.booleans()
    | st.integers(-3, 3)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.sampled_from(["1", "abc", "", " 7 ", "1e400", "NaN", "Completed"])
    | st.lists(st.integers(0, 2), max_size=2)
)
raw_items = (
    st.fixed_dictionaries(
        {"jobid": st.integers(0, 2) | st.booleans() | scalars},
        optional={name: scalars for name in FIELDS[1:]},
    )
    | st.dictionaries(st.sampled_from(FIELDS), scalars, max_size=3)
    | scalars
)


def retype(value):
    """An equal value of another type (``1`` for ``true``, ``2.0`` for ``2``), or the value."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return bool(value) if value in (0, 1) else float(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def read(items, previous=None):
    raw = json.dumps({"installs": items}).encode()
    return parse_status(status=200, headers={}, body=raw, **WHERE, previous=previous)


def summary(body):
    """What a reader of the items sees, unknown fields aside (they keep their first spelling)."""
    return [
        (type(item), item.bad, {name: getattr(item, name) for name in StatusItem.model_fields})
        for item in body.items
    ], body.unreadable


@given(data=st.data(), first=st.lists(raw_items, max_size=6))
def test_reusing_unchanged_items_reads_the_same_as_reading_afresh(data, first):
    second = []
    for raw in first:
        change = data.draw(st.sampled_from(["keep", "copy", "retype", "field", "replace"]))
        if change == "keep" or not isinstance(raw, dict):
            second.append(raw)
        elif change == "field" and raw:  # one value moves, as a running job's progress does
            name = data.draw(st.sampled_from(sorted(raw)))
            second.append({**raw, name: data.draw(scalars)})
        elif change == "retype" and raw:
            name = data.draw(st.sampled_from(sorted(raw)))
            second.append({**raw, name: retype(raw[name])})
        elif change in ("copy", "retype"):
            second.append(dict(raw))
        else:
            second.append(data.draw(raw_items))
    reused = read(second, previous=read(first))
    assert summary(reused) == summary(read(second))


GOOD_ITEM = {
    "jobid": 7,
    "jobprogress": 40,
    "jobstateid": 4,
    "jobstatename": "Running",
    "joberror": None,
    "mirroring": True,
    "x": 1,
}


@pytest.mark.parametrize("name", sorted(GOOD_ITEM))
@pytest.mark.parametrize(
    "value", [None, 0, 41, True, 41.0, 41.5, "41", "", "abc", "Failed", [1], {"a": 1}, 1e400]
)
def test_one_moved_value_reads_as_it_would_afresh(name, value):
    """A running job's progress moves at every poll: the last item patched with the new
    value must be what reading the new item afresh gives, down to a value turned bad."""
    moved = {**GOOD_ITEM, name: value}
    reused = read([moved], previous=read([GOOD_ITEM]))
    afresh = read([moved])
    assert summary(reused) == summary(afresh)
    assert [item.__pydantic_extra__ for item in reused.items] == [
        item.__pydantic_extra__ for item in afresh.items
    ]


@given(items=st.lists(raw_items, max_size=8))
def test_a_status_list_never_fails_for_its_items(items):
    body = read(items)
    assert body.unreadable + len(body.items) == len(items)
    for item in body.items:
        assert isinstance(item.jobid, int) and not isinstance(item.jobid, bool)
        assert item.jobid >= 0 and 0 <= item.progress <= 100 and item.state.word
        assert (item.bad is None) == (not item.bad_fields)


def test_status_list_shape_errors_are_bad_responses():
    for raw, phrase in [(b'{"installs": "many"}', "installs"), (b"[1]", "JSON object")]:
        with pytest.raises(BadResponseError) as caught:
            parse_status(status=200, headers={}, body=raw, **WHERE)
        assert phrase in caught.value.message


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=12,
)


@given(body=st.binary(max_size=40) | json_values.map(lambda value: json.dumps(value).encode()))
def test_bodies_read_as_json_reads_them(body):
    """Bodies are read by pydantic-core's faster parser where it can: the same values and
    the same refusals as ``json.loads`` in every case."""
    from cfdash.api.parse import _loads

    try:
        expected = json.loads(body)
    except (ValueError, RecursionError) as error:
        with pytest.raises(type(error)):
            _loads(body)
    else:
        assert json.dumps(_loads(body)) == json.dumps(expected)


@pytest.mark.parametrize("moved", [{"jobprogress": 50}, {"jobprogress": 50, "x": 2}])
@pytest.mark.parametrize("name", sorted(set(GOOD_ITEM) - {"jobid"}))
@pytest.mark.parametrize("value", [None, 41, True, 41.5, "41", "Failed", [1], 1e400])
def test_what_earlier_items_changed_never_hides_what_this_one_changed(moved, name, value):
    """Reading guesses that a moved item changed what the item before it changed (a
    rollout's progress and times): an item that changed something else as well, or changed
    a guessed field into something unreadable, must read as it would afresh."""
    first = [{**GOOD_ITEM, "jobid": jobid} for jobid in range(1, 5)]
    second = [{**raw, **moved} for raw in first[:3]]
    second.append({**first[3], **moved, name: value})
    reused = read(second, previous=read(first))
    afresh = read(second)
    assert summary(reused) == summary(afresh)
    assert [item.__pydantic_extra__ for item in reused.items] == [
        item.__pydantic_extra__ for item in afresh.items
    ]
