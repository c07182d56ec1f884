"""`cfdash sim` as a user runs it: prints its URL and keys, answers 401 then the list, stops on
Ctrl-C with exit 0."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_cfdash_sim_serves_the_demo_until_ctrl_c(tmp_path):
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "cfdash", "sim", "--port", str(port), "--seed", "3"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    try:
        url = f"http://127.0.0.1:{port}/cfp/v1/imageinstall/status?accountserviceid=12345"
        deadline = time.monotonic() + 15
        while True:
            try:
                anonymous = httpx.get(url)
                break
            except httpx.ConnectError:
                assert process.poll() is None, process.stderr.read()
                assert time.monotonic() < deadline, "the simulator never listened"
                time.sleep(0.1)
        assert anonymous.status_code == 401
        keys = ("demo-access-production", "demo-secret-production")
        listed = httpx.get(url, auth=keys)
        assert listed.status_code == 200 and listed.json()["installs"]
        token = {"Authorization": "Bearer demo-token-production"}
        by_token = httpx.get(url, headers=token).json()["installs"]
        assert [i["jobid"] for i in by_token] == [i["jobid"] for i in listed.json()["installs"]]
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=10)
    assert process.returncode == 0
    assert f"http://127.0.0.1:{port}" in out and "demo-secret-production" in out
    assert "[accounts.production]" in out and "Traceback" not in err
    # The printed config shows the newer operator's way in: one account with its token.
    assert 'auth = "bearer"' in out and 'token = "demo-token-production"' in out
    assert 'stage = "update"' in out and "images = [" in out
