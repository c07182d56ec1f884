"""Pure text formatting shared by the dashboard and the headless commands: countdowns,
ages, progress bars, states.

It sits below both (beside :mod:`cfdash.timefmt`) and imports no Textual, so every rule —
"overdue 2m00s", "3s ago", how a state reads without colour — is a plain function with a plain
test, and ``status`` prints an ETA exactly as the dashboard shows it.
"""

from __future__ import annotations

import re
from datetime import datetime

from cfdash.safetext import safe_text
from cfdash.timefmt import INVALID_TIME, duration, is_valid_time, seconds_until

__all__ = [
    "STATE_SYMBOLS",
    "age",
    "clock_time",
    "duration",
    "eta_text",
    "finished_bar",
    "local_time",
    "path_lines",
    "progress_bar",
    "relative",
    "shorten",
    "state_label",
    "yes_no",
]

#: A symbol per phase, so no state is told by colour alone.
STATE_SYMBOLS = {
    "created": "○",
    "pending": "◌",
    "queued": "◔",
    "running": "▶",
    "complete": "✔",
    "finished": "✔",
    "failed": "✖",
    "squashed": "⊘",
    "unknown": "?",
    "notlisted": "·",
    "notfound": "∅",  # read, and not in the list: an empty set, not a finish
}


def eta_text(eta: int | None, now: float) -> str:
    """A countdown to the ETA, or how long ago it passed ("overdue 2m05s")."""
    if eta is None:
        return ""
    remaining = seconds_until(eta, now)
    if remaining is None:
        return INVALID_TIME
    if remaining >= 0:
        return duration(remaining)
    overdue = -remaining
    return f"overdue {duration(overdue)}" if overdue >= 1 else "due"


def age(when: float | None, now: float) -> str:
    """How long ago a row was confirmed: ``now``, ``4s ago``, ``never``."""
    if when is None:
        return "never"
    elapsed = now - when
    return "now" if elapsed < 1 else f"{duration(elapsed)} ago"


def relative(when: float, now: float) -> str:
    """``3m00s ago``, ``in 5m10s`` or ``now``: a time put against the clock, either side of it."""
    left = seconds_until(when, now)
    if left is None:
        return INVALID_TIME
    delta = -left
    if abs(delta) < 1:
        return "now"
    return f"{duration(delta)} ago" if delta > 0 else f"in {duration(-delta)}"


def local_time(when: float) -> str:
    """``2026-01-05 14:02:11 CET``: a wall-clock time in the local zone, the zone named.

    The zone is written out because a time read off a screen is pasted into chats and
    tickets, where "14:02" alone is ambiguous across an ops team's time zones.
    """
    if not is_valid_time(when):
        return INVALID_TIME
    try:
        at = datetime.fromtimestamp(when).astimezone()
    except (OverflowError, OSError, ValueError):  # the platform's own limits
        return INVALID_TIME
    return at.strftime("%Y-%m-%d %H:%M:%S %Z")


def clock_time(when: float) -> str:
    """``14:02:11``: the local time of day alone, for the header, where it sits beside the
    viewer's own clock and the line has no room for a zone."""
    return datetime.fromtimestamp(when).strftime("%H:%M:%S")


def yes_no(value: bool | None) -> str:
    """``yes``/``no`` for a flag, ``—`` when the service did not say."""
    return "—" if value is None else ("yes" if value else "no")


def progress_bar(percent: int | None, width: int = 10) -> str:
    """``█████░░░░░  50%``: eighth-block resolution, percent right-aligned."""
    if percent is None:
        return ""
    percent = max(0, min(100, percent))
    eighths = round(percent * width * 8 / 100)
    full, part = divmod(eighths, 8)
    partial = " ▏▎▍▌▋▊▉"[part] if part else ""
    bar = ("█" * full + partial).ljust(width, "░")
    return f"{bar} {percent:3d}%"


def finished_bar(width: int = 10) -> str:
    """A full bar and no percentage: a Finished job is done, but nobody can say how.

    The service drops a job from its list whether it completed or was squashed, so a number
    (its last partial value, or 100%) would claim what isn't known.
    """
    return "█" * width


def shorten(text: str | None, width: int) -> str:
    """One line of at most ``width`` characters, with an ellipsis when cut; a control or
    direction character from the API shows as its escape (``\\x1b``), never raw."""
    if not text:
        return ""
    line = safe_text(" ".join(text.split()))
    return line if len(line) <= width else line[: max(0, width - 1)] + "…"


def path_lines(path: str, width: int) -> list[str]:
    """``path`` in lines of at most ``width``, broken only after a separator; the file name
    alone on the last line.

    A toast folds a long line wherever the width runs out, which put a line break in the
    middle of an exported file's name: read off the screen, the path was wrong.  Here the
    directory is packed into lines that each end at a ``/`` (or ``\\``), and the name is never
    broken.  A single part wider than ``width`` gets a line of its own.
    """
    parts = re.findall(r"[^/\\]*[/\\]|[^/\\]+$", path)
    if not parts:
        return [path]
    *directory, name = parts
    lines: list[str] = []
    for part in directory:
        if lines and len(lines[-1]) + len(part) <= width:
            lines[-1] += part
        else:
            lines.append(part)
    return [*lines, name]


def state_label(phase: str, word: str) -> str:
    """Symbol and word: ``▶ Running``."""
    return f"{STATE_SYMBOLS.get(phase, '?')} {word}"
