"""CSV export of a view: exact round-trip, formula cells defused, atomic writes, the default
path, no secrets."""

from __future__ import annotations

import csv
from pathlib import Path

import platformdirs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cfdash.api.models import StatusItem
from cfdash.demo import demo_settings
from cfdash.engine.session import build_engine
from cfdash.engine.tracking import TrackedJob, Tracker
from cfdash.export import (
    COLUMNS,
    FORMULA_STARTS,
    default_export_path,
    defuse,
    export_csv,
    export_dir,
)

T0 = 1_767_225_600.0  # 2026-01-01T00:00:00Z
ERROR = 'disk full on "/srv", line 1\nline 2, with commas; and ünïcode'


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as file:
        reader = csv.DictReader(file)
        assert tuple(reader.fieldnames or ()) == COLUMNS
        return list(reader)


def jobs() -> list[TrackedJob]:
    tracker = Tracker(["prod"])
    tracker.merge(
        "prod",
        [
            StatusItem(
                jobid=5551001,
                jobstateid=4,
                jobprogress=45,
                jobeta=int(T0) + 90,
                mirroring=True,
                mirror="eu-west-mirror-1",
                target_imageversionid=4242,
            ),
            StatusItem(
                jobid=5551002,
                jobstateid=6,
                jobprogress=30,
                jobfailed=2,
                joberror=ERROR,
                mirroring=False,
                machine="gs-12",
                location="London",
                target_imageversionid=4243,
            ),
        ],
        T0 - 5,
    )
    tracker.jobs[("prod", "install", 5551001)].label = "EU mirror, canary"
    tracker.add(TrackedJob("prod", 424242))  # never listed
    return list(tracker.jobs.values())


def test_round_trip(tmp_path):
    path = export_csv(jobs(), tmp_path / "view.csv", now=T0 + 120)
    assert path == tmp_path / "view.csv"
    running, failed, unlisted = read(path)
    assert running == {
        "account": "prod",
        "stage": "install",
        "job": "5551001",
        "kind": "mirror",
        "label": "EU mirror, canary",
        "target": "eu-west-mirror-1",
        "state": "Running",
        "phase": "running",
        "progress": "45",
        "eta": "2026-01-01T00:01:30Z",
        "eta_seconds": "-30",  # overdue by 30 s at the export
        "failures": "0",
        "error": "",
        "release": "4242",
        "confirmed": "2025-12-31T23:59:55Z",
    }
    assert failed["error"] == ERROR  # in full, newlines and quotes intact
    assert (failed["state"], failed["failures"], failed["kind"]) == ("Failed", "2", "machine")
    assert failed["target"] == "gs-12 London" and failed["eta"] == failed["eta_seconds"] == ""
    assert unlisted["state"] == "not listed" and unlisted["phase"] == "notlisted"
    assert unlisted["progress"] == unlisted["release"] == unlisted["confirmed"] == ""


def test_empty_view_is_just_a_header(tmp_path):
    path = export_csv([], tmp_path / "deep" / "er" / "empty.csv", now=T0)
    assert path.read_text(encoding="utf-8").splitlines() == [",".join(COLUMNS)]


def test_written_atomically(tmp_path):
    path = tmp_path / "view.csv"
    export_csv(jobs()[:1], path, now=T0)
    before = path.read_bytes()

    def broken():
        yield from jobs()
        raise OSError("disk went away")

    with pytest.raises(OSError, match="disk went away"):
        export_csv(broken(), path, now=T0)
    assert path.read_bytes() == before  # the earlier export is untouched
    assert [p.name for p in tmp_path.iterdir()] == ["view.csv"]  # no temporary file left
    export_csv(jobs(), path, now=T0)  # replaced whole
    assert len(read(path)) == 3


def test_default_export_path(monkeypatch, tmp_path):
    monkeypatch.setattr(platformdirs, "user_data_dir", lambda name: str(tmp_path / name))
    assert export_dir() == tmp_path / "cfdash" / "exports"
    path = default_export_path(T0 + 3661)
    assert path == tmp_path / "cfdash" / "exports" / "cfdash-20260101-010101.csv"
    assert export_csv(jobs(), path, now=T0).exists()


async def test_export_of_a_live_view_holds_no_credentials(served, tmp_path):
    settings = demo_settings(served.base_url)
    engine = build_engine(settings, clock=served.clock)
    try:
        await engine.poll_all()
        served.clock.advance(30)
        await engine.poll_all()
    finally:
        await engine.aclose()
    view = sorted(engine.tracker.jobs.values(), key=lambda job: job.key)
    path = export_csv(view, tmp_path / "live.csv", now=served.clock())
    rows = read(path)
    assert [(r["account"], r["stage"], int(r["job"])) for r in rows] == [job.key for job in view]
    text = path.read_text(encoding="utf-8")
    for account in settings.accounts.values():
        assert account.access_key.get_secret_value() not in text
        assert account.secret_key.get_secret_value() not in text


#: Cells a spreadsheet would run (OWASP's CSV-injection starts), as an API or a colleague
#: might write them into an error or a label.
FORMULAS = ['=HYPERLINK("http://evil.example","x")', "+cmd|' /C calc'!A0", "-1", "@SUM(A1)"]
FORMULAS += ["\tx", "\rx"]


def failed_job(error: str, label: str) -> TrackedJob:
    tracker = Tracker(["prod"])
    item = StatusItem(jobid=7, jobstateid=6, jobfailed=1, joberror=error, mirroring=False)
    tracker.merge("prod", [item], T0)
    tracker.jobs[("prod", "install", 7)].label = label
    return tracker.jobs[("prod", "install", 7)]


@pytest.mark.parametrize("text", FORMULAS)
def test_formula_cells_get_a_leading_quote_unless_raw(tmp_path, text):
    job = failed_job(error=text, label=text)
    (row,) = read(export_csv([job], tmp_path / "safe.csv", now=T0))
    assert row["error"] == row["label"] == "'" + text
    (row,) = read(export_csv([job], tmp_path / "raw.csv", now=T0, raw=True))
    assert row["error"] == row["label"] == text  # export_raw = true: exactly as sent


def test_numbers_are_never_quoted(tmp_path):
    rows = read(export_csv(jobs(), tmp_path / "view.csv", now=T0 + 120))
    assert rows[0]["eta_seconds"] == "-30"  # overdue: a negative number, still a number
    (row,) = read(export_csv([failed_job("disk - full", "a=b")], tmp_path / "in.csv", now=T0))
    assert (row["error"], row["label"]) == ("disk - full", "a=b")


@given(st.text())
def test_a_defused_cell_never_starts_a_formula_and_keeps_its_text(text):
    cell = defuse(text)
    assert not cell.startswith(FORMULA_STARTS)
    assert cell in (text, "'" + text)
