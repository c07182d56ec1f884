"""The command line: argument parsing, and ``build_app``, the one factory tests reuse.

Common options (``--config``, ``--read-only``, ``--theme``, ``--demo``, ``--log-level``) are
accepted before or after a subcommand. Expected errors print one sentence and exit non-zero;
no traceback reaches the user. Textual is imported only by the commands that show a screen.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

from cfdash import __version__

if TYPE_CHECKING:
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
    sim.add_argument("--speed", type=float, default=None, help="sim seconds per second")
    sim.add_argument("--accounts", type=int, default=3)
    sim.add_argument("--jobs", type=int, default=12)
    sim.add_argument("--public", action="store_true", help="allow a non-loopback --host")

    config = commands.add_parser("config", help="config file tools")
    _common(config, suppress=True)
    config_commands = config.add_subparsers(dest="config_command", metavar="ACTION")
    check = config_commands.add_parser("check", help="validate the config file")
    _common(check, suppress=True)
    return parser


def build_app(
    settings: Settings,
    *,
    demo: bool = False,
    store: StateStore | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    clock: Callable[[], float] = time.time,
    poll: bool = True,
    tick: bool = True,
) -> CfdashApp:
    """The dashboard for ``settings``: engine, tracked jobs from config + state, persistence."""
    from cfdash.config import State
    from cfdash.engine.session import build_engine, state_from_tracker
    from cfdash.tui.app import CfdashApp

    notices = list(settings.warnings)
    state = State()
    if store is not None:
        state = store.load()
        if store.recovery_message:
            notices.append(store.recovery_message)
    engine = build_engine(settings, state, transport=transport, clock=clock)

    def persist() -> None:
        nonlocal state
        if store is not None:
            state = state_from_tracker(engine.tracker, settings, state)
            store.save(state)

    return CfdashApp(
        engine,
        clock=clock,
        demo=demo,
        poll=poll,
        tick=tick,
        keymap=settings.keymap,
        persist=persist,
        notices=tuple(notices),
    )


def _error(message: str, code: int = EXIT_USAGE) -> int:
    print(f"cfdash: {message}", file=sys.stderr)
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
    app = build_app(settings, store=StateStore(state_path()))
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
            app = build_app(settings, demo=True, store=store)
            app.run()
    finally:
        thread.stop()
    return app.return_code or EXIT_OK


def _run_sim(args: argparse.Namespace) -> int:
    from cfdash.sim.cli import run_sim

    return run_sim(
        host=args.host,
        port=args.port,
        seed=args.seed,
        speed=args.speed,
        accounts=args.accounts,
        jobs=args.jobs,
        allow_public=args.public,
    )


def _run_config(args: argparse.Namespace) -> int:
    from cfdash.config import check_config, paths

    if args.config_command != "check":
        return _error("say what to do with the config: cfdash config check")
    code, text = check_config(paths.discover_config_path(args.config))
    print(text, file=sys.stdout if code == EXIT_OK else sys.stderr)
    return code


def main(argv: Sequence[str] | None = None) -> int:
    from cfdash.config import ConfigError, ConfigNotFound, StateError, log_dir
    from cfdash.logs import setup_logging

    args = build_parser().parse_args(argv)
    command = args.command
    log_path = None
    if command != "config":
        log_path = setup_logging(log_dir(), args.log_level)
    try:
        if command == "sim":
            return _run_sim(args)
        if command == "config":
            return _run_config(args)
        return _run_dashboard(args)
    except ConfigNotFound as missing:
        return _error(f"{missing} — or run `cfdash --demo` to try it on the built-in simulator.")
    except (ConfigError, StateError) as error:
        return _error(str(error))
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # the last line of defence: one sentence, and where to look
        import logging

        logging.getLogger("cfdash").exception("fatal error")
        where = f"; details in {log_path}" if log_path else ""
        return _error(f"unexpected error: {type(error).__name__}: {error}{where}", EXIT_FAILED)


if __name__ == "__main__":
    raise SystemExit(main())
