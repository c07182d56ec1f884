"""Every hook the benchmark puts into Textual, in one place.

Checked against Textual 8.2.8. They wrap private methods (``App._display``,
``Screen._on_timer_update``) and read the toast rack and the compositor's visible map
(``Screen._compositor.visible_widgets``), because Textual has no public way to count frames or
toasts on screen; when Textual changes, this is the one file to look at.

How a frame happens in Textual 8.2: a widget's ``refresh()`` marks it dirty and posts
``Update`` to its screen; the screen's update timer (60/s, paused when nothing is dirty;
``Pilot.pause()`` also calls it directly) runs ``Screen._on_timer_update``, which does layout
if needed and ``_compositor_refresh`` → ``Compositor.render_update`` (this renders the dirty
widgets' lines: the real work of a frame) → ``App._display(screen, update)``, which writes the
update to the terminal. ``render_update`` returns ``None`` when no region was dirty, so a
*frame* here is an ``App._display`` call with a renderable (outside a batch).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

__all__ = ["FrameMeter", "ScreenCounter", "send_key", "wait_until"]


class _Patches:
    """Methods replaced on classes while active, put back on exit."""

    def __init__(self) -> None:
        self._saved: list[tuple[type, str, Any]] = []

    def patch(self, owner: type, name: str, replacement: Any) -> Any:
        original = getattr(owner, name)
        self._saved.append((owner, name, original))
        setattr(owner, name, replacement)
        return original

    def restore(self) -> None:
        for owner, name, original in reversed(self._saved):
            setattr(owner, name, original)
        self._saved.clear()


class FrameMeter:
    """Counts frames and the time spent producing them (headless, in this process).

    *Frame time* is the wall time spent inside ``Screen._on_timer_update``, also kept as this
    thread's CPU time, which other processes on a shared machine do not inflate. Headless,
    ``_display`` stops before turning the update into escape sequences: the cost of writing to
    a real terminal is in the tmux figures, not here.
    """

    def __init__(self) -> None:
        self.frames = 0
        self.frame_time = 0.0  # wall seconds inside Screen._on_timer_update
        self.frame_cpu = 0.0  # CPU seconds of this thread inside it
        #: (perf_counter, screen class name) of every frame, for latency measurements.
        self.log: list[tuple[float, str]] = []
        self._patches = _Patches()

    def __enter__(self) -> FrameMeter:
        from textual.app import App
        from textual.screen import Screen

        meter = self
        display = App._display
        timer_update = Screen._on_timer_update

        def counted_display(app: App, screen: Screen, renderable: Any) -> None:
            if renderable is not None and not app._batch_count:
                meter.frames += 1
                meter.log.append((time.perf_counter(), type(screen).__name__))
            display(app, screen, renderable)

        def timed_update(screen: Screen) -> None:
            started, cpu = time.perf_counter(), time.thread_time()
            try:
                timer_update(screen)
            finally:
                meter.frame_time += time.perf_counter() - started
                meter.frame_cpu += time.thread_time() - cpu

        self._patches.patch(App, "_display", counted_display)
        self._patches.patch(Screen, "_on_timer_update", timed_update)
        return self

    def __exit__(self, *exc: object) -> None:
        self._patches.restore()


class ScreenCounter:
    """Frames written to a real terminal, and the toasts on screen in each of them.

    For ``bench/probe.py``, which runs the real app in tmux. At every frame it counts the
    ``Toast`` widgets of the shown screen's toast rack that the compositor has placed in view
    (a toast mounted but not yet laid out is not on screen yet; one removed is gone; one
    scrolled out of the rack's view is hidden),
    so the count is what the person at the terminal sees in that frame, not how many
    notifications were raised. Cheap: a rack holds a handful of children.
    """

    def __init__(
        self,
        on_toasts: Callable[[float, int, int], None] | None = None,
        on_cursor: Callable[[float, int], None] | None = None,
    ) -> None:
        self.frames = 0
        self.toasts_now = 0
        self.toasts_max = 0
        #: Toasts in the rack, also those scrolled out of its view: how many piled up.
        self.mounted_now = 0
        self.mounted_max = 0
        #: (toast, notification) ids ever on screen: each summary shown counts once.
        self.toasts_seen: set[tuple[int, int]] = set()
        self.app: Any = None
        self._on_toasts = on_toasts
        #: Told (unix time, row) at the first frame that shows the job table's cursor on
        #: another row: when a key that moves it became visible.
        self._on_cursor = on_cursor
        self._cursor: int | None = None
        self._patches = _Patches()

    def _count(self, screen: Any) -> tuple[int, int]:
        """(toasts in view, toasts in the rack) on ``screen``."""
        from textual.widgets._toast import Toast, ToastRack

        # The compositor's map of what is in view, as the frame just drawn used it. Read only:
        # ``Screen.find_widget`` would build the full map for a toast out of view, and drop
        # the visible map the app's next frame then has to rebuild (the probe must not add
        # work to what it measures).
        visible = screen._compositor.visible_widgets
        shown = mounted = 0
        for rack in screen.children:
            if not isinstance(rack, ToastRack) or not rack.display:
                continue
            for holder in rack.children:
                for toast in holder.children:
                    if not isinstance(toast, Toast):
                        continue
                    mounted += 1
                    if toast in visible:  # laid out, on screen, not scrolled out of the rack
                        shown += 1
                        # A summary toast shows the next summary in place: count what it
                        # shows (the notification), not the widget.
                        self.toasts_seen.add((id(toast), id(getattr(toast, "_notification", None))))
        return shown, mounted

    def __enter__(self) -> ScreenCounter:
        from textual.app import App
        from textual.screen import Screen

        counter = self
        display = App._display

        def counted_display(app: App, screen: Screen, renderable: Any) -> None:
            display(app, screen, renderable)
            if renderable is None or app._batch_count:
                return
            counter.app = app
            counter.frames += 1
            shown, mounted = counter._count(screen)
            if (shown, mounted) != (counter.toasts_now, counter.mounted_now):
                counter.toasts_now, counter.mounted_now = shown, mounted
                counter.toasts_max = max(counter.toasts_max, shown)
                counter.mounted_max = max(counter.mounted_max, mounted)
                if counter._on_toasts is not None:
                    counter._on_toasts(time.time(), shown, mounted)
            if counter._on_cursor is not None:
                cursor = getattr(getattr(getattr(app, "main", None), "table", None), "cursor", None)
                if isinstance(cursor, int) and cursor != counter._cursor:
                    counter._cursor = cursor
                    counter._on_cursor(time.time(), cursor)

        self._patches.patch(App, "_display", counted_display)
        return self

    def __exit__(self, *exc: object) -> None:
        self._patches.restore()


def send_key(app: Any, key: str, char: str | None) -> None:
    """Deliver a key as the terminal driver would, without Pilot's waits for idle."""
    from textual import events

    event = events.Key(key, char)
    event.set_sender(app)
    app._driver.send_message(event)


async def wait_until(condition: Callable[[], bool], timeout: float, step: float = 0.0005) -> bool:
    """Poll ``condition`` on the event loop (for conditions that post no event of their own)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(step)
    return True
