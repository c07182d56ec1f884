"""The asynchronous Clanforge image-install client.

One ``ClanforgeClient`` per account: it knows the account's base URL, ASID and keys, so callers
ask for "the status list" or "queue job 123" and get models or a ``ClanforgeError`` naming the
account. Requests are never retried here — least of all ``queue``, a state-changing GET that the
operator's docs say must never be repeated automatically; backoff is the engine's business.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import ssl
import time
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


class ClanforgeClient:
    """Talks to one account of the Clanforge API over HTTP Basic auth."""

    def __init__(
        self,
        *,
        account: str,
        accountserviceid: int,
        access_key: SecretStr | str,
        secret_key: SecretStr | str,
        base_url: str = DEFAULT_BASE_URL,
        connect_timeout: float = 5.0,
        read_timeout: float = 10.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.account = account
        self.accountserviceid = accountserviceid
        self.base_url = base_url.rstrip("/")
        self._last: tuple[bytes, BaseModel] | None = None
        self._access_key = _secret(access_key)
        self._secret_key = _secret(secret_key)
        # A server that dribbles bytes can keep each read under the read timeout forever: the
        # whole exchange also gets a deadline, so a poll always ends.
        self._deadline = connect_timeout + 2 * read_timeout
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            auth=httpx.BasicAuth(
                self._access_key.get_secret_value(), self._secret_key.get_secret_value()
            ),
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

    def _secrets(self) -> tuple[str, str]:
        return (self._access_key.get_secret_value(), self._secret_key.get_secret_value())

    def _log_failure(self, endpoint: str, status: int | None, started: float, why: str) -> None:
        log.warning(
            "request failed account=%s endpoint=%s status=%s duration=%.3fs reason=%s",
            self.account,
            endpoint,
            status if status is not None else "-",
            time.monotonic() - started,
            why,
        )
