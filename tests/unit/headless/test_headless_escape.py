"""Text from the API is data: the issue's escape-sequence ``joberror`` and a ``machine`` with a
CR LF in it, served over real HTTP, never reach the terminal as control characters — not from
``status``, ``watch``, ``queue`` nor an error sentence — while ``--json`` keeps them exact."""

from __future__ import annotations

import io
import json
import random
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest

from cfdash.cli import main
from cfdash.config import JobEntry
from cfdash.headless import EXIT_FAILED, EXIT_OK, run_queue, run_watch
from cfdash.sim import Fate, Fault, FaultKind, JobState, SimThread, Simulator

#: The issue's ``joberror``: retitles the terminal (OSC 0, ended by BEL), then clears it.
POISON = "disk \x1b]0;PWNED\x07 \x1b[2J"
SHOWN = "disk \\x1b]0;PWNED\\x07 \\x1b[2J"
MACHINE = "gs-1\r\nevil"
#: A C1 CSI (U+009B: ESC [ in one character), a right-to-left override, a line separator.
LOCATION = "Lon\x9b2Jdon\u202e\u2028"


def assert_inert(text: str) -> None:
    """No control character but the line breaks of the output itself, no bidi override."""
    bad = [c for c in text if c != "\n" and unicodedata.category(c) in ("Cc", "Zl", "Zp")]
    assert bad == [] and "\u202e" not in text, ascii(text)


def poisoned_sim(clock, **job) -> tuple[Simulator, int]:
    sim = Simulator(clock=clock, seed=1, speed=1.0)
    sim.add_account("production", 100, "access-production", "secret-production")
    made = sim.add_job(100, kind="machine", machine=MACHINE, location=LOCATION, **job)
    return sim, made.jobid


@pytest.fixture
def cli_sim(clock) -> Iterator[tuple[SimThread, int]]:
    sim, jobid = poisoned_sim(clock, state=JobState.FAILED, error=POISON)
    thread = SimThread(sim)
    thread.start()
    yield thread, jobid
    thread.stop()


def config_for(tmp_path: Path, base_url: str, jobid: int) -> str:
    path = tmp_path / "config.toml"
    path.write_text(
        "[accounts.production]\n"
        "accountserviceid = 100\n"
        f'base_url = "{base_url}"\n'
        'access_key = "access-production"\n'
        'secret_key = "secret-production"\n'
        f"jobs = [{jobid}]\n",
        encoding="utf-8",
    )
    path.chmod(0o600)
    return str(path)


def test_status_shows_the_escape_sequence_as_visible_escapes(cli_sim, tmp_path, capsys):
    thread, jobid = cli_sim
    assert main(["status", "--config", config_for(tmp_path, thread.base_url, jobid)]) == 0
    captured = capsys.readouterr()
    assert_inert(captured.out + captured.err)
    assert SHOWN in captured.out
    assert "gs-1\\r\\nevil Lon\\x9b2Jdon\\u202e\\u2028" in captured.out
    lines = captured.out.splitlines()
    assert len(lines) == 2  # the header and one row: the CR LF did not split it
    column = lines[0].index("STATE")
    assert lines[1][column:].startswith("Failed")


def test_status_json_keeps_the_exact_text(cli_sim, tmp_path, capsys):
    thread, jobid = cli_sim
    argv = ["status", "--json", "--config", config_for(tmp_path, thread.base_url, jobid)]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert_inert(out)  # JSON writes every control (and U+202E) as a \u escape
    (job,) = json.loads(out)["jobs"]
    assert job["error"] == job["fields"]["joberror"] == POISON
    assert job["fields"]["machine"] == MACHINE
    assert job["fields"]["location"] == LOCATION


def test_watch_prints_visible_escapes(cli_sim, tmp_path, capsys):
    thread, jobid = cli_sim
    argv = ["watch", str(jobid), "--config", config_for(tmp_path, thread.base_url, jobid)]
    assert main(argv) == EXIT_OK
    captured = capsys.readouterr()
    assert_inert(captured.out + captured.err)
    assert f"production/{jobid} Failed 0% — {SHOWN}" in captured.out


async def watched(settings, jobid, clock, *, tty: bool) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()

    async def sleep(seconds: float) -> None:
        clock.advance(seconds)

    code = await run_watch(
        settings,
        [jobid],
        clock=clock,
        sleep=sleep,
        rng=random.Random(3),
        tty=tty,
        out=out,
        err=err,
    )
    return code, out.getvalue(), err.getvalue()


async def test_a_terminal_watch_writes_only_its_own_cursor_moves(kit, serve, clock):
    fails = Fate(duration=60, queue_delay=0, fail_at=50, error=POISON)
    sim, jobid = poisoned_sim(clock, state=JobState.RUNNING, fate=fails)
    account = kit.account("production", 100, await serve(sim), jobs=(JobEntry(id=jobid),))
    # One bad answer on the way: its note quotes the API's error envelope.
    sim.faults.add(Fault(FaultKind.ERROR_ENVELOPE, endpoint="status", message=POISON, count=1))
    code, out, err = await watched(kit.settings(account), jobid, clock, tty=True)
    assert code == EXIT_OK and err == ""
    redraws = re.findall(r"\x1b\[\d+F\x1b\[J", out)
    assert redraws  # the block was redrawn in place...
    assert_inert(re.sub(r"\x1b\[\d+F\x1b\[J", "", out))  # ...with nothing else escaping
    assert f"! production: {SHOWN}" in out
    assert f"production/{jobid} Failed 50% — {SHOWN}" in out
    assert "gs-1" not in out  # a watch line names the job, not the machine


async def test_plain_watch_notes_on_stderr_are_escaped(kit, serve, clock):
    fails = Fate(duration=60, queue_delay=0, fail_at=50, error=POISON)
    sim, jobid = poisoned_sim(clock, state=JobState.RUNNING, fate=fails)
    account = kit.account("production", 100, await serve(sim), jobs=(JobEntry(id=jobid),))
    sim.faults.add(Fault(FaultKind.ERROR_ENVELOPE, endpoint="status", message=POISON, count=1))
    code, out, err = await watched(kit.settings(account), jobid, clock, tty=False)
    assert code == EXIT_OK
    assert_inert(out + err)
    assert f"production: {SHOWN}; next try in" in err
    assert f"production/{jobid} Failed 50% — {SHOWN}" in out


async def test_a_queue_refusal_quoting_the_api_is_one_inert_line(kit, serve, clock):
    sim, jobid = poisoned_sim(clock, state=JobState.FAILED, error=POISON)
    account = kit.account("production", 100, await serve(sim))
    sim.faults.add(Fault(FaultKind.ERROR_ENVELOPE, endpoint="queue", message=POISON))
    out = io.StringIO()
    code = await run_queue(
        kit.settings(account), "production", [jobid], mirroring="false", clock=clock, out=out
    )
    assert code == EXIT_FAILED
    assert_inert(out.getvalue())
    assert out.getvalue() == f"production/{jobid}: refused: {SHOWN}\n"


def test_error_sentences_quoting_the_api_are_escaped(cli_sim, tmp_path, capsys):
    thread, jobid = cli_sim
    config = config_for(tmp_path, thread.base_url, jobid)
    fault = Fault(FaultKind.ERROR_ENVELOPE, endpoint="status", message=f"{POISON}\r\nforged")
    thread.call(lambda: thread.sim.faults.add(fault))
    # status names the account it could not read; queue cannot learn the mirroring flags.
    assert main(["status", "--config", config]) == 3
    assert main(["queue", str(jobid), "--account", "production", "--config", config]) == 3
    err = capsys.readouterr().err
    assert_inert(err)
    lines = err.splitlines()
    assert len(lines) == 2, err
    assert lines[0] == f"cfdash: account production could not be read: {SHOWN} forged"
    assert lines[1] == (
        "cfdash: could not read production's status list before queueing: "
        f"{SHOWN} forged; nothing was queued"
    )
