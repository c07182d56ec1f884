"""One bad job is one bad row, over real HTTP: bad items, huge, deep and undecodable bodies, TLS.

Every case here once turned a whole account into "bad response" (or worse) and is checked
through the client against a fake endpoint on 127.0.0.1, then through the engine to the row.
"""

from __future__ import annotations

import gzip
import json

import pytest

from cfdash.api.errors import BadResponseError, ClanforgeError, TransportError
from cfdash.engine.engine import AccountLink, Engine
from cfdash.engine.tracking import TrackedJob, Tracker


def item(jobid, **fields) -> dict:
    return {
        "jobid": jobid,
        "jobprogress": 40,
        "jobstateid": 4,
        "jobstatename": "Running",
        "mirroring": True,
        "joberror": None,
        **fields,
    }


def body(*items: dict) -> bytes:
    return json.dumps({"installs": list(items)}).encode()


def raw_body(*items: str) -> bytes:
    """JSON text written out, for what ``json.dumps`` will not write (NaN, Infinity)."""
    return ('{"installs": [' + ", ".join(items) + "]}").encode()


GOOD = ['{"jobid": 1, "jobprogress": 10}', '{"jobid": 3, "jobprogress": 30}']


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ('{"jobid": 2, "jobprogress": NaN}', "jobprogress"),
        ('{"jobid": 2, "jobprogress": "NaN"}', "jobprogress"),
        ('{"jobid": 2, "jobprogress": "1e400"}', "jobprogress"),
        ('{"jobid": 2, "jobprogress": 1e400}', "jobprogress"),
        ('{"jobid": 2, "jobprogress": -Infinity}', "jobprogress"),
        ('{"jobid": 2, "joberror": ["disk", "full"]}', "joberror"),
        ('{"jobid": "2", "jobstateid": {"id": 4}}', "jobstateid"),
    ],
)
async def test_a_bad_field_is_a_bad_item_and_the_rest_stay_live(fake_api, bad, field):
    fake_api.send(raw_body(GOOD[0], bad, GOOD[1]))
    async with fake_api.client() as client:
        items = await client.status()
    assert [i.jobid for i in items] == [1, 2, 3]
    first, broken, last = items
    assert broken.bad == f"bad data from the API (field {field})"
    assert getattr(broken, field) is None  # left out, not guessed
    assert first.bad is None and first.progress == 10 and last.progress == 30


@pytest.mark.parametrize("jobid", ['"abc"', "1.5", "true", "false", "-4", '"12a"', "null", "[2]"])
async def test_a_job_id_that_is_not_a_whole_number_leaves_the_item_out(fake_api, jobid):
    fake_api.send(raw_body(GOOD[0], f'{{"jobid": {jobid}, "jobprogress": 50}}', GOOD[1]))
    async with fake_api.client() as client:
        items = await client.status()
        assert [i.jobid for i in items] == [1, 3]  # 1.5 and true are not job 1
        assert client.unreadable == 1


@pytest.mark.parametrize(("jobid", "read"), [('"123"', 123), ('" 77 "', 77), ("5.0", 5)])
async def test_whole_numbers_as_strings_or_floats_are_job_ids(fake_api, jobid, read):
    fake_api.send(raw_body(f'{{"jobid": {jobid}}}'))
    async with fake_api.client() as client:
        (only,) = await client.status()
    assert only.jobid == read


async def test_items_that_are_not_objects_are_left_out_and_counted(fake_api, caplog):
    fake_api.send(raw_body(GOOD[0], "7", '"x"', "null", GOOD[1]))
    async with fake_api.client() as client:
        assert [i.jobid for i in await client.status()] == [1, 3]
        assert client.unreadable == 3
        fake_api.send(raw_body(GOOD[1], "7", '"x"', "null", GOOD[0]))  # a new body, same count
        await client.status()
    said = [r.getMessage() for r in caplog.records if "readable job id" in r.getMessage()]
    assert said == ["status list of production: 3 item(s) without a readable job id left out"]


async def test_a_value_nested_past_the_limit_makes_its_field_bad(fake_api):
    deep = "[" * 200 + "]" * 200
    nested = f'{{"jobid": 2, "jobprogress": 5, "trace": {deep}}}'
    fake_api.send(raw_body(GOOD[0], nested))
    async with fake_api.client() as client:
        _, second = await client.status()
        fake_api.send(raw_body(GOOD[1], nested))  # a new body: job 2 is read again, not compared
        _, again = await client.status()
    assert second.bad == "bad data from the API (field trace)"
    assert second.progress == 5 and "trace" not in (second.model_extra or {})
    assert again == second


async def test_nesting_too_deep_for_json_is_a_bad_response(fake_api):
    deep = b"[" * 100_000 + b"]" * 100_000
    fake_api.send(b'{"installs": [{"jobid": 1, "x": ' + deep + b"}]}")
    async with fake_api.client() as client:
        with pytest.raises(BadResponseError) as caught:
            await client.status()
    assert caught.value.reason == "bad response"
    assert caught.value.message == "nested too deeply"


PADDING = b" " * 1_000_000


async def test_a_body_over_32_mb_is_refused_without_reading_it_all(fake_api):
    fake_api.send(PADDING, repeat=40, headers={"Content-Type": "application/json"})
    async with fake_api.client() as client:
        with pytest.raises(BadResponseError) as caught:
            await client.status()
    assert caught.value.message.startswith("response too large")
    assert caught.value.status == 200


async def test_the_cap_counts_the_body_after_decompression(fake_api):
    # 33 MB of JSON (spaces are valid JSON whitespace) that travels as about 33 KB of gzip.
    inflated = b'{"installs": []' + b" " * 33_000_000 + b"}"
    fake_api.send(gzip.compress(inflated), headers={"Content-Encoding": "gzip"})
    async with fake_api.client() as client:
        with pytest.raises(BadResponseError) as caught:
            await client.status()
    assert caught.value.message.startswith("response too large")


async def test_a_body_just_under_the_cap_is_read(fake_api):
    fake_api.send(body(item(1)) + b" " * 31_000_000)
    async with fake_api.client() as client:
        assert [i.jobid for i in await client.status()] == [1]


async def test_a_bad_gzip_body_could_not_be_decoded(fake_api):
    fake_api.send(b"this is not gzip", headers={"Content-Encoding": "gzip"})
    async with fake_api.client() as client:
        with pytest.raises(ClanforgeError) as caught:
            await client.status()
    assert caught.value.message == "could not decode the response"
    assert isinstance(caught.value, BadResponseError)  # the server answered: not unreachable


async def test_an_untrusted_certificate_says_so(tls_api):
    async with tls_api.client() as client:
        with pytest.raises(TransportError) as caught:
            await client.status()
    assert caught.value.reason == "TLS certificate not trusted"
    assert caught.value.message == "TLS certificate not trusted"
    assert caught.value.request_sent is False
    assert tls_api.requests == 0


async def test_unchanged_items_are_reused_and_changed_ones_read_again(fake_api):
    fake_api.send(body(item(1), item(2), item(3)))
    async with fake_api.client() as client:
        first = await client.status()
        fake_api.send(body(item(1), item(2, jobprogress=41), item(3)))
        second = await client.status()
        fake_api.send(body(item(1), item(2, jobprogress=41), item(True)))
        third = await client.status()
    assert second[0] is first[0] and second[2] is first[2]  # equal objects: not read again
    assert second[1] is not first[1] and second[1].progress == 41
    # true == 1 in Python, but it is not the job id 1: read afresh, and refused.
    assert [i.jobid for i in third] == [1, 2] and client.unreadable == 1


async def test_a_bad_item_stays_bad_and_a_fixed_one_turns_good(fake_api):
    fake_api.send(raw_body(GOOD[0], '{"jobid": 2, "jobprogress": "x"}'))
    async with fake_api.client() as client:
        _, bad = await client.status()
        fake_api.send(raw_body(GOOD[0], '{"jobid": 2, "jobprogress": "x"}', GOOD[1]))
        _, still, _ = await client.status()
        fake_api.send(raw_body(GOOD[0], '{"jobid": 2, "jobprogress": 20}', GOOD[1]))
        _, fixed, _ = await client.status()
    assert still is bad and still.bad == "bad data from the API (field jobprogress)"
    assert fixed.bad is None and fixed.progress == 20 and fixed != bad


async def test_the_engine_shows_a_bad_item_on_its_row_and_keeps_the_account_healthy(fake_api):
    tracker = Tracker()
    async with fake_api.client() as client:
        engine = Engine([AccountLink("production", client)], tracker, clock=lambda: 1000.0)
        for jobid in (1, 2, 3):
            engine.add(TrackedJob("production", jobid, mirroring_setting=True))
        fake_api.send(
            raw_body(GOOD[0], '{"jobid": 2, "jobprogress": NaN}', GOOD[1], '{"jobid": "abc"}')
        )
        event = await engine.poll("production")
        assert event is not None and event.error is None
        assert engine.health("production").state == "ok"
        one, two, three = (tracker.get(("production", "install", jobid)) for jobid in (1, 2, 3))
        assert two.error == "bad data from the API (field jobprogress)"
        assert two.listed and two.progress is None  # unknown, not a made-up 0 %
        assert one.progress == 10 and three.progress == 30 and one.error is None
        assert client.unreadable == 1
        assert engine.health("production").bad_items == 2  # one row without a field, one left out

        fake_api.send(raw_body(GOOD[0], '{"jobid": 2, "jobprogress": 60}', GOOD[1]))
        event = await engine.poll("production")
        assert ("production", "install", 2) in event.changes.changed
        assert two.error is None and two.progress == 60
        assert client.unreadable == 0
        assert engine.health("production").bad_items == 0
