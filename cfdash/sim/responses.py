"""The HTTP side of faults: bad answers built as the service or a proxy in front of it would.

Kept apart from :mod:`cfdash.sim.app` so the handlers read as the API and this file reads as
the list of ways an answer can go wrong on the wire.
"""

from __future__ import annotations

import json

from aiohttp import web

from cfdash.sim.faults import Fault, FaultKind
from cfdash.sim.records import envelope

__all__ = [
    "drop_connection",
    "envelope_response",
    "json_text_response",
    "replacement_response",
    "truncated_response",
]

_GATEWAY_PAGE = """<!DOCTYPE html>
<html><head><title>{status} {reason}</title></head>
<body><center><h1>{status} {reason}</h1></center><hr><center>nginx</center></body></html>
"""

_PORTAL_PAGE = """<!DOCTYPE html>
<html><head><title>Sign in to the network</title></head>
<body><h1>Welcome</h1><p>Please accept the terms to continue.</p></body></html>
"""


def json_text_response(
    text: str, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    """Send already-encoded JSON text (quirks need exact control of the bytes)."""
    return web.Response(text=text, status=status, content_type="application/json", headers=headers)


def envelope_response(
    message: str, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    """The service's error envelope with ``message``, under any HTTP status."""
    return json_text_response(json.dumps(envelope(message)), status, headers)


def replacement_response(fault: Fault) -> web.Response:
    """The answer sent *instead of* the service's for a replacement fault."""
    kind = fault.kind
    if kind == FaultKind.HTTP_500:
        return envelope_response("Internal Server Error", 500)
    if kind in (FaultKind.HTTP_502, FaultKind.HTTP_503):
        status = 502 if kind == FaultKind.HTTP_502 else 503
        reason = "Bad Gateway" if status == 502 else "Service Temporarily Unavailable"
        page = _GATEWAY_PAGE.format(status=status, reason=reason)
        return web.Response(text=page, status=status, content_type="text/html")
    if kind == FaultKind.HTTP_429:
        return envelope_response("Too Many Requests", 429, {"Retry-After": str(fault.retry_after)})
    if kind == FaultKind.ERROR_ENVELOPE:
        return envelope_response(fault.message, fault.status)
    if kind == FaultKind.NOT_JSON:
        return web.Response(text=_PORTAL_PAGE, status=200, content_type="text/html")
    raise ValueError(f"{kind} is not a replacement fault")


def truncated_response(text: str, status: int = 200) -> web.Response:
    """A complete HTTP response whose JSON body stops half-way (Content-Length matches)."""
    return json_text_response(text[: max(1, len(text) // 2)], status)


async def drop_connection(request: web.Request, text: str, status: int = 200) -> web.StreamResponse:
    """Promise the whole body, send part of it, then close the connection.

    The client sees headers with a Content-Length it never receives: a payload error, not a
    parse error. Returns the half-sent response so aiohttp's bookkeeping stays quiet.
    """
    data = text.encode()
    response = web.StreamResponse(status=status, headers={"Content-Type": "application/json"})
    response.content_length = len(data)
    await response.prepare(request)
    await response.write(data[: max(1, len(data) // 2)])
    if request.transport is not None:
        request.transport.close()
    return response
