"""Running the simulator: start_server, SimThread, the `cfdash sim` entry point."""

from __future__ import annotations

import asyncio
import io
import os
import signal
import socket
import subprocess
import sys
import textwrap

import httpx
import pytest

from cfdash.sim import FakeClock, Fault, FaultKind, SimThread, build_demo, start_server
from cfdash.sim.cli import run_sim, serve_sim


async def test_start_server_binds_loopback_on_a_free_port():
    sim = build_demo(clock=FakeClock())
    server = await start_server(sim)
    assert server.host == "127.0.0.1" and server.port > 0
    assert server.base_url == f"http://127.0.0.1:{server.port}"
    await server.stop()
    with pytest.raises(httpx.ConnectError):
        async with httpx.AsyncClient() as client:
            await client.get(server.base_url + "/_sim/state")


async def test_stop_does_not_wait_for_a_hanging_request():
    sim = build_demo(clock=FakeClock())
    sim.faults.add(Fault(FaultKind.SLOW, delay=30))
    server = await start_server(sim)
    async with httpx.AsyncClient(timeout=10) as client:
        pending = asyncio.ensure_future(client.get(server.base_url + "/cfp/v1/imageinstall/status"))
        while not sim.requests.count("status"):  # the request is in, and hangs for 30 s
            await asyncio.sleep(0.01)
        await server.stop()
        # A stop that waited for the hanging request would have let it answer.
        with pytest.raises(httpx.HTTPError):
            await pending


def test_sim_thread_starts_and_stops():
    sim = build_demo(clock=FakeClock())
    thread = SimThread(sim)
    url = thread.start()
    assert url.startswith("http://127.0.0.1:")
    response = httpx.get(
        url + "/cfp/v1/imageinstall/status",
        params={"accountserviceid": 12345},
        auth=("demo-access-production", "demo-secret-production"),
    )
    assert response.status_code == 200
    assert thread.call(lambda: sim.requests.count("status")) == 1
    thread.stop()
    assert thread._thread is None
    with pytest.raises(httpx.ConnectError):
        httpx.get(url + "/_sim/state")
    thread.stop()  # twice is fine


def test_sim_thread_reports_a_port_in_use():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(OSError):
            SimThread(build_demo(clock=FakeClock()), port=port).start()


def test_sim_thread_as_context_manager():
    with SimThread(build_demo(clock=FakeClock())) as thread:
        assert httpx.get(f"{thread.base_url}/_sim/state").status_code == 200


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.5", "example.com"])
def test_run_sim_refuses_public_hosts(host: str):
    err = io.StringIO()
    assert run_sim(host=host, port=0, out=io.StringIO(), err=err) == 2
    message = err.getvalue().strip()
    assert message.startswith("cfdash sim: refusing to listen on") and message.count("\n") == 0


def test_run_sim_reports_a_port_in_use():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        err = io.StringIO()
        assert run_sim(port=taken.getsockname()[1], out=io.StringIO(), err=err) == 1
    assert "already in use" in err.getvalue()


def test_run_sim_refuses_bad_numbers():
    err = io.StringIO()
    assert run_sim(port=0, speed=0, out=io.StringIO(), err=err) == 2
    assert "speed" in err.getvalue()


async def test_serve_sim_prints_url_credentials_and_config():
    out = io.StringIO()
    stop = asyncio.Event()
    sim = build_demo(clock=FakeClock())
    task = asyncio.create_task(serve_sim(sim, "127.0.0.1", 0, 3, out=out, stop=stop))
    while "Ctrl-C" not in out.getvalue() and not task.done():  # printed once it listens
        await asyncio.sleep(0.01)
    text = out.getvalue()
    assert "listening on http://127.0.0.1:" in text
    assert "demo-secret-eu-test" in text
    assert "[accounts.production]" in text and "track_all = true" in text
    stop.set()
    await asyncio.wait_for(task, 5)


def test_cfdash_sim_exits_cleanly_on_ctrl_c():
    """A real process: prints its banner, then Ctrl-C ends it with status 0 and no traceback.

    It also proves the simulator never imports Textual.
    """
    code = textwrap.dedent(
        """
        import sys, atexit
        from cfdash.sim.cli import run_sim
        atexit.register(lambda: print("textual" in sys.modules, file=sys.stderr))
        raise SystemExit(run_sim(port=0))
        """
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if "Ctrl-C" in line:
                break
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=10)
    finally:
        proc.kill()
    assert proc.returncode == 0
    assert "simulator stopped" in out
    assert "Traceback" not in err
    assert err.strip() == "False"
