"""Exporting a view of the tracked jobs to CSV (the dashboard's ``e`` key).

One header row, then one row per job in the order given (the view's order). Times are
ISO-8601 UTC; the ETA is also given as seconds from the export (negative once overdue) so a
spreadsheet can sort on it. Errors are written in full. The file is written to a temporary
file beside the target and moved into place, so a reader never sees half an export.

Only job fields are written: an export cannot contain credentials. Cells are written as the
API sent them (no spreadsheet-formula escaping), so the file round-trips exactly.

Exports go to ``user_data_dir("cfdash")/exports`` by default: it exists and is writable on
every platform, including the headless ops machines where no Documents folder exists, and it
keeps cfdash's files out of the user's own folders. The dashboard shows the full path.
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

import platformdirs

from cfdash.config.paths import APP_NAME
from cfdash.engine.tracking import TrackedJob
from cfdash.timefmt import iso_utc, seconds_until

__all__ = ["COLUMNS", "default_export_path", "export_csv", "export_dir"]

COLUMNS = (
    "account",
    "job",
    "kind",
    "label",
    "target",
    "state",
    "phase",
    "progress",
    "eta",
    "eta_seconds",
    "failures",
    "error",
    "release",
    "confirmed",
)


def _iso(at: float | None) -> str:
    return iso_utc(at)  # "invalid time" for a jobeta no calendar can show


def _cell(value: object) -> str:
    return "" if value is None else str(value)


def _row(job: TrackedJob, now: float) -> list[str]:
    eta = job.eta
    return [
        job.account,
        str(job.jobid),
        job.kind,
        job.label or "",
        job.target,
        job.word,
        job.phase,
        _cell(job.progress),
        _iso(eta),
        _cell(None if eta is None or (left := seconds_until(eta, now)) is None else round(left)),
        str(job.failures),
        job.error or "",
        _cell(job.release),
        _iso(job.confirmed_at),
    ]


def export_dir() -> Path:
    """Where exports go by default: ``user_data_dir("cfdash")/exports``."""
    return Path(platformdirs.user_data_dir(APP_NAME)) / "exports"


def default_export_path(now: float) -> Path:
    """``exports/cfdash-YYYYmmdd-HHMMSS.csv``, stamped in UTC like the times inside it."""
    stamp = datetime.fromtimestamp(now, UTC).strftime("%Y%m%d-%H%M%S")
    return export_dir() / f"cfdash-{stamp}.csv"


def export_csv(jobs: Iterable[TrackedJob], path: Path | str, now: float) -> Path:
    """Write ``jobs`` to ``path`` as CSV (UTF-8, RFC 4180 quoting), atomically; the path.

    Creates the parent directory. Raises ``OSError`` if the file cannot be written, leaving
    any earlier file at ``path`` untouched and no temporary file behind.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as file:
            writer = csv.writer(file)
            writer.writerow(COLUMNS)
            writer.writerows(_row(job, now) for job in jobs)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return path
