"""Times the API sends that no calendar can show render as "invalid time", never a crash.

Before issue 17, ``e`` (export) stopped the dashboard with ``ValueError: year -1199 is out of
range`` for a ``jobeta`` of -99,999,999,999, and ``status`` raised OverflowError for 10**30.
"""

from __future__ import annotations

import csv
import io
import json
import math

import pytest
from aiohttp import web
from pydantic import SecretStr

from cfdash.timefmt import INVALID_TIME, duration, is_valid_time, iso_utc, seconds_until

YEAR_MINUS_1199 = -99_999_999_999
FAR_FUTURE = 10**30
GOOD_ETA = 1_767_225_690  # 2026-01-01T00:01:30Z
T0 = 1_767_225_600.0


@pytest.mark.parametrize(
    ("at", "shown"),
    [
        (GOOD_ETA, "2026-01-01T00:01:30Z"),
        (None, ""),
        (YEAR_MINUS_1199, INVALID_TIME),
        (FAR_FUTURE, INVALID_TIME),
        (10**400, INVALID_TIME),  # too large even for a float
        (math.inf, INVALID_TIME),
        (math.nan, INVALID_TIME),
        (253_402_300_799 + 86_400, INVALID_TIME),  # the day after 9999-12-31
    ],
)
def test_iso_utc(at, shown):
    assert iso_utc(at) == shown


def test_seconds_until_and_duration_refuse_what_no_calendar_shows():
    assert seconds_until(GOOD_ETA, T0) == 90
    assert seconds_until(FAR_FUTURE, T0) is None
    assert seconds_until(10**400, T0) is None
    assert not is_valid_time(YEAR_MINUS_1199)
    assert duration(math.inf) == INVALID_TIME
    assert duration(math.nan) == INVALID_TIME
    assert duration(90) == "1m30s"


def test_eta_text_says_invalid_time():
    from cfdash.textfmt import eta_text

    assert eta_text(FAR_FUTURE, T0) == INVALID_TIME
    assert eta_text(10**400, T0) == INVALID_TIME
    assert eta_text(GOOD_ETA, T0) == "1m30s"


# -- over real HTTP: a fake service sends the bad times ---------------------------------------


def _item(jobid: int, eta: int) -> dict:
    return {"jobid": jobid, "jobstateid": 4, "jobprogress": 40, "jobeta": eta, "mirroring": True}


BODY = {
    "installs": [
        _item(8001, YEAR_MINUS_1199),
        _item(8002, FAR_FUTURE),
        _item(8003, GOOD_ETA),
    ]
}


@pytest.fixture
async def bad_times_url():
    async def status(request):
        return web.Response(text=json.dumps(BODY), content_type="application/json")

    app = web.Application()
    app.router.add_get("/cfp/v1/imageinstall/status", status)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


def settings_for(base_url: str):
    from cfdash.config.schema import AccountSettings, Settings

    account = AccountSettings(
        name="prod",
        accountserviceid=77,
        base_url=base_url,
        access_key=SecretStr("access-key-1"),
        secret_key=SecretStr("secret-key-1"),
        refresh_interval=5.0,
        track_all=True,
    )
    return Settings(path=None, accounts={"prod": account})


async def test_export_of_an_out_of_range_eta_keeps_the_dashboard_running(bad_times_url, tmp_path):
    from cfdash.tui.widgets.job_grid import JobGrid
    from cfdash.tui.wiring import build_app

    app = build_app(settings_for(bad_times_url), poll=False, tick=False, clock=lambda: T0)
    target = tmp_path / "view.csv"
    app.main.export_path = lambda now: target
    async with app.run_test(size=(160, 40)) as pilot:
        await app.engine.poll_all()
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        assert app.is_running  # the export used to stop the app here
        grid = app.main.query_one(JobGrid)
        shown = [grid.cell_text(("prod", "install", job), "eta") for job in (8001, 8002, 8003)]
    rows = {row["job"]: row for row in csv.DictReader(target.open())}
    assert rows["8001"]["eta"] == INVALID_TIME and rows["8001"]["eta_seconds"] == ""
    assert rows["8002"]["eta"] == INVALID_TIME
    assert rows["8003"]["eta"] == "2026-01-01T00:01:30Z" and rows["8003"]["eta_seconds"] == "90"
    assert shown[:2] == [INVALID_TIME, INVALID_TIME]  # the ETA column says it too


async def test_status_prints_invalid_time(bad_times_url):
    from cfdash.headless.status import run_status

    out, err = io.StringIO(), io.StringIO()
    code = await run_status(settings_for(bad_times_url), out=out, err=err, clock=lambda: T0)
    assert code == 0, err.getvalue()
    lines = {line.split()[1]: line for line in out.getvalue().splitlines()[1:]}
    assert INVALID_TIME in lines["8001"] and INVALID_TIME in lines["8002"]
    assert "1m30s" in lines["8003"]
