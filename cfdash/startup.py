"""Garbage collection paused while cfdash starts.

Start-up imports Textual, httpx and pydantic and builds the screen: tens of thousands of
long-lived objects that the collector would scan again and again for nothing (about 20–40 ms
here). The command line pauses collection before those imports; once the dashboard is on
screen (or a headless command is ready), ``resume`` freezes what start-up made — it stays for
the life of the process — and collection goes on for everything after, less often.

Less often because a refresh makes thousands of objects that live about a second (the
changed jobs' models, their rows' cells and strips) and then die by reference counting: at
the default threshold (700 allocations) the collector scans them several times while they
live, about 7 ms a second in a 1,000-job rollout (a tenth of cfdash's CPU there). At 30,000
it runs every ten seconds or so, when most of them are gone: about 1 ms a second, in pauses
of about 12 ms, and a few MB more garbage held at most.
"""

from __future__ import annotations

import gc

__all__ = ["pause", "resume"]

_paused = False
#: Allocations between two collections of the youngest generation (the default is 700).
YOUNG_THRESHOLD = 30_000


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
        gc.set_threshold(YOUNG_THRESHOLD, *gc.get_threshold()[1:])
        gc.enable()
