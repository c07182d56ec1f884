"""A fake status endpoint on 127.0.0.1 that answers any body, for what the simulator never sends.

The simulator answers like the service; these tests need what a broken service or proxy sends
(NaN, a 33 MB body, bad gzip, a self-signed certificate), over real HTTP all the same.
"""

from __future__ import annotations

import shutil
import ssl
import subprocess
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiohttp import web

from cfdash.api.client import STATUS_PATH, ClanforgeClient


@dataclass
class Answer:
    """What the fake endpoint sends next; ``repeat`` streams ``body`` that many times."""

    body: bytes = b'{"installs": []}'
    headers: dict[str, str] = field(default_factory=dict)
    status: int = 200
    repeat: int = 1


@dataclass
class FakeApi:
    base_url: str
    answer: Answer = field(default_factory=Answer)
    requests: int = 0

    def send(self, body: bytes, **kwargs) -> None:
        self.answer = Answer(body, **kwargs)

    def client(self, **kwargs) -> ClanforgeClient:
        options = {
            "account": "production",
            "accountserviceid": 1,
            "access_key": "access",
            "secret_key": "secret",
            "base_url": self.base_url,
            "connect_timeout": 2.0,
            "read_timeout": 5.0,
        }
        options.update(kwargs)
        return ClanforgeClient(**options)


async def _serve(ssl_context: ssl.SSLContext | None = None) -> tuple[FakeApi, web.AppRunner]:
    api = FakeApi(base_url="")

    async def status(request: web.Request) -> web.StreamResponse:
        api.requests += 1
        answer = api.answer
        if answer.repeat == 1:
            return web.Response(body=answer.body, status=answer.status, headers=answer.headers)
        response = web.StreamResponse(status=answer.status, headers=answer.headers)
        await response.prepare(request)
        try:
            for _ in range(answer.repeat):
                await response.write(answer.body)
        except ConnectionError:  # the client stopped reading, as it should past the cap
            pass
        return response

    app = web.Application()
    app.router.add_get(STATUS_PATH, status)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.25)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0, ssl_context=ssl_context).start()
    port = runner.addresses[0][1]
    api.base_url = f"{'https' if ssl_context else 'http'}://127.0.0.1:{port}"
    return api, runner


@pytest.fixture
async def fake_api() -> AsyncIterator[FakeApi]:
    api, runner = await _serve()
    try:
        yield api
    finally:
        await runner.cleanup()


def _self_signed(folder: Path) -> ssl.SSLContext:
    """A server context with a fresh self-signed certificate for 127.0.0.1 (via openssl)."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )  # fmt: skip
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


@pytest.fixture
async def tls_api(tmp_path: Path) -> AsyncIterator[FakeApi]:
    """The fake endpoint over HTTPS with a certificate no CA signed."""
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command to make a self-signed certificate")
    api, runner = await _serve(_self_signed(tmp_path))
    try:
        yield api
    finally:
        await runner.cleanup()
