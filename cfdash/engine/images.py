"""Fleet readiness: the watched images of each account, read once per refresh of that account.

The engine calls :meth:`ImagePoller.read` right after an account's install list has been
merged and its ``PollDone`` sent, so the rows are drawn before any image is asked about, and the
account's next poll is armed only once every image answered: reads never overlap, and each
image costs one ``GET /cfp/v2/project/<asid>/image/<id>/status?detail=true`` per refresh.

Whose trouble an error is follows the rule for per-job calls (decisions, "Pipeline calls"):

- 401/403 is the account's: the same credentials read the install list. The account's health
  says "credentials rejected" and it waits for ``R`` like any rejected account.
- 429 is the account's too: it is the same API, so the whole account backs off
  (``Retry-After`` wins, through :class:`~cfdash.engine.health.Backoff`).
- anything else belongs to that image's line alone; the account stays ok.

When the install list itself could not be read for one of those two reasons, the images are
not asked either (they would only meet the same refusal): their lines keep what they last
showed, marked as not confirmed. A line always keeps the last counts that were read.

No Textual here: the dashboard, ``cfdash status`` and the tests read the same lines.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeGuard

from cfdash.api.errors import (
    AuthError,
    ClanforgeError,
    InternalError,
    NotFoundError,
    RateLimitedError,
)
from cfdash.api.images import ImageStatus, image_endpoint, image_status
from cfdash.engine.health import AccountHealth
from cfdash.engine.scrub import scrub_error
from cfdash.redact import REDACTOR

if TYPE_CHECKING:
    from cfdash.api.client import ClanforgeClient

__all__ = [
    "ImageKey",
    "ImageLine",
    "ImagePoller",
    "ImagesRead",
    "account_trouble",
]

log = logging.getLogger("cfdash.engine")

#: (account, image id): one watched image.
ImageKey = tuple[str, int]


def account_trouble(
    error: ClanforgeError | None,
) -> TypeGuard[AuthError | RateLimitedError]:
    """Whether an error on a per-image (or per-job) call is the whole account's to bear."""
    return isinstance(error, AuthError | RateLimitedError)


@dataclass(eq=False)
class ImageLine:
    """One watched image: the last counts read, and how the latest attempt went."""

    account: str
    imageid: int
    label: str | None = None
    #: The last answer that was read (kept when a later read fails).
    status: ImageStatus | None = None
    #: This image's own trouble at the latest attempt (never the account's: see the module).
    error: ClanforgeError | None = None
    #: The latest attempt read it. False before the first read, after its own error, and
    #: while the account's trouble keeps it from being asked.
    confirmed: bool = False
    read_at: float | None = None
    requests: int = 0

    @property
    def key(self) -> ImageKey:
        return (self.account, self.imageid)

    @property
    def name(self) -> str:
        """``image 1001 mygame-server``."""
        return f"image {self.imageid}" + (f" {self.label}" if self.label else "")

    @property
    def problem(self) -> str | None:
        """This image's own trouble in a few words, for a line or a table cell."""
        if self.error is None:
            return None
        if isinstance(self.error, NotFoundError):
            return "not found (a wrong id, or another account's image)"
        return self.error.reason

    @property
    def state(self) -> str:
        """``ready``, ``rolling out``, ``error`` (its own), ``not read`` (not yet, or held back
        by the account's trouble)."""
        if self.error is not None:
            return "error"
        if self.status is None:
            return "not read"
        return "ready" if self.status.ready else "rolling out"


@dataclass(frozen=True)
class ImagesRead:
    """The images of one account were read (or held back); their lines are up to date."""

    account: str
    lines: tuple[ImageLine, ...]
    #: Set when an image call met the account's trouble (401/403, 429).
    trouble: ClanforgeError | None = None


ImagesListener = Callable[[ImagesRead], None]


def _scrub_status(status: ImageStatus) -> ImageStatus:
    """``status``, or a copy with any secret blanked from its text (names, extra fields)."""
    texts: list[str] = []
    _strings(status.model_dump(mode="json"), texts)
    if not texts or not REDACTOR.contains("\n".join(texts)):
        return status
    return ImageStatus.model_validate(_redacted(status.model_dump(mode="json")))


def _strings(value: Any, into: list[str]) -> None:
    if isinstance(value, str):
        into.append(value)
    elif isinstance(value, list | tuple):
        for item in value:
            _strings(item, into)
    elif isinstance(value, dict):
        for item in value.values():
            _strings(item, into)


def _redacted(value: Any) -> Any:
    if isinstance(value, str):
        return REDACTOR.redact(value)
    if isinstance(value, list | tuple):
        return [_redacted(item) for item in value]
    if isinstance(value, dict):
        return {key: _redacted(item) for key, item in value.items()}
    return value


@dataclass
class _Account:
    lines: list[ImageLine] = field(default_factory=list)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class ImagePoller:
    """Every account's watched images, their latest readings, and who wants to hear of them."""

    def __init__(
        self,
        watched: Mapping[str, Iterable[Any]],
        *,
        clock: Callable[[], float],
    ) -> None:
        """``watched`` maps an account to its image entries (anything with ``id``/``label``)."""
        self.clock = clock
        self._accounts: dict[str, _Account] = {}
        for account, entries in watched.items():
            lines = [ImageLine(account, entry.id, entry.label) for entry in entries]
            if lines:
                self._accounts[account] = _Account(lines)
        self._listeners: list[ImagesListener] = []

    @property
    def lines(self) -> list[ImageLine]:
        """Every watched image, account by account in config order, each in config order."""
        return [line for each in self._accounts.values() for line in each.lines]

    def for_account(self, account: str) -> Sequence[ImageLine]:
        each = self._accounts.get(account)
        return tuple(each.lines) if each is not None else ()

    def get(self, key: ImageKey) -> ImageLine | None:
        return next((line for line in self.for_account(key[0]) if line.imageid == key[1]), None)

    def __len__(self) -> int:
        return sum(len(each.lines) for each in self._accounts.values())

    def subscribe(self, listener: ImagesListener) -> Callable[[], None]:
        """Call ``listener`` after each account's images are read; returns the unsubscribe."""
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    def _emit(self, event: ImagesRead) -> None:
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:  # a broken listener must not stop polling
                log.exception("images listener failed")

    async def read(
        self,
        account: str,
        polled: ClanforgeError | None,
        client: ClanforgeClient,
        health: AccountHealth,
    ) -> ClanforgeError | None:
        """Read ``account``'s images once, after its install list (whose error is ``polled``).

        Returns the account's trouble met on an image call (401/403 or 429), already written
        into ``health``, so the engine can back the account off; None otherwise. Skipped
        (None) while a read of the same account is still out.
        """
        each = self._accounts.get(account)
        if each is None or each.lock.locked():
            return None
        async with each.lock:
            if account_trouble(polled):
                for line in each.lines:
                    line.confirmed = False
                self._emit(ImagesRead(account, tuple(each.lines)))
                return None
            results = await asyncio.gather(*(self._one(client, line) for line in each.lines))
            trouble = _worst([error for error in results if account_trouble(error)])
            if trouble is not None:
                health.failures += 1
                health.state = "auth" if isinstance(trouble, AuthError) else "backoff"
                health.reason = trouble.reason
            self._emit(ImagesRead(account, tuple(each.lines), trouble))
            return trouble

    async def _one(self, client: ClanforgeClient, line: ImageLine) -> ClanforgeError | None:
        """Read one image into its line; the error met, if any."""
        line.requests += 1
        try:
            status = _scrub_status(await image_status(client, line.imageid, detail=True))
        except ClanforgeError as failure:
            error: ClanforgeError = scrub_error(failure)  # a body may echo the credentials
        except Exception as bug:  # a bug must cost one reading of one image, nothing more
            log.exception("reading %s of %s failed unexpectedly", line.name, line.account)
            error = InternalError(bug, account=line.account, endpoint=image_endpoint(line.imageid))
        else:
            line.status, line.error, line.confirmed = status, None, True
            line.read_at = self.clock()
            return None
        line.confirmed = False
        # The account's trouble is shown on the account, not as this image's fault.
        line.error = None if account_trouble(error) else error
        return error


def _worst(errors: list[ClanforgeError]) -> ClanforgeError | None:
    """Rejected credentials outrank a rate limit: they need the user, not patience."""
    auth = [error for error in errors if isinstance(error, AuthError)]
    return (auth or errors or [None])[0]
