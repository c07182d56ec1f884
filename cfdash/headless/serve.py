"""``cfdash serve``: the dashboard in a browser, through textual-serve, behind a token.

textual-serve starts one dashboard process per browser session by running a command line
through a shell. The command is built from ``sys.executable`` (so it is this cfdash, in this
environment, whatever ``PATH`` says) and shell-quoted (a config path may hold spaces).

textual-serve has no access control, so :class:`GuardedServer` adds it where textual-serve
builds its aiohttp application (the rules are in :mod:`cfdash.headless.serve_guard`): a random
token in the printed URL, an origin check on the websocket, and a cap on sessions. Browser
sessions are read-only unless ``--allow-queue`` says otherwise, and listening beyond loopback
takes an explicit ``--public``.
"""

from __future__ import annotations

import errno
import secrets
import shlex
import socket
import sys
from pathlib import Path
from typing import Any, TextIO

from cfdash.config.schema import is_loopback_host
from cfdash.headless.common import EXIT_OK, HeadlessError

__all__ = ["ServeOptions", "check_host", "run_serve", "serve_command", "served_url"]


def serve_command(
    *,
    config: str | None = None,
    demo: bool = False,
    read_only: bool = False,
    theme: str | None = None,
    python: str = sys.executable,
) -> str:
    """The shell command textual-serve runs for each session: ``python -m cfdash ...``."""
    argv = [python, "-m", "cfdash"]
    if config:
        # The sessions' working directory is not promised: pass an absolute path.
        argv += ["--config", str(Path(config).expanduser().absolute())]
    if demo:
        argv.append("--demo")
    if read_only:
        argv.append("--read-only")
    if theme:
        argv += ["--theme", theme]
    return shlex.join(argv)


def check_host(host: str, public: bool) -> None:
    """Refuse a non-loopback ``host`` unless ``--public`` says it is meant."""
    if not public and not is_loopback_host(host.strip("[]")):
        raise HeadlessError(
            f"refusing to serve the dashboard on {host}, which other machines can reach; "
            "add --public if that is intended"
        )


class ServeOptions:
    """What one ``cfdash serve`` run was asked for (the command line, validated)."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 8000,
        *,
        public: bool = False,
        public_url: str | None = None,
        max_sessions: int = 4,
        read_only: bool = True,
        token: str | None = None,
    ) -> None:
        from cfdash.headless.serve_guard import origin_of

        check_host(host, public)
        if not 0 < port <= 65535:
            raise HeadlessError(f"port {port} is not between 1 and 65535")
        if max_sessions < 1:
            raise HeadlessError(f"--max-sessions must be at least 1, not {max_sessions}")
        if public_url is not None and origin_of(public_url) is None:
            raise HeadlessError(
                f"--public-url {public_url!r} is not an http:// or https:// URL with a host"
            )
        self.host, self.port, self.public = host, port, public
        self.public_url = public_url.rstrip("/") if public_url else None
        self.max_sessions = max_sessions
        self.read_only = read_only
        #: The access token; printed once in the URL, never logged.
        self.token = token or secrets.token_urlsafe(24)


def served_url(options: ServeOptions) -> str:
    """The address to open, token included: the public URL, else ``http://host:port``."""
    if options.public_url:
        base = options.public_url
    else:
        host = f"[{options.host}]" if ":" in options.host else options.host
        base = f"http://{host}:{options.port}"
    return f"{base}/?token={options.token}"


def build_server(command: str, options: ServeOptions, out: TextIO = sys.stdout) -> Any:
    """A textual-serve server with the guard in front (textual-serve is imported here)."""
    from cfdash.headless.serve_guard import Guard, GuardedServer, origin_of

    guard = Guard(
        token=options.token,
        max_sessions=options.max_sessions,
        loopback_only=not options.public,
        public_origin=origin_of(options.public_url) if options.public_url else None,
    )
    mode = "read-only" if options.read_only else "queueing allowed"

    def announce() -> None:
        print(f"cfdash serve: open {served_url(options)}", file=out)
        hint = " (start with --allow-queue to queue)" if options.read_only else ""
        print(
            f"Browser sessions are {mode}{hint}; at most {options.max_sessions} at once. "
            "Ctrl+C stops.",
            file=out,
            flush=True,
        )

    return GuardedServer(
        command,
        guard=guard,
        host=options.host,
        port=options.port,
        public_url=options.public_url,
        title=f"cfdash ({mode})",
        announce=announce,
    )


def _check_port_free(host: str, port: int) -> None:
    """Refuse a port another program listens on, in one sentence (not an OSError)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host.strip("[]"), port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise HeadlessError(f"port {port} is in use") from None
            raise HeadlessError(f"could not serve on {host}:{port}: {error.strerror}") from None


def run_serve(command: str, options: ServeOptions) -> int:
    """Serve ``command`` behind the guard until Ctrl-C."""
    _check_port_free(options.host, options.port)  # before the URL is printed
    server = build_server(command, options)
    try:
        server.serve()
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            raise HeadlessError(f"port {options.port} is in use") from None
        raise HeadlessError(f"could not serve on {options.host}:{options.port}: {error}") from None
    return EXIT_OK
