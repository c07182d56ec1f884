"""The simulator as an ``aiohttp.web`` application: the two API paths plus the admin path.

API (HTTP Basic auth, ``accountserviceid`` on every call):

- ``GET /cfp/v1/imageinstall/status?accountserviceid=ASID``
- ``GET /cfp/v1/imageinstall/{jobid}/queue?accountserviceid=ASID&mirroring=true|false``

Every API request is counted (``sim.requests``) and then run through the active faults
(``sim.faults``) before and after the model answers. The admin path ``/_sim/...`` lives in
:mod:`cfdash.sim.admin`; it needs no auth and answers loopback clients only.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from cfdash.sim.admin import build_admin_app
from cfdash.sim.faults import FaultKind, FaultPlan
from cfdash.sim.model import Simulator, envelope
from cfdash.sim.quirks import render_body
from cfdash.sim.responses import (
    drop_connection,
    envelope_response,
    json_text_response,
    replacement_response,
    truncated_response,
)

__all__ = ["SIM_KEY", "STATUS_PATH", "build_app", "parse_basic_auth"]

SIM_KEY = web.AppKey("sim", Simulator)
STATUS_PATH = "/cfp/v1/imageinstall/status"
QUEUE_PATH = "/cfp/v1/imageinstall/{jobid}/queue"


@dataclass
class _Answer:
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


def _positive_int(raw: str | None) -> int | None:
    if raw is None:
        return None
    raw = raw.strip()
    return int(raw) if raw.isascii() and raw.isdigit() else None


def _bool_param(raw: str | None) -> bool | None:
    value = (raw or "").strip().lower()
    return {"true": True, "1": True, "false": False, "0": False}.get(value)


def _authorize(sim: Simulator, request: web.Request, asid: int | None) -> int | _Answer:
    """The ASID the request may read, or the error answer that refuses it."""
    creds = parse_basic_auth(request.headers.get("Authorization"))
    account = sim.account_for_keys(*creds) if creds else None
    if account is None:
        return _Answer(401, envelope("Forbidden"), {"WWW-Authenticate": 'Basic realm="api"'})
    if asid is None:
        return _Answer(400, envelope("accountserviceid is required and must be a number"))
    if account.asid != asid:
        return _Answer(403, envelope("Forbidden"))
    return asid


async def _respond(
    request: web.Request, plan: FaultPlan, answer: Callable[[], _Answer]
) -> web.StreamResponse:
    """Run one request through its fault plan around the model's ``answer``."""
    if plan.latency:
        await asyncio.sleep(plan.latency)
    if plan.replacement is not None:
        if plan.hang:
            await asyncio.sleep(plan.hang)
        return replacement_response(plan.replacement)
    result = answer()  # a queue call takes effect here
    text = render_body(result.body, plan) if result.status == 200 else json.dumps(result.body)
    if plan.hang:
        await asyncio.sleep(plan.hang)
    if plan.damage is not None and plan.damage.kind == FaultKind.TRUNCATED_JSON:
        return truncated_response(text, result.status)
    if plan.damage is not None:
        return await drop_connection(request, text, result.status)
    return json_text_response(text, result.status, result.headers)


async def _status(request: web.Request) -> web.StreamResponse:
    sim = request.app[SIM_KEY]
    asid = _positive_int(request.query.get("accountserviceid"))
    sim.requests.record_status(asid)
    plan = sim.faults.plan("status", asid)

    def answer() -> _Answer:
        allowed = _authorize(sim, request, asid)
        if isinstance(allowed, _Answer):
            return allowed
        items = sim.status(
            allowed,
            include_complete=plan.has(FaultKind.COMPLETE_NAME),
            include_failed=not plan.has(FaultKind.HIDE_FAILED),
        )
        return _Answer(200, {"installs": items})

    return await _respond(request, plan, answer)


async def _queue(request: web.Request) -> web.StreamResponse:
    sim = request.app[SIM_KEY]
    asid = _positive_int(request.query.get("accountserviceid"))
    jobid = _positive_int(request.match_info["jobid"])
    mirroring = _bool_param(request.query.get("mirroring"))
    sim.requests.record_queue(asid, jobid, mirroring)
    plan = sim.faults.plan("queue", asid, jobid)

    def answer() -> _Answer:
        allowed = _authorize(sim, request, asid)
        if isinstance(allowed, _Answer):
            return allowed
        if jobid is None:
            return _Answer(400, envelope("jobid must be a number"))
        if mirroring is None:
            return _Answer(400, envelope("mirroring must be true or false"))
        return _Answer(200, sim.queue(allowed, jobid, mirroring))

    return await _respond(request, plan, answer)


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def _envelope_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Unknown paths and methods get the service's envelope, not aiohttp's text page."""
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400 or request.path.startswith("/_sim/"):
            raise
        return envelope_response(exc.reason, exc.status)


def build_app(sim: Simulator) -> web.Application:
    """The simulator's web app, serving ``sim``."""
    app = web.Application(middlewares=[_envelope_errors])
    app[SIM_KEY] = sim
    app.router.add_get(STATUS_PATH, _status)
    app.router.add_get(QUEUE_PATH, _queue)
    app.add_subapp("/_sim/", build_admin_app(sim))
    return app
