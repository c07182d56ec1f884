"""cfdash's own state file: what the user changed in the UI, kept between runs.

The user's config is never rewritten (that would lose their comments); instead jobs added
or removed in the UI, and the chosen theme, sort and filters, live in ``state.toml``::

    version = 1
    theme = "cfdash-light"
    sort = "eta"
    sort_reverse = true
    filter = "staging"
    release = 4242
    failed_only = true

    [[added]]
    account = "production"
    id = 5551003
    mirroring = true

    [[removed]]
    account = "production"
    id = 5551001

Two promises, because losing what the user set up is the failure that matters here:

* writes are atomic — a temp file in the same directory, fsynced, then ``os.replace`` and an
  fsync of the directory — so a crash leaves the old file or the new one, never half of one;
* a file that cannot be read is moved aside to ``state.toml.corrupt-<timestamp>`` and
  reported, never silently overwritten by the next save.
"""

from __future__ import annotations

import os
import tempfile
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import tomli_w
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from cfdash.config.errors import StateError, display_path
from cfdash.config.problems import key_path
from cfdash.config.schema import JobEntry

__all__ = ["STATE_VERSION", "State", "StateStore"]

STATE_VERSION = 1


@dataclass
class State:
    """What the UI changed.  Mutable: the app edits it, then hands it to :meth:`StateStore.save`.

    ``added_jobs`` keeps the order jobs were added in (the table shows them that way);
    ``removed_jobs`` holds configured jobs the user stopped tracking, by (account, job id).
    The rest is the saved view: ``filter`` is the text filter, ``release`` the one image
    version shown (None: all).
    """

    added_jobs: list[tuple[str, JobEntry]] = field(default_factory=list)
    removed_jobs: set[tuple[str, int]] = field(default_factory=set)
    theme: str | None = None
    sort: str | None = None
    sort_reverse: bool = False
    filter: str | None = None
    release: int | None = None
    failed_only: bool = False
    hide_finished: bool = False


# The file's shape.  strict, so a hand-edited `id = "5"` is caught rather than coerced;
# unknown top-level keys are ignored so an older cfdash can read a newer file.
class _AddedRow(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")
    account: str
    id: int = Field(gt=0)
    mirroring: bool | None = None
    label: str | None = None


class _RemovedRow(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")
    account: str
    id: int = Field(gt=0)


class _StateFile(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore")
    version: int = STATE_VERSION
    theme: str | None = None
    sort: str | None = None
    sort_reverse: bool = False
    filter: str | None = None
    release: int | None = None
    failed_only: bool = False
    hide_finished: bool = False
    added: list[_AddedRow] = []
    removed: list[_RemovedRow] = []


class StateStore:
    """Loads and saves :class:`State` at ``path`` (normally :func:`~cfdash.config.state_path`).

    After :meth:`load`, ``recovered_from`` is the path an unreadable file was moved to (or
    ``None``) and ``recovery_message`` a sentence to show the user about it.
    """

    def __init__(self, path: Path, *, now: Callable[[], datetime] = datetime.now) -> None:
        self.path = Path(path)
        self._now = now  # injectable so tests can predict the .corrupt-<timestamp> name
        self.recovered_from: Path | None = None
        self.recovery_message: str | None = None

    def load(self) -> State:
        """The saved state; an empty one if there is none or it had to be set aside."""
        self.recovered_from = None
        self.recovery_message = None
        self._sweep_temp_files()
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return State()
        except OSError as exc:
            return self._set_aside(f"it could not be read: {exc.strerror or exc}")
        try:
            data = tomllib.loads(raw.decode("utf-8"))
        except UnicodeDecodeError:
            return self._set_aside("it is not UTF-8 text")
        except tomllib.TOMLDecodeError as exc:
            return self._set_aside(f"it is not valid TOML: {exc}")
        try:
            parsed = _StateFile.model_validate(data)
        except ValidationError as exc:
            where = key_path(exc.errors()[0]["loc"]) or "the top level"
            return self._set_aside(f"it does not have the expected shape (at {where})")
        return State(
            added_jobs=[
                (row.account, JobEntry(id=row.id, mirroring=row.mirroring, label=row.label))
                for row in parsed.added
            ],
            removed_jobs={(row.account, row.id) for row in parsed.removed},
            theme=parsed.theme,
            sort=parsed.sort,
            sort_reverse=parsed.sort_reverse,
            filter=parsed.filter,
            release=parsed.release,
            failed_only=parsed.failed_only,
            hide_finished=parsed.hide_finished,
        )

    def save(self, state: State) -> None:
        """Write ``state`` atomically; raises :class:`StateError` (old file untouched) if not."""
        payload = tomli_w.dumps(_to_toml(state)).encode("utf-8")  # before any file is made
        directory = self.path.parent
        try:
            directory.mkdir(parents=True, exist_ok=True)
            fd, temp_name = tempfile.mkstemp(
                prefix=f".{self.path.name}.", suffix=".tmp", dir=directory
            )
        except OSError as exc:
            raise StateError(self._cannot_save(exc)) from exc
        temp = Path(temp_name)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(payload)
                handle.flush()
                os.fsync(handle.fileno())  # the data must be on disk before the rename is
            os.replace(temp, self.path)
        except BaseException as exc:
            temp.unlink(missing_ok=True)  # no litter, whatever went wrong
            if isinstance(exc, OSError):
                raise StateError(self._cannot_save(exc)) from exc
            raise
        _fsync_directory(directory)  # make the rename itself survive a power cut

    def _sweep_temp_files(self) -> None:
        """Remove temp files a killed save left behind; the real file was never touched."""
        for leftover in self.path.parent.glob(f".{self.path.name}.*.tmp"):
            leftover.unlink(missing_ok=True)

    def _cannot_save(self, exc: OSError) -> str:
        return f"{display_path(self.path)}: could not save cfdash's state ({exc.strerror or exc})"

    def _set_aside(self, reason: str) -> State:
        stamp = self._now().strftime("%Y%m%dT%H%M%S")
        target = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        counter = 1
        while target.exists():  # two recoveries in one second must not clobber each other
            target = self.path.with_name(f"{self.path.name}.corrupt-{stamp}-{counter}")
            counter += 1
        try:
            os.rename(self.path, target)
        except OSError as exc:
            # Starting empty would let the next save overwrite the file: refuse instead.
            raise StateError(
                f"{display_path(self.path)}: {reason}, and it could not be set aside "
                f"({exc.strerror or exc}); move it away to start afresh"
            ) from None
        self.recovered_from = target
        self.recovery_message = (
            f"{display_path(self.path)}: {reason}; it was moved to {target.name} "
            "and cfdash started with an empty state"
        )
        return State()


_SCALARS = (
    "theme", "sort", "sort_reverse", "filter", "release", "failed_only", "hide_finished"
)  # fmt: skip


def _to_toml(state: State) -> dict[str, Any]:
    # TOML has no null: absent keys stand for None (and for False).
    data: dict[str, Any] = {"version": STATE_VERSION}
    for name in _SCALARS:
        value = getattr(state, name)
        if value is not None and value is not False:
            data[name] = value
    added = []
    for account, job in state.added_jobs:
        row: dict[str, Any] = {"account": account, "id": job.id}
        if job.mirroring is not None:
            row["mirroring"] = job.mirroring
        if job.label is not None:
            row["label"] = job.label
        added.append(row)
    if added:
        data["added"] = added
    if state.removed_jobs:
        data["removed"] = [
            {"account": account, "id": job_id} for account, job_id in sorted(state.removed_jobs)
        ]
    return data


def _fsync_directory(directory: Path) -> None:
    if os.name != "posix":
        return  # Windows cannot open a directory; its rename is durable enough
    fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    except OSError:
        pass  # some filesystems refuse to fsync a directory; the replace has happened anyway
    finally:
        os.close(fd)
