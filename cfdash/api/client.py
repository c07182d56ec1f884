"""The asynchronous Clanforge image-install client.

One ``ClanforgeClient`` per account: it knows the account's base URL, ASID and keys, so callers
ask for "the status list" or "queue job 123" and get models or a ``ClanforgeError`` naming the
account. Requests are never retried here — least of all ``queue``, a state-changing GET that the
operator's docs say must never be repeated automatically; backoff is the engine's business.

An account signs in with HTTP Basic (access and secret key) or, on the newer operator, with a
bearer token: same paths, same ``accountserviceid``, and a rejected token is the same
``AuthError`` as rejected keys. The update/diff/version and image-status calls live in
:mod:`cfdash.api.pipeline` and :mod:`cfdash.api.images`; they go through :meth:`request_model`.
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
from cfdash.api.errors import RequestTimeout, TransportError
from cfdash.api.models import QueueResult, StatusItem, StatusList
from cfdash.api.parse import parse_response

__all__ = ["DEFAULT_BASE_URL", "ClanforgeClient"]

DEFAULT_BASE_URL = "https://api.multiplay.co.uk"
STATUS_PATH = "/cfp/v1/imageinstall/status"
QUEUE_PATH = "/cfp/v1/imageinstall/{jobid}/queue"

log = logging.getLogger("cfdash.api")
M = TypeVar("M", bound=BaseModel)


def _transport_error(error: Exception, **where: str) -> TransportError:
    """Map an httpx failure to our error, noting whether the request may have been sent."""
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
        self._last: tuple[bytes, BaseModel] | None = None
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
        """Every incomplete install job of the account, in one request."""
        result = await self._get(StatusList, STATUS_PATH, "status", {}, reuse=True)
        return result.installs

    async def queue(self, jobid: int, *, mirroring: bool) -> QueueResult:
        """Queue install job ``jobid``; sent once, never retried.

        A ``TransportError`` with ``request_sent`` means the outcome is unknown: the next status
        list settles it.
        """
        path = QUEUE_PATH.format(jobid=int(jobid))
        params = {"mirroring": "true" if mirroring else "false"}
        return await self._get(QueueResult, path, f"queue {jobid}", params)

    async def request_model(
        self, model: type[M], path: str, endpoint: str, params: Mapping[str, str] | None = None
    ) -> M:
        """GET ``path`` (the account's ASID added) and parse it as ``model``, sent once.

        The hook the pipeline and image-status calls use, with the same errors as ``queue``:
        a ``TransportError`` whose ``request_sent`` is true means the answer was lost after the
        request may have arrived. ``endpoint`` names the call in errors and the log.
        """
        return await self._get(model, path, endpoint, dict(params or {}))

    async def _get(
        self,
        model: type[M],
        path: str,
        endpoint: str,
        params: dict[str, str],
        *,
        reuse: bool = False,
    ) -> M:
        """GET and parse; with ``reuse``, a body identical to the last one is not parsed again.

        An unchanged status list is the common case between changes; its models are immutable,
        so handing back the last parse is safe and saves most of an idle poll's CPU.
        """
        params = {"accountserviceid": str(self.accountserviceid), **params}
        where = {"account": self.account, "endpoint": endpoint}
        started = time.monotonic()
        try:
            async with asyncio.timeout(self._deadline):
                response = await self._http.get(path, params=params)
                body = response.content
        except (httpx.HTTPError, TimeoutError) as error:
            self._log_failure(endpoint, None, started, type(error).__name__)
            raise _transport_error(error, **where) from None
        if reuse and response.status_code == 200 and self._last is not None:
            last_body, last_result = self._last
            if body == last_body and isinstance(last_result, model):
                return last_result
        try:
            result = parse_response(
                model,
                status=response.status_code,
                headers=response.headers,
                body=body,
                secrets=self._secrets(),
                **where,
            )
        except Exception as error:
            self._log_failure(endpoint, response.status_code, started, str(error))
            raise
        if reuse:
            self._last = (body, result)
        return result

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
