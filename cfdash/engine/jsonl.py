"""An append-only JSON-lines file, rotated by size, that never raises on write.

The event log and the audit trail are both such files, in the state directory, each rotated on
its own: per-job events arrive by the thousand on a busy day, and must never push the record
of what an engineer queued out of its file.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from cfdash.locking import file_lock

__all__ = ["JsonlFile"]

log = logging.getLogger("cfdash.engine")

Record = dict[str, Any]


class JsonlFile:
    """One object per line; past ``max_bytes`` the file becomes ``NAME.1`` (``.2`` … older).

    Writing never raises: an ``OSError`` is kept in :attr:`problem` and returned by
    :meth:`write` the first time it happens, so a UI shows it once rather than on every poll.
    A later successful write clears it (and a new failure after that is reported again).
    """

    #: How the file is named in a problem sentence ("cannot write the event log …").
    what = "the log"

    def __init__(self, path: Path | str, max_bytes: int, backups: int) -> None:
        self.path = Path(path)
        self.max_bytes = max_bytes
        self.backups = max(0, backups)
        #: The current problem writing the file, as a sentence; None while writing works.
        self.problem: str | None = None

    def write(self, records: Iterable[Record]) -> str | None:
        """Append ``records``; a message the first time writing fails, else None."""
        lines = [json.dumps(record, ensure_ascii=False) + "\n" for record in records]
        if not lines:
            return None
        data = "".join(lines).encode("utf-8")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with file_lock(self.path):  # another dashboard may be rotating the same file
                self._rotate_for(len(data))
                with self.path.open("ab") as file:
                    file.write(data)
        except OSError as exc:
            message = f"cannot write {self.what} {self.path}: {exc.strerror or exc}"
            first = self.problem is None
            self.problem = message
            if first:
                log.warning("%s", message)
                return message
            return None
        self.problem = None
        return None

    def _rotate_for(self, incoming: int) -> None:
        try:
            size = self.path.stat().st_size
        except FileNotFoundError:
            return
        if size == 0 or size + incoming <= self.max_bytes:
            return
        if self.backups == 0:
            self.path.unlink()
            return
        for n in range(self.backups - 1, 0, -1):
            older = self.path.with_name(f"{self.path.name}.{n}")
            if older.exists():
                os.replace(older, self.path.with_name(f"{self.path.name}.{n + 1}"))
        os.replace(self.path, self.path.with_name(f"{self.path.name}.1"))

    def files(self) -> list[Path]:
        """The file and its rotated copies that exist, newest first."""
        names = [self.path] + [
            self.path.with_name(f"{self.path.name}.{n}") for n in range(1, self.backups + 1)
        ]
        return [path for path in names if path.exists()]

    def read_back(
        self,
        limit: int | None = None,
        *,
        contains: str | None = None,
        where: Callable[[Record], bool] | None = None,
    ) -> list[Record]:
        """The last ``limit`` records (all with None) that pass the filters, oldest first.

        ``contains`` is a cheap text test made before a line is parsed; ``where`` tests the
        parsed record. Lines that are not JSON objects (a torn write, a hand edit) are skipped.
        """
        found: list[Record] = []
        for record in self._newest_first(contains):
            if where is None or where(record):
                found.append(record)
                if limit is not None and len(found) >= limit:
                    break
        found.reverse()
        return found

    def _newest_first(self, contains: str | None) -> Iterator[Record]:
        for path in self.files():
            try:
                text = path.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            for line in reversed(text.splitlines()):
                if not line or (contains is not None and contains not in line):
                    continue
                try:
                    record = json.loads(line)
                except ValueError:
                    continue
                if isinstance(record, dict):
                    yield record
