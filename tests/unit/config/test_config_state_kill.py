"""Kill test: a child writing the state file in a loop is SIGKILLed at random moments.

Afterwards the file must always parse and hold every job committed (saved) before the kill.
Forking keeps each round to milliseconds, so the full hundred rounds run in CI.
"""

from __future__ import annotations

import os
import random
import signal
import sys
import time

import pytest

from cfdash.config import JobEntry, State, StateStore

ROUNDS = 100

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs fork and SIGKILL")


def _writer(path, start: int, pipe_fd: int) -> None:
    """Child: add one job per save, reporting each committed count through the pipe."""
    store = StateStore(path)
    state = store.load()
    count = start
    while True:
        count += 1
        state.added_jobs.append(("production", JobEntry(id=count, label=f"job {count}")))
        store.save(state)
        os.write(pipe_fd, count.to_bytes(4, "big"))


def test_state_file_survives_sigkill_at_random_moments(tmp_path):
    path = tmp_path / "state.toml"
    StateStore(path).save(State())
    rng = random.Random(20261127)
    committed = 0
    for _ in range(ROUNDS):
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child never returns
            os.close(read_fd)
            try:
                _writer(path, committed, write_fd)
            finally:
                os._exit(0)
        os.close(write_fd)
        # Wait for the child's first save (on a busy machine its start-up alone can outlast
        # the random delay), then kill it at a random moment of the saves that follow.
        reported = os.read(read_fd, 4)
        time.sleep(rng.uniform(0.0, 0.02))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        while chunk := os.read(read_fd, 4096):
            reported += chunk
        os.close(read_fd)
        if len(reported) >= 4:
            usable = len(reported) - len(reported) % 4
            committed = int.from_bytes(reported[usable - 4 : usable], "big")

        store = StateStore(path)
        state = store.load()
        assert store.recovered_from is None, store.recovery_message
        ids = [entry.id for _, entry in state.added_jobs]
        # Every save the child reported is in the file (one more may have landed unreported).
        assert ids[:committed] == list(range(1, committed + 1))
        assert len(ids) in (committed, committed + 1)
        committed = len(ids)
        assert not list(tmp_path.glob(".state.toml.*.tmp"))  # load swept a killed save's temp
    assert committed > ROUNDS  # the child really was writing when it was killed
