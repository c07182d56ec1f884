"""Running the simulator: in the caller's event loop, or on its own thread.

:func:`start_server` is for async code that owns a loop (tests, ``cfdash sim``).
:class:`SimThread` is for ``cfdash --demo``: the dashboard runs Textual's loop, so the simulator
gets its own loop on a daemon thread and the two only meet over HTTP on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable
from typing import TypeVar

from aiohttp import web

from cfdash.sim.app import build_app
from cfdash.sim.model import Simulator

__all__ = ["RunningServer", "SimThread", "start_server"]

T = TypeVar("T")

# A fault may hold a request for many seconds; stopping must not wait for it.
_SHUTDOWN_TIMEOUT = 0.25


class RunningServer:
    """A started simulator server; ``await stop()`` when done."""

    def __init__(self, runner: web.AppRunner, host: str, port: int) -> None:
        self._runner = runner
        self.host = host
        self.port = port

    @property
    def base_url(self) -> str:
        """``http://HOST:PORT`` with IPv6 hosts bracketed; what a client config needs."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    async def stop(self) -> None:
        """Close the listening socket and open connections; safe to call twice."""
        await self._runner.cleanup()


async def start_server(sim: Simulator, host: str = "127.0.0.1", port: int = 0) -> RunningServer:
    """Serve ``sim`` on ``host:port`` (port 0: a free port) and return once listening."""
    runner = web.AppRunner(
        build_app(sim),
        access_log=None,
        shutdown_timeout=_SHUTDOWN_TIMEOUT,
        # A client that gives up on a slow answer should not leave the handler sleeping.
        handler_cancellation=True,
    )
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
    except BaseException:
        await runner.cleanup()
        raise
    bound_port = runner.addresses[0][1]
    return RunningServer(runner, host, bound_port)


class SimThread:
    """The simulator served from its own event loop on a daemon thread.

    ``start()`` blocks until the server listens and returns its base URL (or raises what
    stopped it starting, e.g. ``OSError`` for a port in use); ``stop()`` shuts it down.
    The simulator belongs to that thread's loop once started: change it through
    :meth:`call`, or over HTTP.
    """

    def __init__(self, sim: Simulator, host: str = "127.0.0.1", port: int = 0) -> None:
        self.sim = sim
        self.host = host
        self.port = port
        self.base_url: str | None = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None

    def start(self, timeout: float = 10.0) -> str:
        """Start serving and return the base URL."""
        if self._thread is not None:
            raise RuntimeError("SimThread already started")
        self._thread = threading.Thread(target=self._run, name="cfdash-sim", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout):
            raise TimeoutError("the simulator did not start in time")
        if self._error is not None:
            self._thread.join(timeout)
            raise self._error
        assert self.base_url is not None
        return self.base_url

    def call(self, fn: Callable[[], T], timeout: float = 10.0) -> T:
        """Run ``fn`` on the simulator's loop (safe against concurrent requests)."""
        if self._loop is None:
            raise RuntimeError("SimThread is not running")

        async def run() -> T:
            return fn()

        return asyncio.run_coroutine_threadsafe(run(), self._loop).result(timeout)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop serving and wait for the thread to end; a no-op if not running."""
        loop, stopping, thread = self._loop, self._stopping, self._thread
        if loop is not None and stopping is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed in between
                loop.call_soon_threadsafe(stopping.set)
        if thread is not None:
            thread.join(timeout)
        self._thread = None

    def __enter__(self) -> SimThread:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _run(self) -> None:
        try:
            asyncio.run(self._serve())
        except BaseException as exc:  # reported to start(); the thread must not die noisily
            self._error = exc
            self._ready.set()

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stopping = asyncio.Event()
        server = await start_server(self.sim, self.host, self.port)
        try:
            self.base_url = server.base_url
            self._ready.set()
            await self._stopping.wait()
        finally:
            await server.stop()
            self._loop = None
