"""Times and durations for people — shared by the core and the screen.

Timestamps from the API are plain integers, and nothing stops a service from sending
``jobeta: -99999999999`` or ``10**30``: ``datetime`` raises ``ValueError: year -1199 is out
of range`` on the first and ``eta - now`` raises ``OverflowError`` on the second.  Every
conversion of an API time goes through here and renders such a value as
:data:`INVALID_TIME` instead of stopping the dashboard.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

__all__ = [
    "INVALID_TIME",
    "duration",
    "is_valid_time",
    "iso_utc",
    "seconds_until",
]

INVALID_TIME = "invalid time"

# The Unix seconds datetime can represent (years 1 to 9999).
_EARLIEST = datetime(1, 1, 2, tzinfo=UTC).timestamp()
_LATEST = datetime(9999, 12, 31, tzinfo=UTC).timestamp()


def is_valid_time(at: float | int) -> bool:
    """Whether ``at`` (Unix seconds) is a time a calendar can show (years 1 to 9999)."""
    try:
        return math.isfinite(at) and _EARLIEST <= at <= _LATEST
    except (OverflowError, TypeError):  # an int too large for a float
        return False


def iso_utc(at: float | int | None) -> str:
    """``2026-01-01T00:01:30Z``; ``""`` for None; :data:`INVALID_TIME` out of range."""
    if at is None:
        return ""
    if not is_valid_time(at):
        return INVALID_TIME
    try:
        stamp = datetime.fromtimestamp(at, UTC)
    except (OverflowError, OSError, ValueError):  # the platform's own limits
        return INVALID_TIME
    return stamp.isoformat(timespec="seconds").replace("+00:00", "Z")


def seconds_until(at: float | int, now: float) -> float | None:
    """``at - now`` in seconds, or None when ``at`` is no time a calendar can show."""
    return at - now if is_valid_time(at) else None


def duration(seconds: float) -> str:
    """A compact duration in its two largest units: ``45s``, ``1m51s``, ``2m00s``, ``1h05m``,
    ``3d04h``.

    One rule at every length, so two durations side by side (an ETA, an age) read alike: never
    ``2m`` beside ``1m51s``.  The second unit is always written, zero-padded, so a countdown
    keeps its width as it runs.
    """
    if not math.isfinite(seconds):
        return INVALID_TIME
    seconds = int(max(0, seconds))
    if seconds < 60:
        return f"{seconds}s"
    minutes, secs = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m{secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours}h{minutes:02d}m"
    days, hours = divmod(hours, 24)
    return f"{days}d{hours:02d}h"
