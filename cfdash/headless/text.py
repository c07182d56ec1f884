"""Plain text for the headless commands: aligned tables and one-line job summaries.

No colour and no box drawing, because the output is read by people in CI logs and by ``grep``
and ``awk``; the countdown and shortening rules are the dashboard's own (:mod:`cfdash.textfmt`),
so an ETA reads the same everywhere. Every cell and line goes through
:func:`~cfdash.safetext.safe_text`: text from the API (an error, a machine name) cannot move
the cursor, retitle the terminal or split a row, whatever it holds.
"""

from __future__ import annotations

from collections.abc import Sequence

from cfdash.engine.tracking import TrackedJob
from cfdash.safetext import safe_text
from cfdash.textfmt import eta_text, shorten

__all__ = ["ERROR_WIDTH", "error_cell", "job_line", "progress_text", "table"]

#: How much of an error message a table or a line shows; ``--json`` has all of it.
ERROR_WIDTH = 60


def progress_text(job: TrackedJob) -> str:
    progress = job.progress
    return "" if progress is None else f"{progress}%"


def error_cell(error: str | None) -> str:
    """The start of an error message on one line, its control characters visible as escapes.

    Escaped before it is cut, so a newline in the message shows as ``\\n`` rather than
    vanishing into a space.
    """
    return shorten(safe_text(error), ERROR_WIDTH) if error else ""


def job_line(job: TrackedJob, now: float) -> str:
    """``production/5551001 Running 42% ETA 3m10s`` (plus the error of a failed job).

    Safe to print: the state word and the error come from the API and are escaped.
    """
    parts = [f"{job.name}", job.word]
    if job.progress is not None:
        parts.append(progress_text(job))
    eta = eta_text(job.eta, job.as_of(now))  # stopped while its account cannot be read
    if eta:
        parts.append(f"ETA {eta}")
    if job.error and job.phase == "failed":
        parts.append(f"— {error_cell(job.error)}")
    elif job.seen_note:  # gone while cfdash was closed: how it is known
        parts.append(f"— {job.seen_note}")
    return safe_text(" ".join(parts))


def table(header: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[int] = ()) -> str:
    """Columns padded to their widest cell, two spaces apart; ``right`` columns right-aligned.

    The last column is not padded, so no line ends in spaces. Cells are escaped first (and
    measured escaped), so a CR or newline in one cannot break its row or the alignment.
    """
    header = [safe_text(cell) for cell in header]
    rows = [[safe_text(cell) for cell in row] for row in rows]
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    lines = []
    for row in [header, *rows]:
        cells = []
        for i, cell in enumerate(row):
            if i == len(row) - 1:
                cells.append(cell.rjust(widths[i]) if i in right else cell)
            else:
                cells.append(cell.rjust(widths[i]) if i in right else cell.ljust(widths[i]))
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)
