"""cfdash's own state file: round trip, atomic writes, and corrupt files set aside."""

from __future__ import annotations

import os
import tomllib
from datetime import datetime
from pathlib import Path

import pytest

from cfdash.config import JobEntry, State, StateError, StateStore
from cfdash.config import state as state_module

FIXED_NOW = datetime(2025, 3, 4, 5, 6, 7)


def store_at(tmp_path: Path) -> StateStore:
    return StateStore(tmp_path / "state" / "state.toml", now=lambda: FIXED_NOW)


def full_state() -> State:
    return State(
        added_jobs=[
            ("production", JobEntry(id=5551003, mirroring=True, label="EU mirror")),
            ("staging", JobEntry(id=42)),
            ("staging", JobEntry(id=42, stage="update", label="the pull")),
        ],
        removed_jobs={
            ("production", "install", 5551001),
            ("staging", "install", 7),
            ("staging", "diff", 7),
        },
        theme="cfdash-light",
        sort="eta",
        sort_reverse=True,
        filter="failed",
        release=4242,
        failed_only=True,
        hide_finished=True,
    )


def test_missing_file_is_an_empty_state(tmp_path: Path) -> None:
    store = store_at(tmp_path)
    assert store.load() == State()
    assert store.recovered_from is None
    assert store.recovery_message is None


def test_round_trip(tmp_path: Path) -> None:
    store = store_at(tmp_path)
    store.save(full_state())  # creates the missing directory too
    assert store_at(tmp_path).load() == full_state()


def test_a_file_from_before_stages_loads_every_job_as_an_install(tmp_path: Path) -> None:
    store = store_at(tmp_path)
    store.path.parent.mkdir(parents=True)
    store.path.write_text(
        'version = 1\n[[added]]\naccount = "production"\nid = 5\n'
        '[[removed]]\naccount = "production"\nid = 6\n'
    )
    state = store.load()
    assert store.recovered_from is None
    assert [(name, entry.stage, entry.id) for name, entry in state.added_jobs] == [
        ("production", "install", 5)
    ]
    assert state.removed_jobs == {("production", "install", 6)}


def test_a_stage_is_written_only_for_other_stages(tmp_path: Path) -> None:
    store = store_at(tmp_path)
    store.save(full_state())
    data = tomllib.loads(store.path.read_text())
    assert [row.get("stage") for row in data["added"]] == [None, None, "update"]
    assert sorted(row.get("stage", "-") for row in data["removed"]) == ["-", "-", "diff"]


def test_empty_state_round_trips(tmp_path: Path) -> None:
    store = store_at(tmp_path)
    store.save(State())
    assert store.load() == State()


def test_file_is_plain_readable_toml(tmp_path: Path) -> None:
    store = store_at(tmp_path)
    store.save(full_state())
    data = tomllib.loads(store.path.read_text(encoding="utf-8"))
    assert data["version"] == 1
    assert data["added"][0] == {
        "account": "production",
        "id": 5551003,
        "mirroring": True,
        "label": "EU mirror",
    }
    assert data["added"][1] == {"account": "staging", "id": 42}  # None is left out
    assert data["removed"] == [
        {"account": "production", "id": 5551001},
        {"account": "staging", "stage": "diff", "id": 7},
        {"account": "staging", "id": 7},
    ]


def test_save_replaces_and_leaves_no_temp_files(tmp_path: Path) -> None:
    store = store_at(tmp_path)
    store.save(State(theme="one"))
    store.save(State(theme="two"))
    assert store.load().theme == "two"
    # The lock beside the file stays: removing it would let two savers lock two inodes.
    assert sorted(os.listdir(store.path.parent)) == ["state.toml", "state.toml.lock"]


def test_crash_before_replace_keeps_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = store_at(tmp_path)
    store.save(full_state())
    before = store.path.read_bytes()

    def crash(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(state_module.os, "replace", crash)
    with pytest.raises(StateError, match="could not save cfdash's state"):
        store.save(State(theme="new"))
    monkeypatch.undo()

    assert store.path.read_bytes() == before
    # No temp litter; the lock beside the file stays.
    assert sorted(os.listdir(store.path.parent)) == ["state.toml", "state.toml.lock"]
    assert store.load() == full_state()


def test_interrupt_during_write_cleans_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = store_at(tmp_path)
    store.save(State(theme="old"))

    def interrupted(fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(state_module.os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        store.save(State(theme="new"))
    monkeypatch.undo()

    # The lock beside the file stays: removing it would let two savers lock two inodes.
    assert sorted(os.listdir(store.path.parent)) == ["state.toml", "state.toml.lock"]
    assert store.load().theme == "old"


def test_save_fsyncs_file_and_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    synced: list[int] = []
    real_fsync = os.fsync

    def recording_fsync(fd: int) -> None:
        synced.append(fd)
        real_fsync(fd)

    monkeypatch.setattr(state_module.os, "fsync", recording_fsync)
    store_at(tmp_path).save(State())
    assert len(synced) == (2 if os.name == "posix" else 1)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"theme = \n", "it is not valid TOML"),
        (b"\xff\xfe garbage", "it is not UTF-8 text"),
        (b'[[added]]\naccount = "p"\nid = "five"\n', "it does not have the expected shape"),
        (b"removed = 3\n", "it does not have the expected shape (at removed)"),
    ],
)
def test_corrupt_file_is_set_aside_not_overwritten(
    tmp_path: Path, content: bytes, reason: str
) -> None:
    store = store_at(tmp_path)
    store.path.parent.mkdir(parents=True)
    store.path.write_bytes(content)

    assert store.load() == State()

    aside = store.path.with_name("state.toml.corrupt-20250304T050607")
    assert store.recovered_from == aside
    assert aside.read_bytes() == content
    assert not store.path.exists()
    assert store.recovery_message is not None
    assert reason in store.recovery_message
    assert "state.toml.corrupt-20250304T050607" in store.recovery_message

    store.save(State(theme="fresh"))  # the next save does not touch the set-aside file
    assert aside.read_bytes() == content


def test_two_recoveries_in_one_second_keep_both(tmp_path: Path) -> None:
    store = store_at(tmp_path)
    store.path.parent.mkdir(parents=True)
    store.path.write_text("bad = = 1")
    store.load()
    store.path.write_text("worse = = 2")
    store.load()
    assert store.recovered_from == store.path.with_name("state.toml.corrupt-20250304T050607-1")
    assert sorted(os.listdir(store.path.parent)) == [
        "state.toml.corrupt-20250304T050607",
        "state.toml.corrupt-20250304T050607-1",
        "state.toml.lock",
    ]


def test_unknown_top_level_keys_are_ignored(tmp_path: Path) -> None:
    store = store_at(tmp_path)
    store.path.parent.mkdir(parents=True)
    store.path.write_text('theme = "x"\nfrom_a_newer_cfdash = true\n')
    assert store.load() == State(theme="x")
    assert store.recovered_from is None


def test_corrupt_file_that_cannot_be_moved_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = store_at(tmp_path)
    store.path.parent.mkdir(parents=True)
    store.path.write_text("bad = = 1")

    def refuse(src: object, dst: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(state_module.os, "rename", refuse)
    with pytest.raises(StateError, match="could not be set aside"):
        store.load()
    assert store.path.read_text() == "bad = = 1"
