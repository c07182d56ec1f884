"""`cfdash serve` for real: the printed URL opens the page, its websocket drives a dashboard.

The dashboard polls a simulator on a thread of this test, so the test can see exactly which
requests the browser session caused: the same keys queue jobs with ``--allow-queue`` and send
nothing without it.
"""

from __future__ import annotations

import asyncio
import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest

from cfdash.sim import SimThread, build_demo, demo_accounts
from cfdash.sim.demo import demo_config_toml

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX process handling")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Serving:
    url: str  # the printed one, token included
    process: subprocess.Popen
    sim: SimThread


@pytest.fixture
def sim() -> Iterator[SimThread]:
    with SimThread(build_demo(seed=3, speed=1.0, accounts=1, jobs=12)) as thread:
        yield thread


def start_serve(tmp_path: Path, sim: SimThread, *extra: str) -> Serving:
    config = tmp_path / "sim.toml"
    config.write_text(demo_config_toml(sim.base_url, demo_accounts(1)))
    config.chmod(0o600)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
    }
    args = ["serve", "--config", str(config), "--port", str(free_port()), *extra]
    process = subprocess.Popen(
        [sys.executable, "-m", "cfdash", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=tmp_path,
        text=True,
    )
    line = process.stdout.readline()  # "cfdash serve: open http://…/?token=…"
    match = re.search(r"open (http://\S+\?token=\S+)", line)
    assert match, f"no URL printed: {line!r} {process.stderr.read() if process.poll() else ''}"
    return Serving(match.group(1), process, sim)


def stop(serving: Serving) -> None:
    serving.process.terminate()
    try:
        serving.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        serving.process.kill()


class Session:
    """One browser-like session: the page, then the websocket the page names."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.received = b""

    async def wait_for(self, text: bytes, timeout: float = 30) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while text not in self.received:
            remaining = deadline - loop.time()
            assert remaining > 0, f"{text!r} never drawn; got {self.received[-300:]!r}"
            message = await self.ws.receive(timeout=remaining)
            if message.type == aiohttp.WSMsgType.BINARY:
                self.received += message.data
            elif message.type == aiohttp.WSMsgType.TEXT:
                self.received += message.data.encode()
            else:
                raise AssertionError(f"websocket closed: {message!r}")

    async def keys(self, *keys: str) -> None:
        for key in keys:
            await self.ws.send_json(["stdin", key])


async def open_session(http: aiohttp.ClientSession, url: str) -> Session:
    for _ in range(100):  # up to ~10 s for the server to listen
        try:
            async with http.get(url) as response:
                html = await response.text()
                break
        except aiohttp.ClientConnectionError:
            await asyncio.sleep(0.1)
    else:
        raise AssertionError("the page never answered")
    assert response.status == 200
    websocket = re.search(r'data-session-websocket-url="([^"]+)"', html).group(1)
    origin = url.split("/?", 1)[0]
    ws = await http.ws_connect(f"{websocket}?width=120&height=30", headers={"Origin": origin})
    return Session(ws)


async def mark_all_and_queue(session: Session) -> None:
    await session.wait_for(b"5551001")  # rows are on screen
    await session.keys("\x01", "q")  # ctrl+a marks every job, q asks to queue them
    await session.keys("y")  # read-only: nothing asks; with --allow-queue: confirms
    await session.keys("?")  # help: drawn only once every key before it was handled
    await session.wait_for(b"esc closes this help")


async def test_a_browser_session_is_read_only_by_default(tmp_path, sim):
    serving = start_serve(tmp_path, sim)
    try:
        async with aiohttp.ClientSession() as http:
            session = await open_session(http, serving.url)
            await session.wait_for(b"READ-ONLY")
            await mark_all_and_queue(session)
            await session.ws.close()
        assert sim.call(lambda: sim.sim.requests.count("status")) > 0
        assert sim.call(lambda: sim.sim.requests.queue_calls) == []
    finally:
        stop(serving)


async def test_allow_queue_lets_the_same_keys_queue(tmp_path, sim):
    serving = start_serve(tmp_path, sim, "--allow-queue")
    try:
        async with aiohttp.ClientSession() as http:
            session = await open_session(http, serving.url)
            await session.wait_for(b"5551001")
            await session.keys("\x01", "q")
            await session.wait_for(b"(y)")  # the confirm dialog's button
            await session.keys("y")
            for _ in range(200):
                if sim.call(lambda: sim.sim.requests.queue_calls):
                    break
                await asyncio.sleep(0.05)
            await session.ws.close()
        assert sim.call(lambda: len(sim.sim.requests.queue_calls)) > 0
        assert b"READ-ONLY" not in session.received
    finally:
        stop(serving)


async def test_without_the_token_nothing_starts(tmp_path, sim):
    serving = start_serve(tmp_path, sim)
    base = serving.url.split("/?", 1)[0]
    try:
        async with aiohttp.ClientSession() as http:
            await open_session(http, serving.url)  # waits until it listens
            async with http.get(base + "/") as response:
                assert response.status == 401
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await http.ws_connect(base.replace("http", "ws") + "/ws")
            assert refused.value.status == 401
    finally:
        stop(serving)


# -- in a real browser ------------------------------------------------------------------------

CHROMIUM = os.environ.get("CFDASH_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

EVIL_PAGE = """<!DOCTYPE html><html><body><script>
  const ws = new WebSocket(%r);
  ws.onopen = () => { document.title = "opened"; };
  ws.onerror = () => { document.title = "refused"; };
</script></body></html>"""


@pytest.fixture
def browser():
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (.ci/run installs Debian's chromium)")
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            yield chromium
        finally:
            chromium.close()


def wait_listening(url: str, timeout: float = 15) -> None:
    import time
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except urllib.error.HTTPError:
            return  # it answered
        except OSError:
            assert time.monotonic() < deadline, f"{url} never answered"
            time.sleep(0.1)


def test_the_printed_url_works_in_a_real_browser_and_a_foreign_page_cannot(tmp_path, sim, browser):
    import http.server
    import threading

    serving = start_serve(tmp_path, sim)
    base = serving.url.split("/?", 1)[0]
    evil_dir = tmp_path / "evil"
    evil_dir.mkdir()
    # Even holding the token, another origin's page is refused; its cookie-only attempt too.
    token = serving.url.split("token=", 1)[1]
    ws_base = base.replace("http:", "ws:")
    (evil_dir / "with-token.html").write_text(EVIL_PAGE % f"{ws_base}/ws?token={token}")
    (evil_dir / "cookie.html").write_text(EVIL_PAGE % f"{ws_base}/ws")

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(evil_dir), **kwargs)

        def log_message(self, *args):
            pass

    evil = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    threading.Thread(target=evil.serve_forever, daemon=True).start()
    evil_base = f"http://127.0.0.1:{evil.server_address[1]}"
    try:
        wait_listening(base + "/")
        page = browser.new_page(viewport={"width": 1200, "height": 700})
        frames: list[bytes] = []

        def on_websocket(ws):
            ws.on(
                "framereceived",
                lambda payload: frames.append(
                    payload if isinstance(payload, bytes) else payload.encode()
                ),
            )

        page.on("websocket", on_websocket)
        response = page.goto(serving.url)
        assert response.status == 200
        deadline = 300  # x 0.1 s
        while b"READ-ONLY" not in b"".join(frames) and deadline:
            page.wait_for_timeout(100)
            deadline -= 1
        assert b"READ-ONLY" in b"".join(frames), "the page's websocket never drew the dashboard"
        page.screenshot(path=str(tmp_path / "serve.png"))

        refused = browser.new_page()
        response = refused.goto(base + "/")
        assert response.status == 401 and "Access token needed" in refused.content()

        for name in ("with-token.html", "cookie.html"):
            # The browser now holds the page's cookie; 127.0.0.1 on another port is same-site.
            page.goto(f"{evil_base}/{name}")
            page.wait_for_function("document.title !== ''", timeout=15_000)
            assert page.title() == "refused", name
    finally:
        evil.shutdown()
        stop(serving)
