"""Errors raised by the Clanforge client.

Every error names the account and the endpoint it happened on, so a message can be shown as it
is, and none ever contains a credential: the client never puts headers, keys or the request's
auth into an error, and response excerpts are short and redacted.

The tree::

    ClanforgeError                 anything the client could not turn into a result
    ├── AuthError                  401/403 or a "Forbidden" envelope: the keys were rejected
    ├── ApiError                   an error envelope (often under HTTP 200) with its message
    │   └── NotFoundError          "No rows in result set": unknown job, wrong mirroring flag
    ├── RateLimitedError           HTTP 429; ``retry_after`` holds the delay in seconds, if given
    ├── ServerError                HTTP 5xx
    ├── BadResponseError           not JSON, truncated, undecodable, too large or too deep
    ├── TransportError             connect, timeout, reset: no HTTP answer at all
    │   ├── CertificateError       the server's TLS certificate is not trusted
    │   └── RequestTimeout         no answer within the configured timeout
    └── InternalError              a bug of ours while handling an answer (logged in full)

``TransportError.request_sent`` says whether the request may have reached the server: for a
``queue`` call that means its outcome is unknown, and the caller must not send it again.
"""

from __future__ import annotations

from typing import NotRequired, TypedDict, Unpack

__all__ = [
    "ApiError",
    "AuthError",
    "BadResponseError",
    "CertificateError",
    "ClanforgeError",
    "InternalError",
    "NotFoundError",
    "RateLimitedError",
    "RequestTimeout",
    "ServerError",
    "TransportError",
    "Where",
]


class Where(TypedDict):
    """Where an error happened: the keywords every subclass passes on to ClanforgeError."""

    account: str
    endpoint: str
    status: NotRequired[int | None]


class ClanforgeError(Exception):
    """Base of every client error: carries the account and endpoint it happened on."""

    #: A short phrase for headers and rows ("credentials rejected", "server error 503", ...).
    reason: str = "error"

    def __init__(
        self,
        message: str,
        *,
        account: str,
        endpoint: str,
        status: int | None = None,
    ) -> None:
        self.message = message
        self.account = account
        self.endpoint = endpoint
        self.status = status
        super().__init__(f"{account}: {endpoint}: {message}")

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r})"


class AuthError(ClanforgeError):
    """The service refused the credentials (bad keys, or no access to the ASID)."""

    reason = "credentials rejected"


class ApiError(ClanforgeError):
    """The service answered with its error envelope; ``message`` is its ``error_message``."""

    def __init__(
        self, message: str, *, error_code: int | None = None, **kwargs: Unpack[Where]
    ) -> None:
        self.error_code = error_code
        super().__init__(message, **kwargs)

    @property
    def reason(self) -> str:  # type: ignore[override]
        return self.message


class NotFoundError(ApiError):
    """ "No rows in result set": an unknown job, another account's job, or a wrong flag."""


class RateLimitedError(ClanforgeError):
    """HTTP 429. ``retry_after`` is the server's requested delay in seconds, when it gave one."""

    reason = "rate limited"

    def __init__(
        self, message: str, *, retry_after: float | None = None, **kwargs: Unpack[Where]
    ) -> None:
        self.retry_after = retry_after
        super().__init__(message, **kwargs)


class ServerError(ClanforgeError):
    """HTTP 5xx (or another unexpected status without an envelope).

    ``detail`` is what the answer said: the envelope's message, or a short excerpt of the
    body (often a gateway's HTML page), redacted; empty for an empty body.
    """

    def __init__(self, message: str, *, detail: str = "", **kwargs: Unpack[Where]) -> None:
        self.detail = detail
        super().__init__(message, **kwargs)

    @property
    def reason(self) -> str:  # type: ignore[override]
        return f"server error {self.status}" if self.status else "server error"


class BadResponseError(ClanforgeError):
    """The body was not JSON, was cut short, could not be decompressed, was over the size cap,
    was nested too deeply, or did not have the documented shape."""

    reason = "bad response"


class TransportError(ClanforgeError):
    """No HTTP answer: connection refused or reset, DNS failure, TLS failure, timeout."""

    reason = "unreachable"

    def __init__(
        self, message: str, *, request_sent: bool = False, **kwargs: Unpack[Where]
    ) -> None:
        self.request_sent = request_sent
        super().__init__(message, **kwargs)


class CertificateError(TransportError):
    """TLS verification failed: self-signed, expired, wrong host, unknown CA. Nothing was sent.

    Its own reason, because "unreachable" sends people looking for a network fault when the
    fix is a CA bundle or the right host name.
    """

    reason = "TLS certificate not trusted"


class RequestTimeout(TransportError):
    """No answer within the configured timeout."""

    reason = "timed out"


class InternalError(ClanforgeError):
    """Not the service's fault: our own code failed on an answer. Details go to the log only."""

    reason = "internal error (see log)"

    def __init__(self, cause: BaseException, *, account: str, endpoint: str = "status") -> None:
        super().__init__(
            f"internal error ({type(cause).__name__})", account=account, endpoint=endpoint
        )
