"""Two dashboards share one state file: each save merges, so neither loses the other's jobs.

Also: a state file that cannot be parsed for any reason is set aside with its path named, and
one that is not a regular file (a FIFO, a device) is refused in one sentence, never read.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from datetime import datetime
from pathlib import Path

import pytest

from cfdash.config import JobEntry, State, StateError, StateStore
from cfdash.config.files import STATE_MAX_BYTES
from cfdash.config.state import merge_states

FIXED_NOW = datetime(2025, 3, 4, 5, 6, 7)


def add(state: State, jobid: int, account: str = "production") -> State:
    state.added_jobs.append((account, JobEntry(id=jobid)))
    return state


def ids(state: State) -> list[int]:
    return [entry.id for _, entry in state.added_jobs]


def test_two_dashboards_adding_in_turn_keep_every_job(tmp_path: Path) -> None:
    """The issue's case: A adds 8888, B starts, A adds 7777, B adds 6666 → all three stay."""
    path = tmp_path / "state.toml"
    a_store = StateStore(path)
    a = a_store.load()
    a_store.save(add(a, 8888))

    b_store = StateStore(path)
    b = b_store.load()
    assert ids(b) == [8888]

    a_store.save(add(a, 7777))
    b_store.save(add(b, 6666))

    assert sorted(ids(StateStore(path).load())) == [6666, 7777, 8888]


def test_a_removal_by_one_keeps_the_others_additions(tmp_path: Path) -> None:
    path = tmp_path / "state.toml"
    a_store, b_store = StateStore(path), StateStore(path)
    a = a_store.load()
    a_store.save(add(add(a, 1), 2))
    b = b_store.load()
    a_store.save(add(a, 3))
    b.added_jobs = [job for job in b.added_jobs if job[1].id != 1]  # B stops tracking 1
    b.removed_jobs.add(("production", "install", 5551001))
    b_store.save(b)
    final = StateStore(path).load()
    assert ids(final) == [2, 3]
    assert final.removed_jobs == {("production", "install", 5551001)}


def test_a_setting_changed_by_one_is_not_undone_by_the_other(tmp_path: Path) -> None:
    path = tmp_path / "state.toml"
    a_store, b_store = StateStore(path), StateStore(path)
    a, b = a_store.load(), b_store.load()
    a.theme = "cfdash-light"
    a_store.save(a)
    b.sort = "eta"  # B never touched the theme: A's choice stays
    b_store.save(b)
    final = StateStore(path).load()
    assert (final.theme, final.sort) == ("cfdash-light", "eta")


def test_merge_updates_an_entry_in_place_and_appends_new_ones_in_order() -> None:
    known = State(added_jobs=[("p", JobEntry(id=1))])
    ours = State(added_jobs=[("p", JobEntry(id=1, label="EU")), ("p", JobEntry(id=4))])
    disk = State(added_jobs=[("p", JobEntry(id=9)), ("p", JobEntry(id=1))])
    merged = merge_states(known, ours, disk)
    assert merged.added_jobs == [
        ("p", JobEntry(id=9)),
        ("p", JobEntry(id=1, label="EU")),
        ("p", JobEntry(id=4)),
    ]


def test_a_table_setting_merges_key_by_key() -> None:
    from cfdash.config.state import _merge_setting

    known = {"a": 1, "b": 2, "gone": 3}
    ours = {"a": 1, "b": 20, "new": 4}  # changed b, added new, dropped gone
    disk = {"a": 10, "b": 2, "gone": 3, "theirs": 5}
    assert _merge_setting(known, ours, disk) == {"a": 10, "b": 20, "theirs": 5, "new": 4}


def _adder(path: str, first: int, count: int, go) -> None:  # pragma: no cover - in a child
    store = StateStore(Path(path))
    state = store.load()
    go.wait()
    for jobid in range(first, first + count):
        state.added_jobs.append(("production", JobEntry(id=jobid)))
        store.save(state)


@pytest.mark.skipif(sys.platform == "win32", reason="flock is POSIX")
def test_processes_saving_at_once_lose_nothing(tmp_path: Path) -> None:
    """Four processes each add 15 jobs at the same time; every one of the 60 is kept."""
    path = tmp_path / "state.toml"
    StateStore(path).save(State())
    context = multiprocessing.get_context("fork")
    go = context.Event()
    workers = [
        context.Process(target=_adder, args=(str(path), 1000 * n, 15, go)) for n in range(1, 5)
    ]
    for worker in workers:
        worker.start()
    go.set()
    for worker in workers:
        worker.join()
        assert worker.exitcode == 0
    expected = sorted(1000 * n + i for n in range(1, 5) for i in range(15))
    assert sorted(ids(StateStore(path).load())) == expected


# -- files that cannot be parsed, or are not files -----------------------------------------


def store_at(tmp_path: Path) -> StateStore:
    return StateStore(tmp_path / "state" / "state.toml", now=lambda: FIXED_NOW)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"x = " + b"[" * 5000 + b"]" * 5000 + b"\n", "nested too deeply"),
        (b"a = 1\n" + b"#" * (STATE_MAX_BYTES + 1), "at most 8 MB"),
    ],
    ids=["deep-nesting", "over-8-MB"],
)
def test_a_state_file_that_cannot_be_parsed_is_set_aside(
    tmp_path: Path, content: bytes, reason: str
) -> None:
    store = store_at(tmp_path)
    store.path.parent.mkdir(parents=True)
    store.path.write_bytes(content)
    assert store.load() == State()
    aside = store.path.with_name("state.toml.corrupt-20250304T050607")
    assert store.recovered_from == aside and aside.stat().st_size == len(content)
    assert store.recovery_message is not None
    assert reason in store.recovery_message
    assert str(aside) in store.recovery_message  # the path, to find it again


@pytest.mark.skipif(sys.platform == "win32", reason="no FIFOs")
def test_a_fifo_state_file_is_refused_without_hanging(tmp_path: Path) -> None:
    store = store_at(tmp_path)
    store.path.parent.mkdir(parents=True)
    os.mkfifo(store.path)  # nobody writes to it: reading it would wait forever
    with pytest.raises(StateError) as caught:
        store.load()
    message = str(caught.value)
    assert "\n" not in message
    assert str(store.path) in message and "a named pipe (FIFO)" in message


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
def test_a_state_file_linked_to_dev_zero_is_refused(tmp_path: Path) -> None:
    store = store_at(tmp_path)
    store.path.parent.mkdir(parents=True)
    store.path.symlink_to("/dev/zero")
    with pytest.raises(StateError, match="got a device"):
        store.load()


def test_headless_status_names_a_deeply_nested_state_file_and_carries_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`cfdash status` used to stop with "unexpected error: RecursionError"."""
    from cfdash.cli import main
    from cfdash.config import state_path

    config = tmp_path / "config.toml"
    config.write_text(
        "[accounts.a]\naccountserviceid = 1\naccess_key = 'xxxx'\nsecret_key = 'yyyy'\n"
        "base_url = 'http://127.0.0.1:9'\nconnect_timeout = 0.5\n"
    )
    config.chmod(0o600)
    path = state_path()
    path.parent.mkdir(parents=True)
    path.write_text("x = " + "[" * 5000 + "]" * 5000 + "\n")
    code = main(["status", "--config", str(config)])
    err = capsys.readouterr().err
    assert "RecursionError" not in err and "unexpected error" not in err
    assert "nested too deeply" in err and "state.toml.corrupt-" in err
    assert code == 3  # the account is unreachable (port 9), but the command ran


async def test_two_dashboards_adding_jobs_in_turn_keep_all_of_them(served, tmp_path: Path) -> None:
    """The issue's "done when", on the real app: each dashboard's add is saved the app's way."""
    from cfdash.demo import demo_settings
    from cfdash.engine.tracking import TrackedJob
    from cfdash.tui.wiring import build_app

    settings = demo_settings(served.base_url)
    path = tmp_path / "state.toml"

    def dashboard():
        return build_app(
            settings, store=StateStore(path), clock=served.clock, poll=False, tick=False
        )

    def add(app, jobid: int) -> None:
        assert app.engine.add(
            TrackedJob("production", jobid, source="state", mirroring_setting=True)
        )
        app.persist()

    a = dashboard()
    add(a, 8888)
    b = dashboard()  # starts after A's first add
    add(a, 7777)
    add(b, 6666)
    saved = StateStore(path).load()
    assert sorted(entry.id for _, entry in saved.added_jobs) == [6666, 7777, 8888]


@pytest.mark.skipif(sys.platform == "win32", reason="no FIFOs")
def test_every_command_refuses_a_fifo_state_file_in_one_sentence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from cfdash.cli import main
    from cfdash.config import state_path

    config = tmp_path / "config.toml"
    config.write_text("[accounts.a]\naccountserviceid = 1\naccess_key = 'x'\nsecret_key = 'y'\n")
    config.chmod(0o600)
    state_path().parent.mkdir(parents=True)
    os.mkfifo(state_path())
    for command in (["status"], ["watch", "1"], ["queue", "--account", "a", "1"]):
        assert main([*command, "--config", str(config)]) == 2, command
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "a named pipe (FIFO)" in err, err
