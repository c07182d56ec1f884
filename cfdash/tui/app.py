"""The Textual app: wires an engine to the main screen, runs polling in a worker.

The app receives everything it talks to — the engine (with its clients), a clock, a persist
callback — from ``cfdash.cli.build_app``, the one factory the command line and the tests share.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping
from functools import partial

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from cfdash.engine.engine import Engine, PollDone, QueueDone
from cfdash.tui.messages import Polled, Queued
from cfdash.tui.screens.help import HelpScreen
from cfdash.tui.screens.main import MainScreen

__all__ = ["CfdashApp"]

log = logging.getLogger("cfdash.tui")


class CfdashApp(App[None]):
    """The cfdash dashboard."""

    CSS_PATH = "app.tcss"
    TITLE = "cfdash"
    ENABLE_COMMAND_PALETTE = True

    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True),
        Binding("question_mark", "help", "Help", id="help"),
    ]

    def __init__(
        self,
        engine: Engine,
        *,
        clock: Callable[[], float] = time.time,
        demo: bool = False,
        poll: bool = True,
        tick: bool = True,
        keymap: Mapping[str, str] | None = None,
        persist: Callable[[], None] | None = None,
        notices: tuple[str, ...] = (),
    ) -> None:
        super().__init__()
        self.engine = engine
        self.clock = clock
        self.demo = demo
        self._poll = poll
        self._tick = tick
        self._keymap = dict(keymap or {})
        self._notices = notices
        self._persist = persist
        self.main = MainScreen(engine, clock, demo=demo, persist=self.persist)

    def on_mount(self) -> None:
        if self._keymap:
            self.set_keymap(self._keymap)
        self.engine.subscribe(self._engine_event)
        self.push_screen(self.main)
        for notice in self._notices:
            self.notify(notice, severity="warning", timeout=15)
        if self._poll:
            self.run_worker(self.engine.run(), name="poller", group="engine", exit_on_error=False)
        if self._tick:
            self.set_interval(1.0, self._every_second, name="tick")

    async def on_unmount(self) -> None:
        await self.engine.aclose()

    def persist(self) -> None:
        """Save the tracked jobs; a failure is shown, never fatal, and loses nothing in memory."""
        if self._persist is None:
            return
        try:
            self._persist()
        except Exception as error:
            log.exception("could not save the state file")
            self.notify(str(error), title="State not saved", severity="error", timeout=15)

    def _engine_event(self, event: PollDone | QueueDone) -> None:
        """Engine listener: turn events into messages; handlers do the widget work."""
        message = Polled(event) if isinstance(event, PollDone) else Queued(event)
        self.main.post_message(message)

    def _every_second(self) -> None:
        # A timer callback that raises would end the app: keep it to timing, and contain it.
        try:
            self.main.tick()
        except Exception:
            log.exception("tick failed")

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            error = event.worker.error
            log.error("worker %s failed: %r", event.worker.name, error)
            self.notify(
                f"{event.worker.name} stopped: {type(error).__name__}: {error}",
                title="Unexpected error",
                severity="error",
                timeout=30,
            )

    def help_rows(self) -> list[tuple[str, str]]:
        """Each of cfdash's own actions (bindings with an id), with the keys now bound to it."""
        keys: dict[str, list[str]] = {}
        descriptions: dict[str, str] = {}
        # The screen's and the app's own maps (after the keymap), not the focused widget's:
        # the table claims enter for itself, but "details" is still ours to list.
        maps = (self.main._bindings, self._bindings)
        for binding in (b for m in maps for bs in m.key_to_bindings.values() for b in bs):
            if not binding.id or not binding.description:
                continue  # widget navigation (arrows, page keys) is listed once, below
            keys.setdefault(binding.id, []).append(self.get_key_display(binding))
            descriptions[binding.id] = binding.description
        rows = [(" / ".join(dict.fromkeys(keys[name])), descriptions[name]) for name in keys]
        rows.append(("ctrl+p", "Command palette"))
        rows.append(("↑ ↓ pgup pgdn", "Move through the table"))
        return rows

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Every dashboard action in the palette too, named as in the footer and help."""
        yield from super().get_system_commands(screen)
        if screen is not self.main:
            return
        for binding in self.main.BINDINGS:
            assert isinstance(binding, Binding)
            if self.main.check_action(binding.action, ()) is None:
                continue  # hidden (e.g. queueing in read-only mode)
            key = self.get_key_display(binding)
            yield SystemCommand(
                binding.description,
                f"{binding.tooltip or binding.description} ({key})",
                partial(self.main.run_action, binding.action),
            )

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(self.help_rows()))
