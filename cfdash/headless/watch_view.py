"""How ``cfdash watch`` shows progress: change lines for logs, a redrawn block for terminals.

Piped into a CI log, every redraw would be noise, so a job gets one line each time its state,
progress or ETA changes, and account trouble goes to stderr. In a terminal a short block — one
line per job, then any account trouble — is redrawn in place after each round of polls,
with nothing fancier than "cursor up, clear to the end". Those two are the only escape
sequences written: job lines and notes quote the API and are escaped (:mod:`cfdash.safetext`).
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Mapping, Sequence
from typing import Protocol, TextIO

from cfdash.engine.tracking import JobKey, TrackedJob
from cfdash.headless.text import job_line
from cfdash.safetext import safe_text

__all__ = ["PlainView", "TtyView", "WatchView", "clock_time"]


def clock_time(now: float) -> str:
    return time.strftime("%H:%M:%S", time.localtime(now))


class WatchView(Protocol):
    def round(self, now: float, jobs: Sequence[TrackedJob], notes: Mapping[str, str]) -> None:
        """Show the jobs and the accounts in trouble (account -> sentence) after a round."""


class PlainView:
    """One line per change: ``12:00:05 production/5551001 Running 42% ETA 3m10s``."""

    def __init__(self, out: TextIO, err: TextIO) -> None:
        self.out, self.err = out, err
        self._shown: dict[JobKey, tuple[object, ...]] = {}
        self._notes: dict[str, str] = {}

    def round(self, now: float, jobs: Sequence[TrackedJob], notes: Mapping[str, str]) -> None:
        stamp = clock_time(now)
        for account, note in notes.items():
            if self._notes.get(account) != note:
                print(f"{stamp} {safe_text(note)}", file=self.err, flush=True)
        for account in set(self._notes) - set(notes):
            print(f"{stamp} {account}: reading again", file=self.err, flush=True)
        self._notes = dict(notes)
        for job in jobs:
            if job.item is None and job.seen_note is None:
                continue  # nothing known yet: the first line comes with the first answer
            seen = (job.word, job.progress, job.eta)
            if self._shown.get(job.key) != seen:
                self._shown[job.key] = seen
                print(f"{stamp} {job_line(job, now)}", file=self.out, flush=True)


class TtyView:
    """A block redrawn in place: the jobs, the accounts in trouble, when it was updated."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self._height = 0

    def round(self, now: float, jobs: Sequence[TrackedJob], notes: Mapping[str, str]) -> None:
        width = max(20, shutil.get_terminal_size().columns - 1)
        lines = [job_line(job, now) for job in jobs]
        lines += [f"! {safe_text(note)}" for note in notes.values()]
        lines.append(f"updated {clock_time(now)} — Ctrl-C to stop")
        # Lines longer than the terminal would wrap and break the "cursor up" count.
        lines = [line if len(line) <= width else line[: width - 1] + "…" for line in lines]
        if self._height:
            self.out.write(f"\x1b[{self._height}F\x1b[J")
        self.out.write("\n".join(lines) + "\n")
        self.out.flush()
        self._height = len(lines)
