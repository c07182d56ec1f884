"""The Textual app: wires an engine to the main screen, runs polling in a worker.

The app receives everything it talks to — the engine (with its clients), a clock, a persist
callback — from ``cfdash.cli.build_app``, the one factory the command line and the tests share.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import partial
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.command import Command, CommandPalette, DiscoveryHit, Hit, Hits, Provider
from textual.screen import Screen
from textual.theme import Theme
from textual.worker import Worker, WorkerState

from cfdash import startup
from cfdash.engine.engine import Engine, PollDone, QueueDone
from cfdash.engine.monitor import Monitor
from cfdash.logs import current_log_path
from cfdash.tui.alerts import Alerts
from cfdash.tui.messages import Polled, Queued
from cfdash.tui.screens.details import DetailsScreen
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
        log_path: Path | None = None,
        themes: Sequence[Theme] = (),
        theme: str | None = None,
        saved_theme: str | None = None,
        monitor: Monitor | None = None,
        alert_methods: Mapping[str, Iterable[str]] | None = None,
        export_path: Callable[[float], Path] | None = None,
        export_raw: bool = False,
    ) -> None:
        super().__init__()
        self.engine = engine
        self.clock = clock
        self.demo = demo
        self._poll = poll
        self._tick = tick
        # Named apart from Textual's own ``_keymap``, which set_keymap fills in normalised.
        self._user_keymap = dict(keymap or {})
        self._notices = notices
        self.log_path = log_path or current_log_path()
        self._persist = persist
        alerts = Alerts(self.notify, self.bell, self._write_escape, alert_methods or {})
        extra = {"export_path": export_path} if export_path is not None else {}
        self.main = MainScreen(
            engine,
            clock,
            demo=demo,
            persist=self.persist,
            defer_polls=tick,
            monitor=monitor,
            alerts=alerts,
            export_raw=export_raw,
            **extra,
        )
        # Themes: cfdash's own (built-in, then the user's) are what `t` and the palette offer.
        for each in themes:
            self.register_theme(each)
        self.cfdash_themes = tuple(each.name for each in themes)
        #: The user's last pick (t or the palette), saved in the state file; None: never.
        self.saved_theme = saved_theme
        self._theme_before_preview: str | None = None
        if theme is not None:
            self.theme = theme  # before mount, so the first frame is already in this theme

    def on_mount(self) -> None:
        self.call_after_refresh(startup.resume)  # see cfdash.startup
        if self._user_keymap:
            self.set_keymap(self._user_keymap)
        self.theme_changed_signal.subscribe(self, self._theme_changed)
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

    def _write_escape(self, sequence: str) -> None:
        """Send a raw escape sequence (a desktop notification) through the terminal driver."""
        driver = getattr(self, "_driver", None)
        if driver is not None and not self.is_headless:
            driver.write(sequence)

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
        # A timer callback that raises would end the app: the tick is @contained.
        self.main.tick()
        if isinstance(self.screen, DetailsScreen):
            self.screen.refresh_details()  # the details of a running job move too

    def _fatal_error(self) -> None:
        """One sentence and the log's path instead of Textual's traceback (whose locals could
        hold a secret); the traceback itself goes to the log."""
        error = self._exception
        log.error("fatal error", exc_info=error)
        where = f"; details in {self.log_path}" if self.log_path else ""
        self._exit_renderables.append(
            Text(f"cfdash stopped: unexpected error: {type(error).__name__}{where}")
        )
        self._close_messages_no_wait()

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
        for binding in self._bindings_in_force():
            if not binding.id or not binding.description:
                continue  # widget navigation (arrows, page keys) is listed once, below
            if not self.main.check_action(binding.action, ()):
                continue  # hidden here too (queueing in read-only mode)
            keys.setdefault(binding.id, []).append(self.get_key_display(binding))
            descriptions[binding.id] = binding.description
        rows = [(" / ".join(dict.fromkeys(keys[name])), descriptions[name]) for name in keys]
        rows.append(("ctrl+p", "Command palette"))
        rows.append(("↑ ↓ pgup pgdn", "Move through the table"))
        return rows

    def _bindings_in_force(self) -> list[Binding]:
        """The screen's and the app's own bindings with the user's keymap applied.

        Not the focused widget's (the table claims enter for itself, but "details" is still
        ours to list).  The maps are copies: Textual applies the keymap to a copy of each map
        per key press, so the originals always hold the default keys.
        """
        found: list[Binding] = []
        for bindings in (self.main._bindings.copy(), self._bindings.copy()):
            if self._keymap:
                bindings.apply_keymap(self._keymap)
            found += [b for each in bindings.key_to_bindings.values() for b in each]
        return found

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Every dashboard action in the palette too, named as in the footer and help."""
        yield from super().get_system_commands(screen)
        if screen is not self.main:
            return
        keys: dict[str | None, list[str]] = {}
        for bound in self._bindings_in_force():
            keys.setdefault(bound.id, []).append(self.get_key_display(bound))
        for binding in self.main.BINDINGS:
            assert isinstance(binding, Binding)
            if not self.main.check_action(binding.action, ()):
                continue  # hidden (e.g. queueing in read-only mode)
            key = " / ".join(dict.fromkeys(keys.get(binding.id) or [self.get_key_display(binding)]))
            yield SystemCommand(
                binding.description,
                f"{binding.tooltip or binding.description} ({key})",
                partial(self.main.run_action, binding.action),
            )

    # -- themes ------------------------------------------------------------------------------

    def choose_theme(self, name: str) -> None:
        """Switch to ``name`` as the user's own choice: it is saved for the next start."""
        self.theme = name
        self.saved_theme = name
        self.persist()

    def action_cycle_theme(self) -> None:
        """``t``: the next of cfdash's themes."""
        names = self.cfdash_themes or tuple(self.available_themes)
        following = names.index(self.theme) + 1 if self.theme in names else 0
        self.choose_theme(names[following % len(names)])
        self.notify(f"Theme: {self.theme}", timeout=2)

    def action_change_theme(self) -> None:
        """The palette's "Theme" command: cfdash's themes, previewed as they are highlighted."""
        self._theme_before_preview = self.theme
        self.push_screen(CommandPalette(providers=[ThemeChoices], placeholder="Search for themes…"))

    @on(CommandPalette.OptionHighlighted)
    def _preview_theme(self, event: CommandPalette.OptionHighlighted) -> None:
        if self._theme_before_preview is None:
            return  # the ordinary command palette, not the theme picker
        option = event.highlighted_event.option
        if isinstance(option, Command) and option.hit.text in self.cfdash_themes:
            self.theme = option.hit.text  # a preview: not saved unless chosen

    @on(CommandPalette.Closed)
    def _theme_picker_closed(self, event: CommandPalette.Closed) -> None:
        if self._theme_before_preview is None:
            return
        if not event.option_selected:
            self.theme = self._theme_before_preview  # escape undoes the preview
        self._theme_before_preview = None  # a chosen theme is saved by its command

    def _theme_changed(self, theme: Theme) -> None:
        """Text the header already built carries the old colours: rebuild it (the table
        re-reads its own)."""
        if self.main.is_mounted:
            header = self.main.header
            header.update(header.build())

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(self.help_rows()))


class ThemeChoices(Provider):
    """The palette's theme list: cfdash's themes (built-in and the user's), by name."""

    def _choices(self) -> list[tuple[str, Callable[[], None]]]:
        app = self.app
        assert isinstance(app, CfdashApp)
        return [(name, partial(app.choose_theme, name)) for name in app.cfdash_themes]

    async def discover(self) -> Hits:
        for name, choose in self._choices():
            yield DiscoveryHit(name, choose, text=name)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, choose in self._choices():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), choose, text=name)
