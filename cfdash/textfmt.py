"""Pure text formatting shared by the dashboard and the headless commands: countdowns,
ages, progress bars, states.

It sits below both (beside :mod:`cfdash.timefmt`) and imports no Textual, so every rule —
"overdue 2m", "3s ago", how a state reads without colour — is a plain function with a plain
test, and ``status`` prints an ETA exactly as the dashboard shows it.
"""

from __future__ import annotations

from cfdash.timefmt import INVALID_TIME, duration, seconds_until

__all__ = [
    "STATE_SYMBOLS",
    "age",
    "duration",
    "eta_text",
    "progress_bar",
    "shorten",
    "state_label",
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
}


def eta_text(eta: int | None, now: float) -> str:
    """A countdown to the ETA, or how long ago it passed ("overdue 2m")."""
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


def shorten(text: str | None, width: int) -> str:
    """One line of at most ``width`` characters, with an ellipsis when cut."""
    if not text:
        return ""
    line = " ".join(text.split())
    return line if len(line) <= width else line[: max(0, width - 1)] + "…"


def state_label(phase: str, word: str) -> str:
    """Symbol and word: ``▶ Running``."""
    return f"{STATE_SYMBOLS.get(phase, '?')} {word}"
