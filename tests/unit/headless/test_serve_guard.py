"""The guard in front of ``cfdash serve``: token, host, origin and the session cap.

Each test talks to the guarded textual-serve application over real HTTP on 127.0.0.1. The
sessions run a tiny stand-in process (it exits at the first byte textual-serve sends it, the
"quit" on close), so the rules are tested without starting dashboards; the live test beside
this file drives real ones.
"""

from __future__ import annotations

import asyncio
import io
import shlex
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass

import aiohttp
import pytest
from aiohttp import web

from cfdash.headless.serve import ServeOptions, build_server, served_url
from cfdash.headless.serve_guard import TOKEN_COOKIE, origin_of

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX process handling")

STAND_IN = shlex.join([sys.executable, "-c", "import sys; sys.stdin.buffer.read(1)"])
TOKEN = "t0ken-for-tests_only"


@dataclass
class Guarded:
    base: str
    options: ServeOptions
    server: object
    announced: str

    @property
    def guard(self):
        return self.server.guard

    def ws_url(self, query: str = "") -> str:
        return self.base.replace("http:", "ws:") + "/ws" + query


async def start(**options) -> tuple[Guarded, web.AppRunner]:
    out = io.StringIO()
    opts = ServeOptions(port=8000, token=TOKEN, **options)
    server = build_server(STAND_IN, opts, out=out)
    app = await server._make_app()
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    return Guarded(f"http://127.0.0.1:{port}", opts, server, out.getvalue()), runner


async def finish(served: Guarded, runner: web.AppRunner) -> None:
    """Let every session's stand-in process end before the server goes."""
    for _ in range(200):
        if served.guard.sessions == 0:
            break
        await asyncio.sleep(0.05)
    await runner.cleanup()


@pytest.fixture
async def guarded() -> AsyncIterator[Guarded]:
    served, runner = await start()
    yield served
    await finish(served, runner)


async def get(url: str, **headers: str) -> tuple[int, str, dict[str, str]]:
    """Status, body and headers of one GET."""
    async with aiohttp.ClientSession() as session, session.get(url, headers=headers) as response:
        return response.status, await response.text(), dict(response.headers)


async def ws_status(url: str, **headers: str) -> int:
    """The HTTP status the websocket handshake got (101 when it opened)."""
    async with aiohttp.ClientSession() as session:
        try:
            async with session.ws_connect(url, headers=headers) as ws:
                await ws.close()
                return 101
        except aiohttp.WSServerHandshakeError as error:
            return error.status


def test_the_printed_url_carries_a_fresh_random_token():
    one, two = ServeOptions(), ServeOptions()
    assert one.token != two.token and len(one.token) >= 32
    assert served_url(one) == f"http://127.0.0.1:8000/?token={one.token}"
    proxied = ServeOptions(public_url="https://dash.example.com/", token="abc")
    assert served_url(proxied) == "https://dash.example.com/?token=abc"


def test_startup_announces_the_url_and_the_mode():
    out = io.StringIO()
    server = build_server(STAND_IN, ServeOptions(token=TOKEN), out=out)
    asyncio.run(server.on_startup(None))
    text = out.getvalue()
    assert f"open http://127.0.0.1:8000/?token={TOKEN}" in text
    assert "read-only" in text and "--allow-queue" in text


async def test_the_page_without_a_token_is_401(guarded):
    status, text, _ = await get(guarded.base + "/")
    assert status == 401 and "?token=" in text
    assert (await get(guarded.base + "/?token=wrong"))[0] == 401


async def test_the_page_with_the_token_sets_a_strict_cookie_and_a_tokened_websocket(guarded):
    status, html, headers = await get(f"{guarded.base}/?token={TOKEN}")
    assert status == 200
    cookie = headers["Set-Cookie"]
    assert f'data-session-websocket-url="{guarded.ws_url(f"?token={TOKEN}")}"' in html
    assert "cfdash (read-only)" in html
    assert f"{TOKEN_COOKIE}={TOKEN}" in cookie
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie


@pytest.mark.parametrize("query", ["", "?token=", "?token=wrong", f"?token={TOKEN}x"])
async def test_the_websocket_without_the_right_token_is_refused(guarded, query):
    assert await ws_status(guarded.ws_url(query)) == 401


async def test_the_websocket_opens_with_the_token_in_its_query_or_the_cookie(guarded):
    assert await ws_status(guarded.ws_url(f"?token={TOKEN}")) == 101
    # textual-serve's page script appends "?width=…" to the URL it is given.
    assert await ws_status(guarded.ws_url(f"?token={TOKEN}?width=90&height=20")) == 101
    assert await ws_status(guarded.ws_url(), Cookie=f"{TOKEN_COOKIE}={TOKEN}") == 101
    assert await ws_status(guarded.ws_url(), Cookie=f"{TOKEN_COOKIE}=nope") == 401


@pytest.mark.parametrize(
    "origin",
    ["http://evil.example", "http://evil.example:8000", "null", "https://127.0.0.1", "file://"],
)
async def test_a_foreign_origin_is_refused_even_with_the_token(guarded, origin):
    assert await ws_status(guarded.ws_url(f"?token={TOKEN}"), Origin=origin) == 403


async def test_the_pages_own_origin_is_accepted(guarded):
    assert await ws_status(guarded.ws_url(f"?token={TOKEN}"), Origin=guarded.base) == 101


async def test_a_rebound_host_name_is_refused_on_loopback(guarded):
    # A page at evil.example whose DNS re-binds to 127.0.0.1 sends its own name as Host and
    # Origin; they match each other, so only the Host rule stops it.
    headers = {"Host": "evil.example:8000", "Origin": "http://evil.example:8000"}
    assert await ws_status(guarded.ws_url(f"?token={TOKEN}"), **headers) == 403
    assert (await get(f"{guarded.base}/?token={TOKEN}", **headers))[0] == 403


async def test_behind_a_proxy_the_public_url_origin_is_accepted():
    served, runner = await start(public_url="https://dash.example.com")
    try:
        url = served.ws_url(f"?token={TOKEN}")
        assert await ws_status(url, Origin="https://dash.example.com") == 101
        assert await ws_status(url, Origin="https://dash.example.com:443") == 101
        assert await ws_status(url, Origin="http://dash.example.com") == 403
        # A proxy may pass the public Host through; another name is still refused.
        passed = {"Host": "dash.example.com", "Origin": "https://dash.example.com"}
        assert await ws_status(url, **passed) == 101
        assert await ws_status(url, Host="evil.example", Origin="https://dash.example.com") == 403
        _, html, _ = await get(f"{served.base}/?token={TOKEN}")
        assert f"wss://dash.example.com/ws?token={TOKEN}" in html
    finally:
        await finish(served, runner)


async def test_static_assets_need_no_token(guarded):
    assert (await get(guarded.base + "/static/js/textual.js"))[0] == 200


async def test_one_session_past_the_cap_gets_a_page_saying_so():
    served, runner = await start(max_sessions=2)
    url = served.ws_url(f"?token={TOKEN}")
    try:
        async with aiohttp.ClientSession() as session:
            first = await session.ws_connect(url)
            second = await session.ws_connect(url)
            assert served.guard.sessions == 2
            assert await ws_status(url) == 503
            async with session.get(f"{served.base}/?token={TOKEN}") as response:
                assert response.status == 503
                assert "Session limit reached" in await response.text()
            await first.close()
            for _ in range(200):  # the guard counts the session out once textual-serve is done
                if served.guard.sessions < 2:
                    break
                await asyncio.sleep(0.05)
            assert served.guard.sessions == 1
            assert await ws_status(url) == 101
            await second.close()
    finally:
        await finish(served, runner)


def test_origins_compare_with_default_ports_made_explicit():
    assert origin_of("https://a.example") == origin_of("https://A.example:443/x")
    assert origin_of("http://127.0.0.1:80") == "http://127.0.0.1:80"
    assert origin_of("http://[::1]:8000") == "http://[::1]:8000"
    assert origin_of("null") is None and origin_of("file:///x") is None
    assert origin_of("http://a.example:99999") is None


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"host": "0.0.0.0"}, "add --public"),
        ({"max_sessions": 0}, "--max-sessions must be at least 1"),
        ({"public_url": "dash.example.com"}, "is not an http:// or https:// URL"),
        ({"port": 70000}, "between 1 and 65535"),
    ],
)
def test_bad_serve_options_are_one_sentence(options, message):
    from cfdash.headless.common import HeadlessError

    with pytest.raises(HeadlessError, match=message):
        ServeOptions(**options)


def test_a_port_in_use_is_one_sentence(capsys):
    import socket

    from cfdash.cli import main

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", "--demo", "--port", str(port)]) == 2
    out, err = capsys.readouterr()
    assert err == f"cfdash: port {port} is in use\n"
    assert "token=" not in out  # no URL printed for a server that never started
