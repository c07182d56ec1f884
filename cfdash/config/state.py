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

    [[seen]]                  # each job tracked by id as last seen: see cfdash.config.lastseen
    account = "production"
    stage = "install"
    id = 5551001
    at = 1795848784.5
    word = "Running"
    progress = 97

Three promises, because losing what the user set up is the failure that matters here:

* writes are atomic — a temp file in the same directory, fsynced, then ``os.replace`` and an
  fsync of the directory — so a crash leaves the old file or the new one, never half of one;
* two dashboards sharing the file lose nothing: a save takes the lock beside the file
  (:mod:`cfdash.locking`), reads the file again, applies only what *this* instance changed
  since it last loaded or saved (jobs added and removed, settings changed) and writes the
  result — so A's 7777 survives B's save of 6666;
* a file that cannot be read for any reason — not TOML, the wrong shape, nested too deeply,
  over 8 MB — is moved aside to ``state.toml.corrupt-<timestamp>`` and reported, never
  silently overwritten by the next save.  Only a path that is not a regular file at all (a
  FIFO, a device) is refused outright, since moving it would not make it readable.
"""

from __future__ import annotations

import contextlib
import copy
import os
import tempfile
import tomllib
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import tomli_w
from pydantic import ValidationError

from cfdash.config.errors import StateError, display_path
from cfdash.config.files import (
    STATE_MAX_BYTES,
    TooDeep,
    UnreadableFile,
    parse_toml,
    read_capped,
)
from cfdash.config.problems import key_path
from cfdash.config.state_merge import FIELD_MERGES, _merge_setting, merge_states
from cfdash.config.state_rows import STATE_VERSION, State, StateFile, state_from_file, state_to_toml
from cfdash.locking import file_lock

__all__ = ["FIELD_MERGES", "STATE_VERSION", "State", "StateStore", "merge_states"]

_ = _merge_setting  # re-exported for the tests of the merge rule


class _Corrupt(Exception):
    """The file is there but cannot be used; the message says why, for the set-aside notice."""


class StateStore:
    """Loads and saves :class:`State` at ``path`` (normally :func:`~cfdash.config.state_path`).

    After :meth:`load`, ``recovered_from`` is the path an unreadable file was moved to (or
    ``None``) and ``recovery_message`` a sentence to show the user about it.

    The store remembers the state it last loaded or saved (``known``): :meth:`save` writes
    only the difference between that and the state it is given on top of what is in the
    file *now*, which is how two instances sharing the file keep each other's changes.
    """

    def __init__(self, path: Path, *, now: Callable[[], datetime] = datetime.now) -> None:
        self.path = Path(path)
        self._now = now  # injectable so tests can predict the .corrupt-<timestamp> name
        self.recovered_from: Path | None = None
        self.recovery_message: str | None = None
        #: What this instance last loaded or saved: the base its next save's changes are from.
        self.known = State()
        # The file as this instance last read or wrote it, keyed by its identity, so a save
        # with no other writer in between skips reading it again.
        self._seen: tuple[tuple[int, int, int, int], State] | None = None

    def load(self) -> State:
        """The saved state; an empty one if there is none or it had to be set aside.

        Raises :class:`StateError` for a path that is not a regular file, or for a corrupt
        file that could not be moved aside.
        """
        self.recovered_from = None
        self.recovery_message = None
        with self._locked(create=False):
            self._sweep_temp_files()
            identity = self._identity()
            try:
                state = self._read()
            except _Corrupt as corrupt:
                state = self._set_aside(str(corrupt))
                identity = None
        self.known = copy.deepcopy(state)  # the caller may edit the one it was handed
        self._seen = (identity, copy.deepcopy(state)) if identity is not None else None
        return state

    def save(self, state: State) -> State:
        """Merge this instance's changes into the file, atomically; returns what was written.

        The changes are ``state`` against :attr:`known`.  Raises :class:`StateError` (old
        file untouched) if the file cannot be written.
        """
        directory = self.path.parent
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StateError(self._cannot_save(exc)) from exc
        with self._locked(create=True):
            identity = self._identity()
            if self._seen is not None and identity == self._seen[0]:
                on_disk = self._seen[1]  # nobody wrote it since we last did
            else:
                try:
                    on_disk = self._read()
                except _Corrupt as corrupt:  # damaged since we loaded: keep it for the user
                    on_disk = self._set_aside(str(corrupt))
            merged = merge_states(self.known, state, on_disk)
            self._write(merged)
            identity = self._identity()
        self.known = copy.deepcopy(state)
        self._seen = (identity, copy.deepcopy(merged)) if identity is not None else None
        return merged

    def _identity(self) -> tuple[int, int, int, int] | None:
        """What tells one version of the file from another: a save replaces the inode."""
        try:
            info = os.stat(self.path)
        except OSError:
            return None
        return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)

    @contextlib.contextmanager
    def _locked(self, *, create: bool) -> Iterator[None]:
        """Hold the lock beside the file; without ``create``, only if its folder exists."""
        with contextlib.ExitStack() as stack:
            # A read-only command must not make folders; with no folder there is nothing to read.
            if create or self.path.parent.is_dir():
                try:
                    stack.enter_context(file_lock(self.path))
                except OSError as exc:
                    if create:
                        raise StateError(self._cannot_save(exc)) from exc
                    # A folder we may not write to: reading without the lock is still safe.
            yield

    def _read(self) -> State:
        """The file's state (empty if there is none); raises _Corrupt or StateError."""
        try:
            raw = read_capped(self.path, STATE_MAX_BYTES, "state file")
        except UnreadableFile as unreadable:
            if unreadable.missing:
                return State()
            if unreadable.special:
                raise StateError(
                    f"{display_path(self.path)}: expected {unreadable.expected}, got "
                    f"{unreadable.got}; move it away to start afresh"
                ) from None
            raise _Corrupt(f"it could not be read ({unreadable})") from None
        try:
            data = parse_toml(raw.decode("utf-8"))
        except UnicodeDecodeError:
            raise _Corrupt("it is not UTF-8 text") from None
        except tomllib.TOMLDecodeError as exc:
            raise _Corrupt(f"it is not valid TOML: {exc}") from None
        except TooDeep:
            raise _Corrupt("it is nested too deeply to read") from None
        except (ValueError, MemoryError) as exc:  # whatever else a parser may raise
            raise _Corrupt(f"it could not be parsed ({type(exc).__name__})") from None
        try:
            return state_from_file(StateFile.model_validate(data))
        except ValidationError as exc:
            where = key_path(exc.errors()[0]["loc"]) or "the top level"
            raise _Corrupt(f"it does not have the expected shape (at {where})") from None
        except (RecursionError, MemoryError, ValueError) as exc:
            raise _Corrupt(f"it could not be parsed: {type(exc).__name__}") from None

    def _write(self, state: State) -> None:
        payload = tomli_w.dumps(state_to_toml(state)).encode("utf-8")  # before any file is made
        directory = self.path.parent
        try:
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
        """Remove temp files a killed save left behind (under the lock: none is in use)."""
        try:
            leftovers = list(self.path.parent.glob(f".{self.path.name}.*.tmp"))
        except OSError:
            return
        for leftover in leftovers:
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
            f"{display_path(self.path)}: {reason}; it was moved to {display_path(target)} "
            "and cfdash started with an empty state"
        )
        return State()


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
