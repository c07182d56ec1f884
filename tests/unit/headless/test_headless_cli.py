"""The headless commands through ``cfdash.cli.main``: a config file in tmp_path, a simulator
on its own thread (``main`` runs its own event loop), and subprocesses for what only a fresh
interpreter can show — that Textual is never imported, and that Ctrl-C exits 130 cleanly.
"""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

import cfdash.headless
from cfdash.cli import main
from cfdash.headless import serve_command
from cfdash.sim import FakeClock, Fault, FaultKind, SimThread, build_demo, demo_accounts
from cfdash.sim import demo_config_toml as demo_toml

ASID = {account.name: account.asid for account in demo_accounts(3)}
REPO = Path(__file__).resolve().parents[3]


@pytest.fixture
def sim_thread() -> Iterator[SimThread]:
    thread = SimThread(build_demo(seed=7, clock=FakeClock()))
    thread.start()
    yield thread
    thread.stop()


def write_config(tmp_path: Path, base_url: str, extra: str = "") -> Path:
    path = tmp_path / "config.toml"
    path.write_text(extra + demo_toml(base_url, demo_accounts(3)), encoding="utf-8")
    path.chmod(0o600)
    return path


def test_status_json_with_options_before_or_after_the_command(sim_thread, tmp_path, capsys):
    config = str(write_config(tmp_path, sim_thread.base_url))
    for argv in (
        ["status", "--json", "--config", config],
        ["--config", config, "status", "--json"],
    ):
        assert main(argv) == 0
        data = json.loads(capsys.readouterr().out)
        assert set(data["accounts"]) == set(ASID) and len(data["jobs"]) == 12


def test_status_table_and_exit_3_when_an_account_fails(sim_thread, tmp_path, capsys):
    config = str(write_config(tmp_path, sim_thread.base_url))
    sim_thread.call(
        lambda: sim_thread.sim.faults.add(
            Fault(FaultKind.HTTP_503, endpoint="status", asid=ASID["eu-test"])
        )
    )
    assert main(["status", "--config", config]) == 3
    captured = capsys.readouterr()
    assert captured.out.startswith("ACCOUNT")
    assert captured.err.startswith("cfdash: account eu-test could not be read: server error 503")
    assert captured.err.count("\n") == 1
    assert "demo-secret" not in captured.out + captured.err


def test_status_of_an_unknown_account_exits_2(sim_thread, tmp_path, capsys):
    config = str(write_config(tmp_path, sim_thread.base_url))
    assert main(["status", "--account", "nope", "--config", config]) == 2
    assert capsys.readouterr().err.startswith("cfdash: there is no account named 'nope'")


def test_queue_prints_each_result(sim_thread, tmp_path, capsys):
    config = str(write_config(tmp_path, sim_thread.base_url))
    # 5551008 is staging's: not found in production's list, so not sent (exit 1).
    assert main(["queue", "5551010", "5551008", "--account", "production", "--config", config]) == 1
    out = capsys.readouterr().out
    assert "production/5551010: queued (Queued), machinejobid" in out
    assert "production/5551008: not found in production's status list" in out
    assert main(["queue", "--failed", "--account", "production", "--config", config]) == 0
    assert "production/5551007: queued" in capsys.readouterr().out
    assert [c.jobid for c in sim_thread.sim.requests.queue_calls] == [5551010, 5551007]
    # A Running job is skipped unless --force.
    argv = ["--config", config, "queue", "5551001", "--account", "production"]
    assert main(argv) == 1
    assert "skipped: it is Running (pass --force" in capsys.readouterr().out
    main([*argv, "--force"])
    assert sim_thread.sim.requests.queue_calls[-1].jobid == 5551001


def test_queue_under_a_503_is_outcome_unknown_exit_3_and_audited(
    sim_thread, tmp_path, capsys, no_real_user_dirs
):
    config = str(write_config(tmp_path, sim_thread.base_url))
    sim_thread.call(lambda: sim_thread.sim.faults.add(Fault(FaultKind.HTTP_503, endpoint="queue")))
    assert main(["queue", "5551010", "--account", "production", "--config", config]) == 3
    out = capsys.readouterr().out
    assert out.startswith("production/5551010: outcome unknown (server error 503")
    assert "failed" not in out
    assert sim_thread.sim.requests.count("queue") == 1
    audit = no_real_user_dirs / "state" / "cfdash" / "audit.jsonl"
    [line] = audit.read_text().splitlines()
    record = json.loads(line)
    assert (record["account"], record["job"], record["action"]) == ("production", 5551010, "queue")
    assert record["mirroring"] is False and record["answer"] == "unknown"
    assert record["origin"] == "cfdash queue" and "demo-secret" not in line


def test_watch_of_a_job_not_in_the_list_exits_4_and_names_it(sim_thread, tmp_path, capsys):
    config = str(write_config(tmp_path, sim_thread.base_url))
    argv = ["watch", "7999", "--account", "production", "--exit-status", "--interval", "1"]
    assert main([*argv, "--config", config]) == 4
    out = capsys.readouterr().out
    assert "production/7999: not found in production's status list" in out
    assert out.endswith("1 job watched: 1 not found\n")


@pytest.mark.parametrize("how", ["option", "config"])
def test_queue_read_only_refuses_and_sends_nothing(sim_thread, tmp_path, capsys, how):
    extra = "read_only = true\n" if how == "config" else ""
    argv = ["queue", "5551010", "--account", "production"]
    argv += ["--config", str(write_config(tmp_path, sim_thread.base_url, extra))]
    if how == "option":
        argv.append("--read-only")
    assert main(argv) == 2
    assert "read-only" in capsys.readouterr().err
    assert sim_thread.sim.requests.count() == 0


def test_queue_argument_mistakes_exit_2(capsys):
    with pytest.raises(SystemExit) as parsing:
        main(["queue", "5551010"])  # no --account
    assert parsing.value.code == 2
    with pytest.raises(SystemExit):
        main(["queue", "abc", "--account", "production"])
    assert "is not a job id" in capsys.readouterr().err


def test_watch_exit_status_of_a_failed_job(sim_thread, tmp_path, capsys):
    config = str(write_config(tmp_path, sim_thread.base_url))
    assert main(["watch", "5551007", "--exit-status", "--config", config]) == 1
    out = capsys.readouterr().out
    assert "production/5551007 Failed" in out and out.endswith("1 job watched: 1 failed\n")


def test_a_missing_config_is_one_sentence(tmp_path, capsys):
    assert main(["status", "--config", str(tmp_path / "none.toml")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_serve_builds_a_quoted_command_from_sys_executable(tmp_path, monkeypatch):
    config = tmp_path / "my configs" / "cfdash.toml"
    command = serve_command(config=str(config), demo=True, read_only=True, theme="cfdash-light")
    assert shlex.split(command) == [
        sys.executable, "-m", "cfdash", "--config", str(config),
        "--demo", "--read-only", "--theme", "cfdash-light",
    ]  # fmt: skip
    assert serve_command() == shlex.join([sys.executable, "-m", "cfdash"])

    served = []
    monkeypatch.setattr(cfdash.headless, "run_serve", lambda *a, **k: served.append(a) or 0)
    assert main(["serve", "--demo", "--theme", "x", "--port", "8123"]) == 0
    [(command, options)] = served
    # Browser sessions are read-only unless --allow-queue says otherwise.
    assert command == serve_command(demo=True, theme="x", read_only=True)
    assert (options.host, options.port, options.read_only) == ("127.0.0.1", 8123, True)
    served.clear()
    assert main(["serve", "--demo", "--allow-queue", "--max-sessions", "2"]) == 0
    [(command, options)] = served
    assert command == serve_command(demo=True) and options.max_sessions == 2


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "example.com"])
def test_serve_refuses_a_public_host_without_public(host, capsys):
    assert main(["serve", "--demo", "--host", host]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"cfdash: refusing to serve the dashboard on {host}")
    assert "--public" in err and err.count("\n") == 1


def _env(tmp_path: Path) -> dict[str, str]:
    home = tmp_path / "home"
    return {
        **os.environ,
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_STATE_HOME": str(home / "state"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "PYTHONPATH": str(REPO),
    }


def test_headless_commands_never_import_textual(tmp_path):
    script = textwrap.dedent(
        """
        import sys
        from cfdash.cli import main
        codes = [
            main(["status", "--demo"]),
            main(["queue", "5551010", "--account", "production", "--demo"]),
            main(["watch", "5551007", "--demo", "--exit-status"]),
        ]
        loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("textual", "textual_serve"))
        print("RESULT", codes, loaded)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env=_env(tmp_path),
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "RESULT [0, 0, 1] []"


def test_ctrl_c_during_a_queue_request_names_it_and_exits_130(sim_thread, tmp_path):
    config = str(write_config(tmp_path, sim_thread.base_url))
    sim_thread.call(
        lambda: sim_thread.sim.faults.add(Fault(FaultKind.LATENCY, endpoint="queue", delay=60))
    )
    sent = threading.Event()
    requests = sim_thread.sim.requests
    record = requests.record_queue

    def recording(*args):
        record(*args)
        sent.set()

    sim_thread.call(lambda: setattr(requests, "record_queue", recording))
    script = (
        "import signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
        "from cfdash.cli import main; sys.exit(main())"
    )
    argv = ["queue", "5551010", "5551007", "--account", "production", "--config", config]
    child = subprocess.Popen(
        [sys.executable, "-c", script, *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(tmp_path),
    )
    try:
        assert sent.wait(timeout=30)  # the request is in flight
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=20)
    finally:
        child.kill()
    assert child.returncode == 130, err
    assert out.splitlines() == [
        "production/5551010: outcome unknown (interrupted while the request was in flight); "
        "not retried — `cfdash status` will show whether it was queued",
        "production/5551007: not sent (interrupted)",
    ]
    assert "Traceback" not in err
    audit = tmp_path / "home" / "state" / "cfdash" / "audit.jsonl"
    assert json.loads(audit.read_text())["answer"] == "unknown"


def test_ctrl_c_stops_watch_with_130_and_no_traceback(tmp_path):
    # Run main with Python's own SIGINT handler, whatever the test runner's parent ignores.
    script = (
        "import signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
        "from cfdash.cli import main; sys.exit(main())"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", script, "watch", "5551001", "--demo"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(tmp_path),
    )
    try:
        assert child.stdout is not None
        assert "production/5551001 Running" in child.stdout.readline()
        child.send_signal(signal.SIGINT)
        _, err = child.communicate(timeout=20)
    finally:
        child.kill()
    assert child.returncode == 130
    assert "Traceback" not in err
