"""What every simulated API request goes through: authentication, then faults around the model.

Shared by the install handlers (:mod:`cfdash.sim.app`) and the pipeline and image handlers
(:mod:`cfdash.sim.pipeline_app`), so every endpoint signs in, refuses and fails the same way.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from cfdash.sim.faults import FaultKind, FaultPlan
from cfdash.sim.model import Simulator, envelope
from cfdash.sim.quirks import render_body
from cfdash.sim.responses import (
    drop_connection,
    json_text_response,
    replacement_response,
    truncated_response,
)

__all__ = [
    "SIM_KEY",
    "Answer",
    "authorize",
    "bool_param",
    "parse_basic_auth",
    "parse_bearer_token",
    "positive_int",
    "respond",
]

SIM_KEY = web.AppKey("sim", Simulator)

Render = Callable[[dict[str, Any], FaultPlan], str]


@dataclass
class Answer:
    """What the model says before faults touch it."""

    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


def parse_basic_auth(header: str | None) -> tuple[str, str] | None:
    """``(access_key, secret_key)`` from an ``Authorization: Basic`` header, else ``None``.

    Any garbage (wrong scheme, bad base64, not UTF-8, no colon) is simply "no credentials":
    the caller answers 401, never 500.
    """
    if not header:
        return None
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "basic" or not token.strip():
        return None
    try:
        decoded = base64.b64decode(token.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    access, sep, secret = decoded.partition(":")
    if not sep or not access:
        return None
    return access, secret


def parse_bearer_token(header: str | None) -> str | None:
    """The token from an ``Authorization: Bearer`` header, else ``None`` (never an error)."""
    if not header:
        return None
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or any(c.isspace() for c in token):
        return None
    return token


def positive_int(raw: str | None) -> int | None:
    """A path or query number of digits only; anything else is ``None``."""
    if raw is None:
        return None
    raw = raw.strip()
    return int(raw) if raw.isascii() and raw.isdigit() else None


def bool_param(raw: str | None) -> bool | None:
    """``true``/``1``/``false``/``0`` as a bool; anything else is ``None``."""
    value = (raw or "").strip().lower()
    return {"true": True, "1": True, "false": False, "0": False}.get(value)


def authorize(sim: Simulator, request: web.Request, asid: int | None) -> int | Answer:
    """The ASID the request may read, or the error answer that refuses it.

    Basic keys or a bearer token, whichever the request sends; both are refused the same way
    (401 "Forbidden" for credentials nobody holds, 403 for another account's ASID).
    """
    header = request.headers.get("Authorization")
    creds = parse_basic_auth(header)
    token = parse_bearer_token(header) if creds is None else None
    if creds is not None:
        account = sim.account_for_keys(*creds)
    elif token is not None:
        account = sim.account_for_token(token)
    else:
        account = None
    if account is None:
        scheme = "Bearer" if token is not None else "Basic"
        return Answer(401, envelope("Forbidden"), {"WWW-Authenticate": f'{scheme} realm="api"'})
    if asid is None:
        return Answer(400, envelope("accountserviceid is required and must be a number"))
    if account.asid != asid:
        return Answer(403, envelope("Forbidden"))
    return asid


async def respond(
    request: web.Request,
    plan: FaultPlan,
    answer: Callable[[], Answer],
    render: Render = render_body,
) -> web.StreamResponse:
    """Run one request through its fault plan around the model's ``answer``.

    ``render`` turns a successful body into JSON text with the plan's quirks.
    """
    if plan.latency:
        await asyncio.sleep(plan.latency)
    if plan.replacement is not None:
        if plan.hang:
            await asyncio.sleep(plan.hang)
        return replacement_response(plan.replacement)
    result = answer()  # a queue or retry call takes effect here
    text = render(result.body, plan) if result.status == 200 else json.dumps(result.body)
    if plan.hang:
        await asyncio.sleep(plan.hang)
    if plan.damage is not None and plan.damage.kind == FaultKind.TRUNCATED_JSON:
        return truncated_response(text, result.status)
    if plan.damage is not None:
        return await drop_connection(request, text, result.status)
    return json_text_response(text, result.status, result.headers)
