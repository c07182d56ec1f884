"""The Textual app: wires an engine to the main screen, runs polling in a worker.

The app receives everything it talks to — the engine (with its clients), the stall monitor,
the state file — and an :class:`~cfdash.tui.settings.AppSettings` from
:func:`cfdash.tui.wiring.build_app`, the one factory the command line and the tests share.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable, Iterable, Sequence
from functools import partial

from rich.text import Text
from textual import events, on
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.command import Command, CommandPalette, DiscoveryHit, Hit, Hits, Provider
from textual.filter import LineFilter
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.theme import Theme
from textual.worker import Worker, WorkerState

from cfdash import startup
from cfdash.config.lastseen import LastSeen, SeenKey
from cfdash.engine.engine import Engine, PollDone, QueueDone
from cfdash.engine.monitor import Monitor
from cfdash.keynames import key_display
from cfdash.keys import in_scope, keys_in_force
from cfdash.logs import current_log_path, on_logging_problem
from cfdash.tui import bindings, textual_compat
from cfdash.tui.alerts import Alerts
from cfdash.tui.colourless import ColourSwitch
from cfdash.tui.grid_rows import DEFAULT_VIEW
from cfdash.tui.inert import Inert
from cfdash.tui.messages import Polled, Queued
from cfdash.tui.screens.details import DetailsScreen
from cfdash.tui.screens.help import HelpScreen
from cfdash.tui.screens.main import WRITES, MainScreen
from cfdash.tui.screens.wall import WallScreen
from cfdash.tui.settings import AppSettings
from cfdash.tui.state_keeper import StateKeeper
from cfdash.tui.toasts import ToastKind, app_toaster

__all__ = ["CfdashApp"]

log = logging.getLogger("cfdash.tui")

#: One for the app, so Textual's per-strip filter cache keeps hitting.
INERT = Inert()

#: Textual's palette entries that mean nothing here: "Keys" opens a panel of Textual's own
#: key names beside cfdash's help (``?``); no cfdash widget is made to be maximized.
_PALETTE_NOISE = frozenset({"Keys", "Maximize", "Minimize"})
#: What a key that would change something says in read-only mode.
READ_ONLY_REPLY = "read-only: queueing is off"


def _on_a_loop() -> bool:
    """Whether this thread runs an event loop (the app's, in cfdash: it has no other)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


class CfdashApp(App[None]):
    """The cfdash dashboard."""

    CSS_PATH = "app.tcss"
    TITLE = "cfdash"
    ENABLE_COMMAND_PALETTE = True

    BINDINGS = bindings.bindings_for("app")

    def __init__(
        self,
        engine: Engine,
        settings: AppSettings | None = None,
        *,
        monitor: Monitor | None = None,
        keeper: StateKeeper | None = None,
    ) -> None:
        super().__init__()
        textual_compat.render_only_lines_updated()  # see there: a frame asks fewer widgets
        # Colour is all or nothing, by theme (cfdash.tui.colourless): not Textual's NO_COLOR
        # greys, nor its `:nocolor` styles, which would undo the mono filter's reverse blocks.
        self.no_color = False
        self._colour = ColourSwitch()
        settings = settings or AppSettings()
        self.engine = engine
        self.settings = settings
        self.clock = settings.clock
        self.demo = settings.demo
        self.log_path = settings.log_path or current_log_path()
        #: The state file; None: nothing is saved (and the view starts as the default).
        self.keeper = keeper
        #: Every toast goes through this: at most three up, a failure summary that stays.
        self.toaster = app_toaster(self)
        alerts = Alerts(
            lambda *args, **kwargs: self.notify(*args, **kwargs),  # whatever notify is then
            self.bell,
            self._write_escape,
            settings.alert_methods,
            release_of=lambda key: getattr(engine.tracker.get(key), "release", None),
        )
        self.main = MainScreen(
            engine,
            settings,
            monitor=monitor,
            alerts=alerts,
            persist=self.persist,
            view=keeper.view if keeper is not None else DEFAULT_VIEW,
        )
        # Themes: cfdash's own (built-in, then the user's) are what `t` and the palette offer.
        for each in settings.themes:
            self.register_theme(each)
        self.cfdash_themes = tuple(each.name for each in settings.themes)
        #: The user's last pick (t or the palette), saved in the state file; None: never.
        self.saved_theme = keeper.state.theme if keeper is not None else None
        self._theme_before_preview: str | None = None
        if settings.theme is not None:
            self.theme = settings.theme  # before mount, so the first frame is already in it

    def get_line_filters(self) -> Sequence[LineFilter]:
        """Textual's filters, in the mono theme no colour at all (see ColourSwitch), and always
        :class:`Inert`, so no control character from the API reaches the terminal."""
        return [*self._colour.filters(super().get_line_filters(), self.current_theme), INERT]

    def on_mount(self) -> None:
        self.call_after_refresh(startup.resume)  # see cfdash.startup
        if self.settings.keymap:
            self.set_keymap(self.settings.keymap)
        self.theme_changed_signal.subscribe(self, self._theme_changed)
        self.engine.subscribe(self._engine_event)
        self.push_screen(self.main)
        for notice in self.settings.notices:
            self.notify(notice, severity="warning", timeout=15)
        if self.settings.poll:
            self.run_worker(self.engine.run(), name="poller", group="engine", exit_on_error=False)
        if self.settings.tick:
            self.set_interval(1.0, self._every_second, name="tick")
        loop = asyncio.get_running_loop()
        if not self.is_headless:
            # SIGTERM (a service manager, `kill`) and SIGHUP (the terminal closed) leave the way
            # ctrl+q does, so the terminal gets its modes back (no raw mode, no mouse reports).
            for signum in (signal.SIGTERM, signal.SIGHUP):
                with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                    loop.add_signal_handler(signum, self.exit)
        # The log may fail later (a full disk): say so once, on this thread.
        on_logging_problem(partial(self._logging_failed_from, loop))

    def _logging_failed_from(self, loop: asyncio.AbstractEventLoop, sentence: str) -> None:
        with contextlib.suppress(RuntimeError):  # this app's loop may be gone (tests, exit)
            loop.call_soon_threadsafe(self._logging_failed, sentence)

    def _logging_failed(self, sentence: str) -> None:
        self.notify(sentence, title="Log not written", severity="warning", timeout=30)

    async def on_unmount(self) -> None:
        self.persist(seen=True)  # a filter typed but never entered is kept too; last-seen too
        await self.engine.aclose()

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
        kind: ToastKind | None = None,
    ) -> None:
        """Textual's ``notify``, through cfdash's :class:`~cfdash.tui.toasts.Toaster`: never
        more than three toasts up, status replies short, a failure summary kept.

        ``kind`` None works it out (a short information toast is a status reply). Thread-safe,
        as Textual's is: from another thread it hops onto the app's.
        """
        if self.is_running and not _on_a_loop():
            self.call_from_thread(
                self.notify,
                message,
                title=title,
                severity=severity,
                timeout=timeout,
                markup=markup,
                kind=kind,
            )
            return
        self.toaster.notify(
            message, title=title, severity=severity, timeout=timeout, markup=markup, kind=kind
        )

    def _write_escape(self, sequence: str) -> None:
        """Send a raw escape sequence (a desktop notification) to the terminal."""
        textual_compat.write_to_terminal(self, sequence)

    def persist(self, *, seen: bool = False) -> None:
        """Save the user's choices — tracked jobs, theme, the table's view — if they changed.

        ``seen`` (at exit) also writes what was last seen of each job. A failure is shown,
        never fatal, and loses nothing in memory.
        """
        if self.keeper is None:
            return
        try:
            view = self.main.table.view
            self.keeper.save(self.engine.tracker, theme=self.saved_theme, view=view, seen=seen)
        except Exception as error:
            log.exception("could not save the state file")
            self.notify(str(error), title="State not saved", severity="error", timeout=15)

    def _save_seen_soon(self) -> None:
        """After a poll: if a minute has passed, write the last-seen table from a thread."""
        if self.keeper is None:
            return
        seen = self.keeper.seen_due(self.engine.tracker, self.clock())
        if seen is not None:
            self.run_worker(
                partial(self._save_seen, seen),
                name="save last-seen",
                group="state",
                thread=True,
                exit_on_error=False,
            )

    def _save_seen(self, seen: dict[SeenKey, LastSeen]) -> None:
        """In a thread: the write takes the state file's lock and merges (see StateKeeper)."""
        assert self.keeper is not None
        try:
            self.keeper.save_seen(seen)
        except Exception as error:
            log.exception("could not save the last-seen state")
            with contextlib.suppress(RuntimeError):  # the app closed meanwhile
                self.call_from_thread(
                    self.notify, str(error), title="State not saved", severity="error", timeout=15
                )

    def _engine_event(self, event: PollDone | QueueDone) -> None:
        """Engine listener: turn events into messages; handlers do the widget work."""
        message = Polled(event) if isinstance(event, PollDone) else Queued(event)
        self.main.post_message(message)
        if isinstance(event, PollDone):
            self._save_seen_soon()

    def _every_second(self) -> None:
        # A timer callback that raises would end the app: the tick is @contained.
        self.main.tick()
        if isinstance(self.screen, DetailsScreen):
            self.screen.refresh_details()  # the details of a running job move too
        elif isinstance(self.screen, WallScreen):
            self.screen.tick()  # its clock and the accounts' health

    def _fatal_error(self) -> None:
        """One sentence and the log's path instead of Textual's traceback (whose locals could
        hold a secret); the traceback itself goes to the log."""
        error = textual_compat.unhandled_exception(self)
        log.error("fatal error", exc_info=error)
        where = f"; details in {self.log_path}" if self.log_path else ""
        sentence = f"cfdash stopped: unexpected error: {type(error).__name__}{where}"
        self.panic(Text(sentence))

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

    def _allowed(self, action: str) -> bool:
        """Whether the dashboard offers ``action`` now (queueing is hidden when read-only)."""
        return bool(self.main.check_action(action, ()))

    def help_rows(self) -> list[tuple[str, str]]:
        """Each of cfdash's own keys (from :mod:`cfdash.keys`) with the keys now bound to it."""
        return bindings.help_rows(self, self.settings.keymap, self._allowed)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Every dashboard action in the palette too, named as in the footer and help; of
        Textual's own, those that mean something here; no title twice."""
        commands: list[SystemCommand] = []
        if screen is self.main:  # first, so "Quit (ctrl+q)" wins over Textual's keyless "Quit"
            commands += bindings.palette_commands(
                self, self.settings.keymap, self._allowed, self.main.run_action
            )
        commands += [
            command
            for command in super().get_system_commands(screen)
            if command.title not in _PALETTE_NOISE
        ]
        unique: dict[str, SystemCommand] = {}
        for command in commands:
            unique.setdefault(command.title, command)  # the first of a title wins
        yield from unique.values()

    def get_key_display(self, binding: Binding) -> str:
        """Keys written one way in the footer, the help and the palette: ``ctrl+a``, ``?``."""
        return binding.key_display or key_display(binding.key)

    def on_key(self, event: events.Key) -> None:
        """A key that would change something, pressed in read-only mode, says why it did
        nothing (its binding is off there, so the key reaches the app unhandled)."""
        if self.screen is not self.main or not self.engine.read_only:
            return
        force = keys_in_force(self.settings.keymap)
        for binding in in_scope("main"):
            if binding.action in WRITES and event.key in force[binding.id]:
                self.notify(READ_ONLY_REPLY, title=binding.description, timeout=2)
                return

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
