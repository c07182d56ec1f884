"""Kill test: a child saving the state file over and over is SIGKILLed in the middle of a save.

The child says through a pipe which save it is starting and which one has returned, so the
parent knows exactly what was committed whatever the disk's speed. Two kinds of round:

* pinned: the child stops at one step inside its save (temp file made, written, synced,
  renamed) and the kill lands right there, so every step is killed at, every run;
* free: the kill comes a random moment after a save has started, where the scheduler puts it.

After each kill the file must parse and hold every job whose save returned, and at most the
one more that was being saved; the temp file a killed save left is swept by the next load.
Nothing here counts saves per second: a slow disk or a busy machine makes fewer saves, not
a failure.
"""

from __future__ import annotations

import os
import random
import select
import signal
import sys
import tempfile
import time
from pathlib import Path

import pytest

from cfdash.config import JobEntry, State, StateStore

#: The steps of StateStore.save a pinned kill lands on, in the order a save passes them.
STEPS = ("temp made", "written", "synced", "renamed")
PINNED_PER_STEP = 6
FREE_ROUNDS = 24
#: Only for a child that stops answering (a bug): a guard against hanging, not a measurement.
STUCK = 60.0

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs fork and SIGKILL")


def _child(path: Path, start: int, out: int, pin: tuple[int, str] | None) -> None:
    """Add one job per save and report each: ``saving N`` before, ``committed N`` after.

    With ``pin = (n, step)`` the n-th save of this child reports ``paused`` at that step and
    waits there to be killed. The hooks wrap the calls ``save`` makes, in this forked child only.
    """
    hold, _keep_open = os.pipe()  # nobody writes to it: reading blocks until the kill
    saves = 0

    def at(step: str) -> None:
        if pin == (saves, step):
            os.write(out, f"paused {step}\n".encode())
            os.read(hold, 1)

    real_mkstemp, real_fsync, real_replace = tempfile.mkstemp, os.fsync, os.replace

    def mkstemp(*args, **kwargs):
        made = real_mkstemp(*args, **kwargs)
        at("temp made")
        return made

    def fsync(fd: int) -> None:
        at("written")  # the temp file's fsync; the directory's comes after the rename
        real_fsync(fd)

    def replace(source, target) -> None:
        at("synced")
        real_replace(source, target)
        at("renamed")

    tempfile.mkstemp, os.fsync, os.replace = mkstemp, fsync, replace
    store = StateStore(path)
    state = store.load()
    while True:
        saves += 1
        jobid = start + saves
        state.added_jobs.append(("production", JobEntry(id=jobid, label=f"job {jobid}")))
        os.write(out, f"saving {jobid}\n".encode())
        store.save(state)
        os.write(out, f"committed {jobid}\n".encode())
        if pin is not None and saves >= pin[0]:
            os.write(out, f"never reached {pin[1]}\n".encode())  # save no longer passes there
            return


class Child:
    """A forked writer and the lines it has reported."""

    def __init__(self, path: Path, start: int, pin: tuple[int, str] | None) -> None:
        read_fd, write_fd = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:  # pragma: no cover - the child never returns
            os.close(read_fd)
            try:
                _child(path, start, write_fd, pin)
            finally:
                os._exit(1)
        os.close(write_fd)
        self.fd = read_fd
        self.lines: list[str] = []
        self._partial = b""

    def read_until(self, wanted: str, count: int = 1) -> None:
        """Read reports until ``count`` lines start with ``wanted``."""
        deadline = time.monotonic() + STUCK
        while sum(line.startswith(wanted) for line in self.lines) < count:
            ready, _, _ = select.select([self.fd], [], [], max(0.0, deadline - time.monotonic()))
            assert ready, f"the child stopped reporting; it said {self.lines[-3:]}"
            chunk = os.read(self.fd, 65536)
            assert chunk, f"the child died on its own; it said {self.lines[-3:]}"
            self._read(chunk)

    def kill(self) -> None:
        """SIGKILL it, then collect what it managed to report before dying."""
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)
        while chunk := os.read(self.fd, 65536):
            self._read(chunk)
        os.close(self.fd)

    def _read(self, chunk: bytes) -> None:
        *whole, self._partial = (self._partial + chunk).split(b"\n")
        self.lines += [line.decode() for line in whole]

    def last(self, word: str, default: int) -> int:
        numbers = [int(line.split()[1]) for line in self.lines if line.startswith(word)]
        return numbers[-1] if numbers else default


def saved_ids(path: Path) -> list[int]:
    store = StateStore(path)
    state = store.load()
    assert store.recovered_from is None, store.recovery_message
    return [entry.id for _, entry in state.added_jobs]


def temp_files(path: Path) -> list[Path]:
    return list(path.parent.glob(f".{path.name}.*.tmp"))


def test_state_file_survives_sigkill_inside_a_save(tmp_path):
    path = tmp_path / "state.toml"
    StateStore(path).save(State())
    rng = random.Random(20261127)
    rounds: list[str | None] = [step for step in STEPS for _ in range(PINNED_PER_STEP)]
    rounds += [None] * FREE_ROUNDS
    rng.shuffle(rounds)
    committed = 0
    landed_inside = 0
    for step in rounds:
        nth = rng.randint(1, 3)  # saves this child makes before the one it is killed in
        if step is not None:
            child = Child(path, committed, (nth, step))
            child.read_until("paused")
            child.kill()
            # The kill fell at that step of the nth save: before the rename the old file
            # stands with its temp file beside it; after it, the new one does.
            expected = committed + nth - (step != "renamed")
            assert bool(temp_files(path)) is (step != "renamed"), step
            assert saved_ids(path) == list(range(1, expected + 1)), step
            committed = expected
        else:
            child = Child(path, committed, None)
            child.read_until("saving", nth)
            time.sleep(rng.uniform(0.0, 0.002))  # a random moment, not a wait for anything
            child.kill()
            done = child.last("committed", committed)
            started = child.last("saving", committed)
            landed_inside += started > done
            ids = saved_ids(path)
            assert ids[:done] == list(range(1, done + 1))  # every save that returned
            assert len(ids) in (done, done + 1) and len(ids) <= started
            committed = len(ids)
        assert not temp_files(path)  # the load swept a killed save's temp file
    print(f"{len(rounds)} kills; {landed_inside} of {FREE_ROUNDS} free ones fell inside a save")
