"""How one dashboard runs: the plain values ``CfdashApp`` and its main screen are given.

The objects the app talks to — the engine (with its clients), the stall monitor, the state
file — are passed beside this, not in it: they do I/O, this is only configuration.  One
factory (:func:`cfdash.tui.wiring.build_app`) fills it in for the command line and the tests.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from textual.theme import Theme

from cfdash.export import default_export_path

__all__ = ["AppSettings"]


@dataclass(frozen=True, slots=True)
class AppSettings:
    """Everything the dashboard needs besides the objects it talks to."""

    #: Seconds since the epoch; tests and snapshots pass a frozen one.
    clock: Callable[[], float] = time.time
    #: Show the DEMO badge.
    demo: bool = False
    #: Run the engine's polling worker (tests and snapshots poll by hand).
    poll: bool = True
    #: The once-a-second tick; with it, a poll's rows are drawn at the next tick.
    tick: bool = True
    #: The user's remaps that are safe to apply (:func:`cfdash.keys.usable_keymap`).
    keymap: Mapping[str, str] = field(default_factory=dict)
    #: Shown once at start, as warnings (config, themes, keymap, a recovered state file).
    notices: tuple[str, ...] = ()
    #: cfdash's themes (built-in, then the user's): what ``t`` and the palette offer.
    themes: tuple[Theme, ...] = ()
    #: The theme to start in; None keeps Textual's default.
    theme: str | None = None
    #: Per account, how to alert ("toast", "bell", "desktop").
    alert_methods: Mapping[str, Iterable[str]] = field(default_factory=dict)
    #: Where ``e`` writes, given the time.
    export_path: Callable[[float], Path] = default_export_path
    #: Write formula-like cells as they are (``export_raw = true``); else with a leading ``'``.
    export_raw: bool = False
    #: Named in the one sentence a crash prints; None: the log this process writes.
    log_path: Path | None = None
