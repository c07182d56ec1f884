"""Run cfdash with a frame and toast counter, for the benchmark's real-terminal sections.

    python bench/probe.py --stats FILE -- --config CONFIG

Runs ``cfdash.cli.main`` (what the ``cfdash`` command runs) in this process with
:class:`bench.textual_hooks.ScreenCounter` active, and rewrites FILE (atomically, 4 times a
second, from a daemon thread) with the counters so far::

    {"t": unix time, "frames": n, "toasts_now": n, "toasts_max": n, "toasts_seen": n,
     "mounted_now": n, "mounted_max": n, "tracked": rows the app tracks,
     "toast_changes": [[unix time, toasts in view, toasts in the rack], ...],
     "cursor_changes": [[unix time, row], ...]}  (the last 200: frames that moved the cursor)

The benchmark reads it at both ends of its window: frames per second from ``frames`` and
``t``, the most toasts at once from ``toast_changes``. The counter costs a few microseconds a
frame; the thread wakes 4 times a second.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.textual_hooks import ScreenCounter

__all__ = ["main"]

_PERIOD = 0.25


def _tracked(app: object) -> int | None:
    with contextlib.suppress(Exception):  # whatever the app looks like, never break it
        return len(app.engine.tracker)  # type: ignore[attr-defined]
    return None


def _writer(
    path: Path, counter: ScreenCounter, changes: list, cursors: list, stop: threading.Event
) -> None:
    import time

    temp = path.with_suffix(".tmp")
    while True:
        figures = {
            "t": time.time(),
            "frames": counter.frames,
            "toasts_now": counter.toasts_now,
            "toasts_max": counter.toasts_max,
            "toasts_seen": len(counter.toasts_seen),
            "mounted_now": counter.mounted_now,
            "mounted_max": counter.mounted_max,
            "tracked": _tracked(counter.app),
            "toast_changes": list(changes),
            "cursor_changes": list(cursors[-200:]),
        }
        with contextlib.suppress(OSError):
            temp.write_text(json.dumps(figures))
            os.replace(temp, path)
        if stop.wait(_PERIOD):
            return


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stats", required=True, type=Path)
    parser.add_argument("cfdash_args", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    rest = args.cfdash_args[1:] if args.cfdash_args[:1] == ["--"] else args.cfdash_args
    changes: list[tuple[float, int, int]] = []
    cursors: list[tuple[float, int]] = []
    stop = threading.Event()
    with ScreenCounter(
        lambda *change: changes.append(change), lambda *moved: cursors.append(moved)
    ) as counter:
        thread = threading.Thread(
            target=_writer, args=(args.stats, counter, changes, cursors, stop), daemon=True
        )
        thread.start()
        from cfdash.cli import main as cfdash_main

        try:
            code = cfdash_main(rest)
        finally:
            stop.set()
    return code or 0


if __name__ == "__main__":
    raise SystemExit(main())
