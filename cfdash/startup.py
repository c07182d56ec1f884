"""Garbage collection paused while cfdash starts.

Start-up imports Textual, httpx and pydantic and builds the screen: tens of thousands of
long-lived objects that the collector would scan again and again for nothing (about 20–40 ms
here). The command line pauses collection before those imports; once the dashboard is on
screen (or a headless command is ready), ``resume`` freezes what start-up made — it stays for
the life of the process — and collection goes on as usual for everything after.
"""

from __future__ import annotations

import gc

__all__ = ["pause", "resume"]

_paused = False


def pause() -> None:
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def resume() -> None:
    """Undo ``pause`` (a no-op if it was not called, as in tests that build the app directly)."""
    global _paused
    if _paused:
        _paused = False
        gc.freeze()
        gc.enable()
