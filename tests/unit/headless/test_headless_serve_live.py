"""`cfdash serve` for real: the page answers GET /, and its websocket starts a dashboard."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys

import aiohttp
import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX process handling")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_serve_answers_the_page_and_starts_a_session(tmp_path):
    port = free_port()
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "cfdash", "serve", "--demo", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
        cwd=tmp_path,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession() as session:
            page = None
            for _ in range(100):  # up to ~10 s for the server to listen
                try:
                    async with session.get(base + "/") as response:
                        page = (response.status, await response.text())
                        break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.1)
            assert page is not None, server.stderr.read().decode() if server.poll() else "no answer"
            status, html = page
            assert status == 200 and "cfdash" in html and "/ws" in html

            received = b""
            async with session.ws_connect(f"ws://127.0.0.1:{port}/ws?width=120&height=30") as ws:
                deadline = asyncio.get_running_loop().time() + 30
                while b"DEMO" not in received:
                    remaining = deadline - asyncio.get_running_loop().time()
                    assert remaining > 0, f"no dashboard drawn; got {received[-300:]!r}"
                    message = await ws.receive(timeout=remaining)
                    if message.type == aiohttp.WSMsgType.BINARY:
                        received += message.data
                    elif message.type == aiohttp.WSMsgType.TEXT:
                        received += message.data.encode()
                    else:
                        break
            assert b"DEMO" in received  # the dashboard's badge, drawn for the browser
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
