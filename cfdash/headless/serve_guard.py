"""The door in front of ``cfdash serve``: a token, an origin check and a session cap.

textual-serve has no authentication of its own: any page in the user's browser could open its
websocket and type into a dashboard that holds production keys (a cross-site request needs no
password when the server trusts every origin). So every request but the static assets must
carry the access token that ``cfdash serve`` printed — in the query string (``?token=``) or in
the cookie the page sets — and the websocket must come from the page's own origin.

The checks, in order, and why each one exists:

1. **Host** (loopback serving only): the ``Host`` header must name a loopback host. A page whose
   DNS name re-binds to 127.0.0.1 passes the origin check (its origin *is* the host it asked
   for), but not this one.
2. **Token**: compared in constant time. Without it the page and the websocket answer 401.
3. **Origin** (websocket only): it must be the origin the request was made to (``Host``), or
   the ``--public-url`` origin behind a TLS proxy. Browsers always send ``Origin`` with a
   websocket, so a missing one is a script, which the token alone admits.
4. **Cap**: each websocket runs its own dashboard process, so at most ``max_sessions`` run at
   once; one more gets a page (or 503) saying the limit is reached.

Everything here is plain aiohttp, so the rules are tested without starting a dashboard.
"""

from __future__ import annotations

import hmac
import html
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import aiohttp_jinja2
from aiohttp import web
from textual_serve.server import Server

from cfdash.config.schema import is_loopback_host

__all__ = ["TOKEN_COOKIE", "Guard", "GuardedServer", "origin_of"]

#: The cookie the page sets, so the page's own websocket carries the token without the URL.
TOKEN_COOKIE = "cfdash_serve_token"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}


def origin_of(url: str) -> str | None:
    """``scheme://host:port`` of ``url``, lower-cased with the default port made explicit."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if not parts.hostname or scheme not in _DEFAULT_PORTS:
        return None
    scheme = {"ws": "http", "wss": "https"}.get(scheme, scheme)
    host = parts.hostname.lower()
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    return f"{scheme}://{host}:{port or _DEFAULT_PORTS[scheme]}"


def _page(status: int, title: str, body: str) -> web.Response:
    """A small HTML page: what went wrong and what to do, in the browser that asked."""
    text = (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<title>cfdash: {html.escape(title)}</title></head>"
        "<body style='font-family: monospace; background: #0c181f; color: #e8eef2; "
        "padding: 2em'>"
        f"<h1>{html.escape(title)}</h1><p>{html.escape(body)}</p></body></html>"
    )
    return web.Response(status=status, text=text, content_type="text/html")


@dataclass
class Guard:
    """The access rules of one ``cfdash serve`` run, applied as aiohttp middleware."""

    token: str
    max_sessions: int = 4
    #: True when serving on loopback without ``--public``: ``Host`` must be a loopback name.
    loopback_only: bool = True
    #: The origin a reverse proxy presents (``--public-url``), accepted beside ``Host``'s.
    public_origin: str | None = None
    sessions: int = field(default=0, init=False)

    # -- the checks -------------------------------------------------------------------------

    def host_ok(self, request: web.Request) -> bool:
        """When serving loopback only, the request must be addressed to a loopback name."""
        if not self.loopback_only:
            return True
        hostname = urlsplit(f"//{request.host}").hostname or ""
        if self.public_origin is not None and hostname == urlsplit(self.public_origin).hostname:
            return True  # a reverse proxy that passes the public Host through
        return hostname == "localhost" or is_loopback_host(hostname)

    def presented_token(self, request: web.Request) -> str:
        """The token in the query string, else in the page's cookie."""
        return request.query.get("token") or request.cookies.get(TOKEN_COOKIE, "")

    def token_ok(self, request: web.Request) -> bool:
        presented = self.presented_token(request)
        return bool(presented) and hmac.compare_digest(
            presented.encode("utf-8", "replace"), self.token.encode()
        )

    def origin_ok(self, request: web.Request) -> bool:
        """A websocket's ``Origin`` must be the page's: ``Host``, or the public URL's."""
        origin = request.headers.get("Origin")
        if origin is None:
            return True  # not a browser (browsers always send it); the token admitted it
        presented = origin_of(origin)
        if presented is None:
            return False
        if self.public_origin is not None and presented == self.public_origin:
            return True
        scheme = "https" if presented.startswith("https:") else "http"
        return presented == origin_of(f"{scheme}://{request.host}")

    # -- the middleware ---------------------------------------------------------------------

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path.startswith("/static/"):
            return await handler(request)  # fonts, scripts and styles carry nothing of ours
        request = _mend_query(request)
        if not self.host_ok(request):
            return _page(
                403,
                "Unexpected host",
                "This dashboard answers only on 127.0.0.1 or localhost. Open the address "
                "that cfdash serve printed.",
            )
        if not self.token_ok(request):
            return _page(
                401,
                "Access token needed",
                "Open the address that cfdash serve printed; it ends in ?token=…",
            )
        if request.path == "/ws":
            return await self._websocket(request, handler)
        if request.path == "/" and self.sessions >= self.max_sessions:
            return self._full()
        response = await handler(request)
        if request.path == "/":
            response.set_cookie(
                TOKEN_COOKIE,
                self.token,
                httponly=True,
                samesite="Strict",
                secure=request.secure,
                path="/",
            )
            response.headers["Cache-Control"] = "no-store"
            response.headers["Referrer-Policy"] = "no-referrer"
        return response

    async def _websocket(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if not self.origin_ok(request):
            return _page(
                403,
                "Foreign origin",
                "The dashboard's websocket answers only its own page.",
            )
        if self.sessions >= self.max_sessions:
            return self._full()
        self.sessions += 1
        try:
            return await handler(request)
        finally:
            self.sessions -= 1

    def _full(self) -> web.Response:
        return _page(
            503,
            "Session limit reached",
            f"All {self.max_sessions} dashboard sessions are in use. Close another tab "
            "showing this dashboard and reload, or restart cfdash serve with a larger "
            "--max-sessions.",
        )


def _mend_query(request: web.Request) -> web.Request:
    """Undo textual-serve's page script appending ``?width=…`` to a URL that has a query.

    The script builds ``<websocket url>?width=W&height=H``; with the token already in the URL
    that reads ``?token=T?width=W``. Tokens never hold ``?``, so the second one is a separator.
    """
    query = request.query_string
    if "?" not in query:
        return request
    return request.clone(rel_url=request.rel_url.with_query(query.replace("?", "&")))


class GuardedServer(Server):
    """textual-serve's server with a :class:`Guard` in front and quiet, local logging.

    Checked against textual-serve 1.1.3: ``_make_app`` is where it builds its aiohttp
    application, ``handle_index`` renders ``app_index.html`` and its page script appends
    ``?width=…&height=…`` to the websocket URL it is given.
    """

    def __init__(
        self,
        command: str,
        *,
        guard: Guard,
        host: str,
        port: int,
        public_url: str | None,
        title: str,
        announce: Callable[[], None],
    ) -> None:
        super().__init__(command, host=host, port=port, title=title, public_url=public_url)
        self.guard = guard
        self.given_public_url = public_url
        self.announce = announce

    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        app.middlewares.append(self.guard.middleware)
        return app

    async def handle_index(self, request: web.Request) -> web.StreamResponse:
        """The page, with a websocket URL on the address the browser used, token included.

        textual-serve builds it from ``--host``, so a page opened as ``localhost`` would
        open its websocket on ``127.0.0.1``: another origin, which the guard refuses.
        """
        base = self.given_public_url or f"{request.scheme}://{request.host}"
        scheme = "wss" if base.startswith("https") else "ws"
        font_size = request.query.get("fontsize", "16")
        context = {
            "font_size": int(font_size) if font_size.isdigit() else 16,
            "app_websocket_url": f"{scheme}:{base.split(':', 1)[1]}/ws?token={self.guard.token}",
            "config": {"static": {"url": f"{base}/static/"}},
            "application": {"name": self.title},
        }
        return aiohttp_jinja2.render_template("app_index.html", request, context)

    def initialize_logging(self) -> None:
        # textual-serve's handler prints tracebacks with their locals and the access log
        # prints query strings: either would show the token. Warnings only, plainly.
        logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
        logging.getLogger("textual-serve").setLevel(logging.WARNING)

    async def on_startup(self, app: web.Application) -> None:
        self.announce()
