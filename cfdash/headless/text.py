"""Plain text for the headless commands: aligned tables and one-line job summaries.

No colour and no box drawing, because the output is read by people in CI logs and by ``grep``
and ``awk``; the countdown and shortening rules are the dashboard's own (``cfdash.tui.format``
is pure text and imports no Textual), so an ETA reads the same everywhere.
"""

from __future__ import annotations

from collections.abc import Sequence

from cfdash.engine.tracking import TrackedJob
from cfdash.tui.format import eta_text, shorten

__all__ = ["ERROR_WIDTH", "job_line", "progress_text", "table"]

#: How much of an error message a table or a line shows; ``--json`` has all of it.
ERROR_WIDTH = 60


def progress_text(job: TrackedJob) -> str:
    progress = job.progress
    return "" if progress is None else f"{progress}%"


def job_line(job: TrackedJob, now: float) -> str:
    """``production/5551001 Running 42% ETA 3m10s`` (plus the error of a failed job)."""
    parts = [f"{job.account}/{job.jobid}", job.word]
    if job.progress is not None:
        parts.append(progress_text(job))
    eta = eta_text(job.eta, job.as_of(now))  # stopped while its account cannot be read
    if eta:
        parts.append(f"ETA {eta}")
    if job.error and job.phase == "failed":
        parts.append(f"— {shorten(job.error, ERROR_WIDTH)}")
    return " ".join(parts)


def table(header: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[int] = ()) -> str:
    """Columns padded to their widest cell, two spaces apart; ``right`` columns right-aligned.

    The last column is not padded, so no line ends in spaces.
    """
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
