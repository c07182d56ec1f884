"""The command line: argument parsing, and running the command asked for.

Common options (``--config``, ``--read-only``, ``--theme``, ``--demo``, ``--log-level``) are
accepted before or after a subcommand. Expected errors print one sentence and exit non-zero;
no traceback reaches the user. Textual is imported only by the commands that show a screen:
``status``, ``queue`` and ``watch`` live in :mod:`cfdash.headless` and run without it.  The
dashboard itself is built by :func:`cfdash.tui.wiring.build_app`, the factory tests reuse.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from cfdash import __version__
from cfdash.safetext import safe_text

if TYPE_CHECKING:
    from cfdash.config import Settings

__all__ = ["build_parser", "main"]

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
    """``status``, ``queue``, ``retry``, ``watch`` and ``serve``: the engine without the screen."""
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
    queue.add_argument(
        "--force", action="store_true", help="queue Queued or Running jobs too (not skipped)"
    )

    retry = commands.add_parser(
        "retry", help="retry failed update or diff jobs of one account and print each result"
    )
    _common(retry, suppress=True)
    retry.add_argument("jobids", nargs="+", type=_job_id, metavar="JOBID")
    retry.add_argument("--account", metavar="NAME", required=True)
    retry.add_argument(
        "--stage",
        choices=["update", "diff", "version"],
        help="the jobs' stage (default: the one each id is tracked as)",
    )

    watch = commands.add_parser("watch", help="follow jobs until they finish")
    _common(watch, suppress=True)
    watch.add_argument("jobids", nargs="+", type=_job_id, metavar="JOBID")
    watch.add_argument("--account", metavar="NAME", help="the account the jobs belong to")
    watch.add_argument(
        "--stage",
        choices=["install", "update", "diff", "version"],
        help="the jobs' stage, where an id is tracked in more than one",
    )
    watch.add_argument("--interval", type=float, metavar="S", help="seconds between polls")
    watch.add_argument(
        "--exit-status",
        action="store_true",
        help="exit 0 all finished, 1 any failed, 2 any reported Squashed, 3 API trouble, "
        "4 a job not found in its account's list",
    )

    serve = commands.add_parser("serve", help="the dashboard in a browser (textual-serve)")
    _common(serve, suppress=True)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--public", action="store_true", help="allow a non-loopback --host")
    serve.add_argument(
        "--public-url",
        metavar="URL",
        help="the address users open, behind a reverse proxy (its origin is accepted)",
    )
    serve.add_argument(
        "--allow-queue",
        action="store_true",
        help="let browser sessions queue jobs (read-only without it)",
    )
    serve.add_argument(
        "--max-sessions", type=int, default=4, metavar="N", help="dashboards at once (4)"
    )


def _error(message: str, code: int = EXIT_USAGE) -> int:
    from cfdash.redact import redact

    print(f"cfdash: {safe_text(redact(message), keep_newlines=True)}", file=sys.stderr)
    return code


def _load(args: argparse.Namespace) -> Settings:
    from cfdash.config import load_settings, paths

    settings = load_settings(paths.discover_config_path(args.config))
    return settings.with_overrides(read_only=args.read_only or None, theme=args.theme)


def _run_dashboard(args: argparse.Namespace) -> int:
    from cfdash.config import StateStore, state_path
    from cfdash.tui.wiring import build_app

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
    from cfdash.tui.wiring import build_app

    sim = build_demo()
    thread = SimThread(sim)
    base_url = thread.start()
    try:
        settings = demo_settings(base_url, pipeline=True).with_overrides(
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

    from cfdash.headless import headless_settings, run_queue, run_retry, run_status, run_watch

    with headless_settings(args.config, demo=args.demo, read_only=args.read_only) as (
        settings,
        state,
    ):
        if args.command == "status":
            return asyncio.run(
                run_status(settings, state=state, account=args.account, as_json=args.json)
            )
        if args.command == "queue":
            from cfdash.engine.audit import AuditLog

            # A demo's requests go to its own simulator: they are not the user's to audit.
            audit = None if args.demo else AuditLog(origin="cfdash queue")
            return asyncio.run(
                run_queue(
                    settings,
                    args.account,
                    args.jobids,
                    mirroring=args.mirroring,
                    failed=args.failed,
                    force=args.force,
                    state=state,
                    audit=audit,
                )
            )
        if args.command == "retry":
            from cfdash.engine.audit import AuditLog

            return asyncio.run(
                run_retry(
                    settings,
                    args.account,
                    args.jobids,
                    stage=args.stage,
                    state=state,
                    audit=None if args.demo else AuditLog(origin="cfdash retry"),
                )
            )
        return asyncio.run(
            run_watch(
                settings,
                args.jobids,
                account=args.account,
                stage=args.stage,
                interval=args.interval,
                exit_with_status=args.exit_status,
                state=state,
            )
        )


def _run_serve(args: argparse.Namespace) -> int:
    from cfdash.headless import ServeOptions, run_serve, serve_command

    options = ServeOptions(
        args.host,
        args.port,
        public=args.public,
        public_url=args.public_url,
        max_sessions=args.max_sessions,
        read_only=args.read_only or not args.allow_queue,
    )
    if not args.demo:
        _load(args)  # a config mistake is reported here once, not in every browser session
    command = serve_command(
        config=args.config, demo=args.demo, read_only=options.read_only, theme=args.theme
    )
    return run_serve(command, options)


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
        if command in ("status", "queue", "retry", "watch"):
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
