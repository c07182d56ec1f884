"""The Clanforge image-install API client: models, errors and the client. No Textual here."""

from cfdash.api.client import DEFAULT_BASE_URL, ClanforgeClient
from cfdash.api.errors import (
    ApiError,
    AuthError,
    BadResponseError,
    CertificateError,
    ClanforgeError,
    InternalError,
    NotFoundError,
    RateLimitedError,
    RequestTimeout,
    ServerError,
    TransportError,
)
from cfdash.api.models import (
    BadStatusItem,
    ErrorEnvelope,
    JobFields,
    JobState,
    QueueResult,
    StateKind,
    StatusItem,
    StatusList,
    parse_state,
)

__all__ = [
    "DEFAULT_BASE_URL",
    "ApiError",
    "AuthError",
    "BadResponseError",
    "BadStatusItem",
    "CertificateError",
    "ClanforgeClient",
    "ClanforgeError",
    "ErrorEnvelope",
    "InternalError",
    "JobFields",
    "JobState",
    "NotFoundError",
    "QueueResult",
    "RateLimitedError",
    "RequestTimeout",
    "ServerError",
    "StateKind",
    "StatusItem",
    "StatusList",
    "TransportError",
    "parse_state",
]
