"""Exporting a view of the tracked jobs to CSV (the dashboard's ``e`` key).

One header row, then one row per job in the order given (the view's order). Times are
ISO-8601 UTC; the ETA is also given as seconds from the export (negative once overdue) so a
spreadsheet can sort on it. Errors are written in full. The file is written to a temporary
file beside the target and moved into place, so a reader never sees half an export.

Only job fields are written: an export cannot contain credentials. A text cell that starts
with ``=``, ``+``, ``-``, ``@``, TAB or CR (OWASP's list) would run as a formula when the file
is opened in a spreadsheet, and an error or a label is whatever the API or a colleague wrote,
so such a cell gets a leading ``'``. That includes text that merely looks like a negative
number (an error of ``-1``); the number columns (job, progress, ETA seconds, failures, release)
are never changed, so a negative ``eta_seconds`` still sorts as a number. ``export_raw = true``
in the config writes every cell exactly as the API sent it.

Exports go to ``user_data_dir("cfdash")/exports`` by default: it exists and is writable on
every platform, including the headless ops machines where no Documents folder exists, and it
keeps cfdash's files out of the user's own folders. The dashboard shows the full path.
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path

import platformdirs

from cfdash.config.paths import APP_NAME
from cfdash.engine.tracking import TrackedJob
from cfdash.timefmt import iso_utc, seconds_until

__all__ = ["COLUMNS", "FORMULA_STARTS", "default_export_path", "defuse", "export_csv", "export_dir"]

COLUMNS = (
    "account",
    "stage",
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


#: What a spreadsheet reads as the start of a formula (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def defuse(text: str) -> str:
    """``text`` with a leading ``'`` if a spreadsheet would take it for a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _keep(text: str) -> str:
    return text


def _cell(value: object) -> str:
    return "" if value is None else str(value)


def _row(job: TrackedJob, now: float, text: Callable[[str], str]) -> list[str]:
    """One job's cells; ``text`` is applied to the text cells (not numbers or times)."""
    eta = job.eta
    return [
        text(job.account),
        job.stage,
        str(job.jobid),
        text(job.kind),
        text(job.label or ""),
        text(job.target),
        text(job.word),
        text(job.phase),
        _cell(job.progress),
        iso_utc(eta),  # "invalid time" for a jobeta no calendar can show
        _cell(None if eta is None or (left := seconds_until(eta, now)) is None else round(left)),
        str(job.failures),
        text(job.error or ""),
        _cell(job.release),
        iso_utc(job.confirmed_at),
    ]


def export_dir() -> Path:
    """Where exports go by default: ``user_data_dir("cfdash")/exports``."""
    return Path(platformdirs.user_data_dir(APP_NAME)) / "exports"


def default_export_path(now: float) -> Path:
    """``exports/cfdash-YYYYmmdd-HHMMSS.csv``, stamped in UTC like the times inside it."""
    stamp = datetime.fromtimestamp(now, UTC).strftime("%Y%m%d-%H%M%S")
    return export_dir() / f"cfdash-{stamp}.csv"


def export_csv(
    jobs: Iterable[TrackedJob], path: Path | str, now: float, *, raw: bool = False
) -> Path:
    """Write ``jobs`` to ``path`` as CSV (UTF-8, RFC 4180 quoting), atomically; the path.

    Text cells that would run as a formula get a leading ``'`` unless ``raw`` (the config's
    ``export_raw``). Creates the parent directory. Raises ``OSError`` if the file cannot be
    written, leaving any earlier file at ``path`` untouched and no temporary file behind.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as file:
            writer = csv.writer(file)
            writer.writerow(COLUMNS)
            text = _keep if raw else defuse
            writer.writerows(_row(job, now, text) for job in jobs)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return path
