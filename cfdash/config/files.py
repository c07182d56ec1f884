"""Reading a small file the user controls (config, state, theme) without trusting it.

``Path.read_bytes`` on ``--config /dev/zero`` grows until ``MemoryError``; on a FIFO it waits
for a writer forever; on a 2 GB file it takes the machine's memory.  So every such file is
opened without blocking, checked to be a regular file, and read up to a cap — one more byte
than the cap is enough to know it is too large — and each refusal is one
:class:`UnreadableFile` whose ``expected``/``got`` phrases fit a :class:`~cfdash.config.Problem`.

Parsing TOML nested thousands of levels deep raises ``RecursionError`` in :mod:`tomllib`;
:func:`parse_toml` turns that into the same kind of sentence.
"""

from __future__ import annotations

import os
import stat
import tomllib
from pathlib import Path
from typing import Any

__all__ = [
    "CONFIG_MAX_BYTES",
    "STATE_MAX_BYTES",
    "THEME_MAX_BYTES",
    "TooDeep",
    "UnreadableFile",
    "parse_toml",
    "read_capped",
]

CONFIG_MAX_BYTES = 1_000_000
STATE_MAX_BYTES = 8_000_000
THEME_MAX_BYTES = 1_000_000

_NESTED = "TOML nested less deeply"
_TOO_DEEP = "tables or arrays nested too deeply to read"


class UnreadableFile(Exception):
    """A file refused before parsing; ``expected``/``got`` are phrases for a Problem."""

    def __init__(
        self, expected: str, got: str, *, missing: bool = False, special: bool = False
    ) -> None:
        super().__init__(f"expected {expected}, got {got}")
        self.expected = expected
        self.got = got
        #: The file does not exist (callers treat that as "no file yet", not a mistake).
        self.missing = missing
        #: A FIFO, device or socket: not a file at all, so setting it aside would not help.
        self.special = special


class TooDeep(ValueError):
    """The TOML parsed into more levels than Python's recursion allows."""

    expected = _NESTED
    got = _TOO_DEEP

    def __init__(self) -> None:
        super().__init__(f"expected {_NESTED}, got {_TOO_DEEP}")


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"


def _size(count: int) -> str:
    return f"{count / 1_000_000:.0f} MB" if count >= 1_000_000 else f"{count // 1000} kB"


def read_capped(path: Path, limit: int, what: str = "file") -> bytes:
    """The bytes of ``path``, a regular file of at most ``limit`` bytes; else UnreadableFile.

    ``what`` names the file in the phrases ("a config file", ...).  Never blocks on a FIFO and
    never reads more than ``limit + 1`` bytes.
    """
    if path.is_dir():  # checked first: Windows reports opening a directory as "permission denied"
        raise UnreadableFile(f"a {what}", "a directory")
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    flags |= getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise UnreadableFile(f"a {what}", "no such file", missing=True) from None
    except IsADirectoryError:
        raise UnreadableFile(f"a {what}", "a directory") from None
    except PermissionError:
        raise UnreadableFile(f"a {what} cfdash may read", "permission denied") from None
    except OSError as exc:  # e.g. a socket (ENXIO), a dangling mount
        raise UnreadableFile(
            f"a readable {what}", (exc.strerror or type(exc).__name__).lower(), special=True
        ) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            special = not stat.S_ISDIR(info.st_mode)
            raise UnreadableFile(f"a {what} (a regular file)", _kind(info.st_mode), special=special)
        if info.st_size > limit:
            raise UnreadableFile(f"a {what} of at most {_size(limit)}", _size(info.st_size))
        chunks: list[bytes] = []
        total = 0
        while total <= limit:  # the size may have grown since fstat (or lied: /proc)
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > limit:
            raise UnreadableFile(f"a {what} of at most {_size(limit)}", f"more than {_size(limit)}")
        return b"".join(chunks)
    except OSError as exc:
        raise UnreadableFile(
            f"a readable {what}", (exc.strerror or type(exc).__name__).lower()
        ) from None
    finally:
        os.close(fd)


def parse_toml(text: str) -> dict[str, Any]:
    """``tomllib.loads``, with nesting too deep to parse raised as :class:`TooDeep`."""
    try:
        return tomllib.loads(text)
    except RecursionError:
        raise TooDeep() from None
