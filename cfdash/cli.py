"""The command line: argument parsing, and ``build_app``, the one factory tests reuse.

Common options (``--config``, ``--read-only``, ``--theme``, ``--demo``, ``--log-level``) are
accepted before or after a subcommand. Expected errors print one sentence and exit non-zero;
no traceback reaches the user. Textual is imported only by the commands that show a screen:
``status``, ``queue`` and ``watch`` live in :mod:`cfdash.headless` and run without it.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from cfdash import __version__

if TYPE_CHECKING:
    import httpx

    from cfdash.config import Settings, StateStore
    from cfdash.tui.app import CfdashApp

__all__ = ["build_app", "build_parser", "main"]

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _common(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    """Options every command takes; subcommands suppress defaults so either position works."""
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument("--config", metavar="PATH", default=default, help="config file")
    parser.add_argument(
        "--read-only",
        action="store_true",
        default=argparse.SUPPRESS if suppress else False,
        help="no queueing, adding or removing jobs",
    )
    parser.add_argument("--theme", metavar="NAME", default=default, help="colour theme")
    parser.add_argument(
        "--demo",
        action="store_true",
        default=argparse.SUPPRESS if suppress else False,
        help="run against a built-in simulator with demo accounts",
    )
    parser.add_argument(
        "--log-level",
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        type=str.upper,
        default=argparse.SUPPRESS if suppress else "INFO",
        help="log file detail",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cfdash",
        description="A terminal dashboard for Multiplay Clanforge image-install jobs.",
    )
    parser.add_argument("--version", action="version", version=f"cfdash {__version__}")
    _common(parser, suppress=False)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    sim = commands.add_parser("sim", help="run the Clanforge simulator alone")
    _common(sim, suppress=True)
    sim.add_argument("--host", default="127.0.0.1")
    sim.add_argument("--port", type=int, default=8642)
    sim.add_argument("--seed", type=int, default=0)
    sim.add_argument(
        "--speed", type=float, default=None, help="service seconds per second (default: the demo's)"
    )
    sim.add_argument("--accounts", type=int, default=3)
    sim.add_argument("--jobs", type=int, default=12)
    sim.add_argument("--public", action="store_true", help="allow a non-loopback --host")

    config = commands.add_parser("config", help="config file tools")
    _common(config, suppress=True)
    config_commands = config.add_subparsers(dest="config_command", metavar="ACTION")
    check = config_commands.add_parser("check", help="validate the config file")
    _common(check, suppress=True)
    _headless_commands(commands)
    return parser


def _job_id(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a job id (a positive number)")
    return value


def _headless_commands(commands: argparse._SubParsersAction) -> None:
    """``status``, ``queue``, ``watch`` and ``serve``: the engine without the screen."""
    status = commands.add_parser("status", help="one refresh, printed as a table or JSON")
    _common(status, suppress=True)
    status.add_argument("--json", action="store_true", help="print JSON instead of a table")
    status.add_argument("--account", metavar="NAME", help="only this account")

    queue = commands.add_parser("queue", help="queue jobs of one account and print each result")
    _common(queue, suppress=True)
    queue.add_argument("jobids", nargs="*", type=_job_id, metavar="JOBID")
    queue.add_argument("--account", metavar="NAME", required=True)
    queue.add_argument(
        "--mirroring",
        choices=["true", "false", "auto"],
        default="auto",
        help="the flag to send (auto: as the status list says)",
    )
    queue.add_argument("--failed", action="store_true", help="every failed job of the account")

    watch = commands.add_parser("watch", help="follow jobs until they finish")
    _common(watch, suppress=True)
    watch.add_argument("jobids", nargs="+", type=_job_id, metavar="JOBID")
    watch.add_argument("--account", metavar="NAME", help="the account the jobs belong to")
    watch.add_argument("--interval", type=float, metavar="S", help="seconds between polls")
    watch.add_argument(
        "--exit-status",
        action="store_true",
        help="exit 0 all completed, 1 any failed, 2 any squashed, 3 API trouble",
    )

    serve = commands.add_parser("serve", help="the dashboard in a browser (textual-serve)")
    _common(serve, suppress=True)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--public", action="store_true", help="allow a non-loopback --host")


def build_app(
    settings: Settings,
    *,
    demo: bool = False,
    store: StateStore | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    clock: Callable[[], float] = time.time,
    poll: bool = True,
    tick: bool = True,
    theme: str | None = None,
    themes_dir: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> CfdashApp:
    """The dashboard for ``settings``: engine, tracked jobs from config + state, persistence.

    ``theme`` is this run's ``--theme``, passed apart from ``settings.theme`` because it
    outranks the state file's last choice while the config's line does not (the order is in
    :func:`cfdash.tui.themes.choose_theme`).  ``themes_dir`` is the user's theme folder and
    ``environ`` where ``NO_COLOR`` is read; tests pass both.  Raises
    :class:`~cfdash.tui.themes.UnknownTheme` (a ``ConfigError``: one sentence, exit 2) for a
    theme name that matches no theme, before anything starts.
    """
    import dataclasses
    import os

    from cfdash.config import State, user_themes_dir
    from cfdash.config.loader import keymap_problems
    from cfdash.engine.events import EventLog
    from cfdash.engine.monitor import Monitor
    from cfdash.engine.session import build_engine, state_from_tracker
    from cfdash.engine.stalls import StallDetector
    from cfdash.keys import usable_keymap
    from cfdash.tui.app import CfdashApp
    from cfdash.tui.themes import choose_theme, load_themes

    notices = list(settings.warnings)
    state = State()
    if store is not None:
        state = store.load()
        if store.recovery_message:
            notices.append(store.recovery_message)
    user_dir = user_themes_dir() if themes_dir is None else themes_dir
    themes = load_themes(user_dir)
    choice = choose_theme(
        themes,
        explicit=theme,
        saved=state.theme,
        configured=settings.theme,
        config_path=settings.path,
        no_color=bool((os.environ if environ is None else environ).get("NO_COLOR")),
        user_dir=user_dir,
    )
    # One notice for everything about themes, one for the keymap (config check lists the same).
    notices += ["\n".join(filter(None, [themes.notice(), *choice.notices]))]
    keymap_trouble = keymap_problems(settings.path or Path("config"), settings.keymap)
    if keymap_trouble:
        lines = [str(problem) for problem in keymap_trouble]
        notices.append("\n".join([*lines, "Those keys keep their default bindings."]))
    engine = build_engine(settings, state, transport=transport, clock=clock)

    def persist() -> None:
        nonlocal state
        if store is not None:
            new = state_from_tracker(engine.tracker, settings, state)
            new = dataclasses.replace(new, theme=app.saved_theme)
            # Polls that bring in track_all rows call this too: write (and fsync) only when
            # what the file holds would actually change.
            if new != state:
                store.save(new)
            state = new

    monitor = Monitor(
        StallDetector.from_settings(settings),
        EventLog(store.path.parent / "events.jsonl") if store is not None else None,
    )
    monitor.prime(engine.tracker)
    app = CfdashApp(
        engine,
        monitor=monitor,
        alert_methods={
            name: account.notify or settings.notify for name, account in settings.accounts.items()
        },
        clock=clock,
        demo=demo,
        poll=poll,
        tick=tick,
        keymap=usable_keymap(settings.keymap),
        persist=persist,
        notices=tuple(notice for notice in notices if notice),
        themes=tuple(themes.themes.values()),
        theme=choice.name,
        saved_theme=state.theme,
    )
    return app


def _error(message: str, code: int = EXIT_USAGE) -> int:
    from cfdash.redact import redact

    print(f"cfdash: {redact(message)}", file=sys.stderr)
    return code


def _load(args: argparse.Namespace) -> Settings:
    from cfdash.config import load_settings, paths

    settings = load_settings(paths.discover_config_path(args.config))
    return settings.with_overrides(read_only=args.read_only or None, theme=args.theme)


def _run_dashboard(args: argparse.Namespace) -> int:
    from cfdash.config import StateStore, state_path

    if args.demo:
        return _run_demo(args)
    settings = _load(args)
    app = build_app(settings, store=StateStore(state_path()), theme=args.theme)
    app.run()
    return app.return_code or EXIT_OK


def _run_demo(args: argparse.Namespace) -> int:
    from cfdash.config import StateStore
    from cfdash.demo import demo_settings
    from cfdash.sim import SimThread, build_demo

    sim = build_demo()
    thread = SimThread(sim)
    base_url = thread.start()
    try:
        settings = demo_settings(base_url).with_overrides(
            read_only=args.read_only or None, theme=args.theme
        )
        with tempfile.TemporaryDirectory(prefix="cfdash-demo-") as state_dir:
            store = StateStore(Path(state_dir) / "state.toml")
            app = build_app(settings, demo=True, store=store, theme=args.theme)
            app.run()
    finally:
        thread.stop()
    return app.return_code or EXIT_OK


def _run_sim(args: argparse.Namespace) -> int:
    from cfdash.sim.cli import run_sim
    from cfdash.sim.demo import DEMO_SPEED

    return run_sim(
        host=args.host,
        port=args.port,
        seed=args.seed,
        speed=DEMO_SPEED if args.speed is None else args.speed,
        accounts=args.accounts,
        jobs=args.jobs,
        allow_public=args.public,
    )


def _run_config(args: argparse.Namespace) -> int:
    from cfdash.config import check_config, paths

    if args.config_command != "check":
        return _error("say what to do with the config: cfdash config check")
    from cfdash.tui.themes import theme_names  # no Textual: it only reads names

    user_dir = paths.user_themes_dir()
    code, text = check_config(
        paths.discover_config_path(args.config), themes=theme_names(user_dir), themes_dir=user_dir
    )
    print(text, file=sys.stdout if code == EXIT_OK else sys.stderr)
    return code


def _run_headless(args: argparse.Namespace) -> int:
    import asyncio

    from cfdash.headless import headless_settings, run_queue, run_status, run_watch

    with headless_settings(args.config, demo=args.demo, read_only=args.read_only) as (
        settings,
        state,
    ):
        if args.command == "status":
            return asyncio.run(
                run_status(settings, state=state, account=args.account, as_json=args.json)
            )
        if args.command == "queue":
            return asyncio.run(
                run_queue(
                    settings,
                    args.account,
                    args.jobids,
                    mirroring=args.mirroring,
                    failed=args.failed,
                    state=state,
                )
            )
        return asyncio.run(
            run_watch(
                settings,
                args.jobids,
                account=args.account,
                interval=args.interval,
                exit_with_status=args.exit_status,
                state=state,
            )
        )


def _run_serve(args: argparse.Namespace) -> int:
    from cfdash.headless import check_host, run_serve, serve_command

    check_host(args.host, args.public)
    if not args.demo:
        _load(args)  # a config mistake is reported here once, not in every browser session
    command = serve_command(
        config=args.config, demo=args.demo, read_only=args.read_only, theme=args.theme
    )
    return run_serve(args.host, args.port, command, public=args.public)


def main(argv: Sequence[str] | None = None) -> int:
    # Parse first: --version and --help answer before anything heavy is imported.
    args = build_parser().parse_args(argv)

    from cfdash import startup

    startup.pause()  # resumed once the dashboard is on screen, or below for other commands
    from cfdash.config import ConfigError, ConfigNotFound, StateError, log_dir
    from cfdash.headless.common import HeadlessError
    from cfdash.logs import setup_logging

    command = args.command
    log_path = None
    if command != "config":
        log_path = setup_logging(log_dir(), args.log_level)
    if command is not None:  # the dashboard resumes collection itself, after its first frame
        startup.resume()
    try:
        if command == "sim":
            return _run_sim(args)
        if command == "config":
            return _run_config(args)
        if command in ("status", "queue", "watch"):
            return _run_headless(args)
        if command == "serve":
            return _run_serve(args)
        return _run_dashboard(args)
    except HeadlessError as error:
        return _error(str(error), error.code)
    except ConfigNotFound as missing:  # its sentence already suggests cfdash --demo
        return _error(str(missing))
    except (ConfigError, StateError) as error:
        return _error(str(error))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `cfdash status | head`: the reader left; say nothing more
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_FAILED
    except Exception as error:  # the last line of defence: one sentence, and where to look
        import logging

        if log_path is not None:  # else logging's last resort would print the traceback
            logging.getLogger("cfdash").exception("fatal error")
        where = f"; details in {log_path}" if log_path else ""
        return _error(f"unexpected error: {type(error).__name__}: {error}{where}", EXIT_FAILED)


if __name__ == "__main__":
    raise SystemExit(main())
