"""The state file's last-seen table: its rows, old files, and the merge of two instances.

Per job the newer knowledge wins, whichever instance wrote it; a job one instance stopped
tracking leaves the file unless another wrote newer knowledge of it since.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from cfdash.config import JobEntry, State, StateStore
from cfdash.config.files import STATE_MAX_BYTES
from cfdash.config.lastseen import SEEN_ERROR_MAX, SEEN_MAX, LastSeen

RUNNING = LastSeen(at=1_000.0, word="Running", state=4, progress=97)


def seen(at: float, progress: int = 50, **more) -> LastSeen:
    return LastSeen(at=at, word="Running", state=4, progress=progress, **more)


def with_seen(state: State, table: dict) -> State:
    return dataclasses.replace(state, last_seen=dict(table))


def test_rows_round_trip_keyed_by_account_stage_and_id(tmp_path: Path) -> None:
    path = tmp_path / "state.toml"
    store = StateStore(path)
    failed = LastSeen(at=5.5, word="Failed", state=6, progress=45, error="disk full", gone_at=9.0)
    table = {
        ("production", "install", 7001): RUNNING,
        ("production", "update", 7001): seen(2.0),  # the same id in another stage: its own row
        ("staging", "install", 7002): failed,
    }
    store.save(with_seen(store.load(), table))
    assert StateStore(path).load().last_seen == table
    text = path.read_text()
    assert text.count("[[seen]]") == 3 and 'stage = "update"' in text


def test_an_old_row_without_a_stage_loads_as_install_and_a_bad_row_is_skipped_alone(
    tmp_path: Path,
) -> None:
    path = tmp_path / "state.toml"
    path.write_text(
        "version = 1\n"
        '[[added]]\naccount = "production"\nid = 7777\n'
        '[[seen]]\naccount = "production"\nid = 7001\nat = 1000\nword = "Running"\nprogress = 97\n'
        '[[seen]]\naccount = "production"\nid = "7002"\nat = 1000.0\nword = "Running"\n'
        '[[seen]]\naccount = "production"\nid = 7003\nat = nan\nword = "Running"\n'
        '[[seen]]\naccount = "production"\nstage = "build"\nid = 7004\nat = 1.0\nword = "x"\n'
        '[[seen]]\naccount = "production"\nid = 7001\nat = 900.0\nword = "Queued"\n'
    )
    store = StateStore(path)
    state = store.load()
    assert store.recovered_from is None  # nothing set aside: the user's jobs are intact
    assert [entry.id for _, entry in state.added_jobs] == [7777]
    # A string id, a NaN time and an unknown stage are skipped; of two rows the newer stays.
    assert state.last_seen == {
        ("production", "install", 7001): LastSeen(at=1000.0, word="Running", progress=97)
    }


def test_a_long_error_is_cut_and_the_biggest_table_stays_under_the_cap(tmp_path: Path) -> None:
    path = tmp_path / "state.toml"
    store = StateStore(path)
    error = "e" * 5000
    table = {
        (f"account-with-a-longish-name-{i % 7}", "install", 10_000_000 + i): LastSeen.of(
            at=1_795_848_784.123456 + i,
            word="Running",
            state=4,
            progress=97,
            error=error,
            gone_at=1_795_848_790.654321 + i,
        )
        for i in range(SEEN_MAX + 50)
    }
    store.save(with_seen(store.load(), table))
    assert path.stat().st_size < STATE_MAX_BYTES / 2
    loaded = StateStore(path).load().last_seen
    assert len(loaded) == SEEN_MAX  # the 50 oldest went
    assert min(key[2] for key in loaded) == 10_000_050
    assert all(len(row.error or "") == SEEN_ERROR_MAX for row in loaded.values())


def test_two_instances_keep_the_newer_row_per_job(tmp_path: Path) -> None:
    path = tmp_path / "state.toml"
    a_store, b_store = StateStore(path), StateStore(path)
    a, b = a_store.load(), b_store.load()
    one, two = ("production", "install", 1), ("production", "install", 2)

    a = with_seen(a, {one: seen(10, 10), two: seen(10, 10)})
    a_store.save(a)
    # B's knowledge of 1 is older than what A wrote (B polls less often); of 2, newer.
    b = with_seen(b, {one: seen(5, 5), two: seen(20, 20)})
    b_store.save(b)
    assert StateStore(path).load().last_seen == {one: seen(10, 10), two: seen(20, 20)}

    # A writes again: newer for 1, still its stale view of 2 — which must not win.
    a_store.save(with_seen(a, {one: seen(30, 30), two: seen(10, 10)}))
    assert StateStore(path).load().last_seen == {one: seen(30, 30), two: seen(20, 20)}

    # Seen leaving the list is newer knowledge than seen in it, at any earlier time.
    b_store.save(with_seen(b, {one: seen(25, 25, gone_at=40.0), two: seen(20, 20)}))
    assert StateStore(path).load().last_seen[one] == seen(25, 25, gone_at=40.0)


def test_a_job_one_instance_stops_tracking_leaves_unless_another_wrote_it_since(
    tmp_path: Path,
) -> None:
    path = tmp_path / "state.toml"
    one, two = ("production", "install", 1), ("production", "install", 2)
    a_store, b_store = StateStore(path), StateStore(path)
    a = a_store.load()
    a = with_seen(a, {one: seen(10), two: seen(10)})
    a_store.save(a)
    b = b_store.load()
    b_store.save(with_seen(b, {one: seen(10), two: seen(20)}))  # B still tracks 2
    a_store.save(with_seen(a, {}))  # A stopped tracking both
    assert StateStore(path).load().last_seen == {two: seen(20)}


def test_a_last_seen_save_keeps_the_other_instances_jobs_and_settings(tmp_path: Path) -> None:
    path = tmp_path / "state.toml"
    a_store, b_store = StateStore(path), StateStore(path)
    a, b = a_store.load(), b_store.load()
    b.added_jobs.append(("production", JobEntry(id=6666)))
    b.theme = "cfdash-light"
    b_store.save(b)
    a_store.save(with_seen(a, {("production", "install", 1): RUNNING}))
    final = StateStore(path).load()
    assert [entry.id for _, entry in final.added_jobs] == [6666]
    assert final.theme == "cfdash-light"
    assert final.last_seen == {("production", "install", 1): RUNNING}
