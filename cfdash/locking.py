"""An advisory lock between cfdash processes that share a file (state, log, event log).

Two dashboards — or a dashboard and a ``status`` run — share the state directory.  Whatever
reads a shared file, changes it and writes it back (a state save, a log rotation) holds an
exclusive ``flock`` on a lock file beside it, ``<name>.lock``, for that read-modify-write.
The lock file itself is never removed: removing it would let two processes lock two
different inodes under the same name.

``flock`` is released by the kernel when a process dies, so a killed dashboard never leaves
the lock held.  Where ``fcntl`` does not exist (Windows) the lock is a no-op: one dashboard per
user is the common case there, and the writes stay atomic either way.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

__all__ = ["LOCK_TIMEOUT", "LockTimeout", "file_lock", "lock_path_for"]

#: How long to wait for another process to finish its save or rotation.  Each holds the lock
#: for one small read and write, so waiting this long means that process is stuck.
LOCK_TIMEOUT = 5.0
_RETRY = 0.01


class LockTimeout(OSError):
    """Another process held the lock for longer than :data:`LOCK_TIMEOUT`."""


def lock_path_for(path: Path) -> Path:
    """The lock file that guards ``path``: ``<name>.lock`` in the same directory."""
    return path.with_name(f"{path.name}.lock")


@contextlib.contextmanager
def file_lock(path: Path, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
    """Hold the exclusive lock guarding ``path`` (see :func:`lock_path_for`) for the block.

    Raises ``OSError`` if the lock file cannot be opened and :class:`LockTimeout` if another
    process holds the lock for longer than ``timeout`` seconds.
    """
    if fcntl is None:  # pragma: no cover - Windows
        yield
        return
    fd = os.open(lock_path_for(path), os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o600)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise LockTimeout(
                        f"another cfdash held {lock_path_for(path).name} for over {timeout:g}s"
                    ) from None
                time.sleep(_RETRY)  # flock has no timed wait; a short poll is the usual way
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
