"""The asynchronous Clanforge image-install client.

One ``ClanforgeClient`` per account: it knows the account's base URL, ASID and keys, so callers
ask for "the status list" or "queue job 123" and get models or a ``ClanforgeError`` naming the
account. Requests are never retried here — least of all ``queue``, a state-changing GET that the
operator's docs say must never be repeated automatically; backoff is the engine's business.

An account signs in with HTTP Basic (access and secret key) or, on the newer operator, with a
bearer token: same paths, same ``accountserviceid``, and a rejected token is the same
``AuthError`` as rejected keys. The update/diff/version and image-status calls live in
:mod:`cfdash.api.pipeline` and :mod:`cfdash.api.images`; they go through :meth:`request_model`.

Bodies are streamed and refused past :data:`MAX_BODY_BYTES` (counted after decompression), so
a runaway answer costs at most the cap in memory, not its full size.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import ssl
import time
from collections.abc import Generator, Mapping
from types import TracebackType
from typing import TypeVar

import certifi
import httpx
from pydantic import BaseModel, SecretStr

from cfdash import __version__
from cfdash.api.errors import (
    BadResponseError,
    CertificateError,
    ClanforgeError,
    RequestTimeout,
    TransportError,
    Where,
)
from cfdash.api.models import QueueResult, StatusItem
from cfdash.api.parse import parse_response
from cfdash.api.status import StatusBody, parse_status
from cfdash.service import DEFAULT_BASE_URL

__all__ = ["DEFAULT_BASE_URL", "MAX_BODY_BYTES", "ClanforgeClient"]

M = TypeVar("M", bound=BaseModel)

STATUS_PATH = "/cfp/v1/imageinstall/status"
QUEUE_PATH = "/cfp/v1/imageinstall/{jobid}/queue"

#: Larger answers are refused as "response too large": 200,000 jobs (~50 MB) once took 29 s
#: and 2 GB to read. Counted after decompression, in decimal megabytes.
MAX_BODY_BYTES = 32_000_000

log = logging.getLogger("cfdash.api")


class _TooLarge(Exception):
    """The body went past ``MAX_BODY_BYTES``; reading stopped there."""


def _untrusted(error: BaseException) -> ssl.SSLCertVerificationError | None:
    """The certificate failure behind an httpx error, if that is what it is."""
    seen: BaseException | None = error
    for _ in range(8):  # the chain is short; a bound keeps a cycle from looping
        if seen is None:
            return None
        if isinstance(seen, ssl.SSLCertVerificationError):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def _request_error(error: Exception, status: int | None, where: Where) -> ClanforgeError:
    """Map an httpx failure to our error, noting whether the request may have been sent."""
    if isinstance(error, httpx.DecodingError):  # the server answered; its body was garbled
        return BadResponseError("could not decode the response", **where | {"status": status})
    if isinstance(error, httpx.ConnectError) and _untrusted(error) is not None:
        return CertificateError(CertificateError.reason, request_sent=False, **where)
    if isinstance(error, httpx.ConnectTimeout | httpx.PoolTimeout):
        return RequestTimeout("timed out connecting", request_sent=False, **where)
    if isinstance(error, httpx.TimeoutException | TimeoutError):
        return RequestTimeout("timed out waiting for an answer", request_sent=True, **where)
    if isinstance(error, httpx.ConnectError):
        return TransportError("could not connect", request_sent=False, **where)
    if isinstance(error, httpx.RemoteProtocolError | httpx.ReadError | httpx.WriteError):
        return TransportError("connection dropped", request_sent=True, **where)
    return TransportError(f"request failed ({type(error).__name__})", request_sent=True, **where)


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """One verifying TLS context for every client: building one loads the CA bundle (~25 ms)."""
    return ssl.create_default_context(cafile=certifi.where())


def _verify_for(base_url: str) -> ssl.SSLContext | bool:
    # Plain http (allowed for loopback, or by allow_insecure_http) never does TLS: no context.
    return False if base_url.startswith("http://") else _tls_context()


async def _read_capped(response: httpx.Response) -> bytes:
    """The decoded body, or ``_TooLarge`` as soon as it passes the cap.

    httpx inflates each network read (at most 64 KiB) in one go, and deflate packs at most
    about 1,000 to 1, so a compressed bomb can hold some 64 MB for a moment before it is
    counted and dropped; it is never all read.
    """
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise _TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def _secret(value: SecretStr | str) -> SecretStr:
    return value if isinstance(value, SecretStr) else SecretStr(value)


class _BearerAuth(httpx.Auth):
    """``Authorization: Bearer <token>`` on every request; the token stays a ``SecretStr``.

    An ``httpx.Auth`` rather than a default header, so the token never sits in the client's
    header table, where a debugging ``repr`` or an event hook could print it.
    """

    def __init__(self, token: SecretStr) -> None:
        self._token = token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self._token.get_secret_value()}"
        yield request


def _auth_for(
    access_key: SecretStr | None, secret_key: SecretStr | None, token: SecretStr | None
) -> httpx.Auth:
    """Basic for a key pair, Bearer for a token: exactly one of the two (a bug otherwise)."""
    if token is not None:
        if access_key is not None or secret_key is not None:
            raise ValueError("an account signs in with keys or with a token, not both")
        return _BearerAuth(token)
    if access_key is None or secret_key is None:
        raise ValueError("an account needs an access and a secret key, or a token")
    return httpx.BasicAuth(access_key.get_secret_value(), secret_key.get_secret_value())


class ClanforgeClient:
    """Talks to one account of the Clanforge API over HTTP Basic or Bearer auth."""

    def __init__(
        self,
        *,
        account: str,
        accountserviceid: int,
        access_key: SecretStr | str | None = None,
        secret_key: SecretStr | str | None = None,
        token: SecretStr | str | None = None,
        base_url: str = DEFAULT_BASE_URL,
        connect_timeout: float = 5.0,
        read_timeout: float = 10.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.account = account
        self.accountserviceid = accountserviceid
        self.base_url = base_url.rstrip("/")
        self._last: tuple[bytes, StatusBody] | None = None
        #: Items of the last status list left out because their job id could not be read.
        self.unreadable = 0
        self._access_key = _secret(access_key) if access_key is not None else None
        self._secret_key = _secret(secret_key) if secret_key is not None else None
        self._token = _secret(token) if token is not None else None
        #: "basic" or "bearer": how this account signs in (never the credential itself).
        self.auth_scheme = "bearer" if self._token is not None else "basic"
        # A server that dribbles bytes can keep each read under the read timeout forever: the
        # whole exchange also gets a deadline, so a poll always ends.
        self._deadline = connect_timeout + 2 * read_timeout
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            auth=_auth_for(self._access_key, self._secret_key, self._token),
            headers={"User-Agent": f"cfdash/{__version__}", "Cache-Control": "no-cache"},
            timeout=httpx.Timeout(read_timeout, connect=connect_timeout),
            transport=transport,
            follow_redirects=False,
            verify=_verify_for(self.base_url),
        )

    def __repr__(self) -> str:
        return f"ClanforgeClient(account={self.account!r}, base_url={self.base_url!r})"

    async def __aenter__(self) -> ClanforgeClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def status(self) -> list[StatusItem]:
        """Every incomplete install job of the account, in one request.

        A job with unreadable fields comes back without them and with ``bad`` set; one whose
        job id cannot be read is left out and counted in ``unreadable``. Only a bad answer as a
        whole raises. A body identical to the last one is not parsed again, and within a
        changed body each unchanged job keeps its last model (:mod:`cfdash.api.status`): the
        models are immutable, so handing them back is safe and saves most of a poll's CPU.
        """
        endpoint = "status"
        started = time.monotonic()
        status, headers, body = await self._fetch(STATUS_PATH, endpoint, {}, started)
        last = self._last
        if status == 200 and last is not None and body == last[0]:
            return last[1].items
        try:
            result = parse_status(
                status=status,
                headers=headers,
                body=body,
                account=self.account,
                endpoint=endpoint,
                secrets=self._secrets(),
                previous=last[1] if last is not None else None,
            )
        except ClanforgeError as error:
            self._log_failure(endpoint, status, started, str(error))
            raise
        if result.unreadable != self.unreadable and result.unreadable:
            log.warning(
                "status list of %s: %d item(s) without a readable job id left out",
                self.account,
                result.unreadable,
            )
        self.unreadable = result.unreadable
        self._last = (body, result)
        return result.items

    async def queue(self, jobid: int, *, mirroring: bool) -> QueueResult:
        """Queue install job ``jobid``; sent once, never retried.

        A ``TransportError`` with ``request_sent`` means the outcome is unknown: the next status
        list settles it.
        """
        params = {"mirroring": "true" if mirroring else "false"}
        path = QUEUE_PATH.format(jobid=int(jobid))
        return await self.request_model(QueueResult, path, f"queue {jobid}", params)

    async def request_model(
        self, model: type[M], path: str, endpoint: str, params: Mapping[str, str] | None = None
    ) -> M:
        """GET ``path`` (the account's ASID added) and parse it as ``model``, sent once.

        The hook the pipeline and image-status calls use, with the same errors as ``queue``:
        a ``TransportError`` whose ``request_sent`` is true means the answer was lost after the
        request may have arrived. ``endpoint`` names the call in errors and the log.
        """
        started = time.monotonic()
        status, headers, body = await self._fetch(path, endpoint, dict(params or {}), started)
        try:
            return parse_response(
                model,
                status=status,
                headers=headers,
                body=body,
                secrets=self._secrets(),
                account=self.account,
                endpoint=endpoint,
            )
        except ClanforgeError as error:
            self._log_failure(endpoint, status, started, str(error))
            raise

    async def _fetch(
        self, path: str, endpoint: str, params: dict[str, str], started: float
    ) -> tuple[int, httpx.Headers, bytes]:
        """GET ``path``: the status, headers and body, read up to ``MAX_BODY_BYTES``."""
        params = {"accountserviceid": str(self.accountserviceid), **params}
        where = Where(account=self.account, endpoint=endpoint)
        status: int | None = None
        try:
            async with (
                asyncio.timeout(self._deadline),
                self._http.stream("GET", path, params=params) as response,
            ):
                status = response.status_code
                body = await _read_capped(response)
        except _TooLarge:
            self._log_failure(endpoint, status, started, "response too large")
            raise BadResponseError(
                f"response too large: over {MAX_BODY_BYTES // 1_000_000} MB",
                **where | {"status": status},
            ) from None
        except (httpx.HTTPError, TimeoutError) as error:
            untrusted = _untrusted(error)
            why = untrusted.verify_message if untrusted is not None else type(error).__name__
            self._log_failure(endpoint, status, started, why)
            raise _request_error(error, status, where) from None
        return response.status_code, response.headers, body

    def _secrets(self) -> tuple[str, ...]:
        """Every credential of this client, to blank from excerpts of what the server said."""
        held = (self._access_key, self._secret_key, self._token)
        return tuple(secret.get_secret_value() for secret in held if secret is not None)

    def _log_failure(self, endpoint: str, status: int | None, started: float, why: str) -> None:
        log.warning(
            "request failed account=%s endpoint=%s status=%s duration=%.3fs reason=%s",
            self.account,
            endpoint,
            status if status is not None else "-",
            time.monotonic() - started,
            why,
        )
