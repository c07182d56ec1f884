"""Durations for people (``45s``, ``2m05s``, ``1h20m``) — shared by the core and the screen."""

from __future__ import annotations

__all__ = ["duration"]


def duration(seconds: float) -> str:
    """A compact duration: ``45s``, ``2m``, ``2m05s`` under ten minutes, ``1h20m``, ``3d4h``."""
    seconds = int(max(0, seconds))
    if seconds < 60:
        return f"{seconds}s"
    minutes, secs = divmod(seconds, 60)
    if minutes < 10:
        return f"{minutes}m{secs:02d}s" if secs else f"{minutes}m"
    if minutes < 60:
        return f"{minutes}m"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours}h{minutes:02d}m" if minutes else f"{hours}h"
    days, hours = divmod(hours, 24)
    return f"{days}d{hours}h" if hours else f"{days}d"
