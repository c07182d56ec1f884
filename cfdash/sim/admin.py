"""The simulator's admin path, ``/_sim/...``: inspect it and steer it while it serves.

Deliberately separate from the API paths: no auth, but loopback clients only, so a simulator
bound to a public address (``allow_public``) still cannot be steered from elsewhere.

- ``GET /_sim/state`` — settings, accounts (no keys), every job with its fate (pipeline jobs and
  images too), faults
- ``GET /_sim/faults`` / ``POST /_sim/faults`` (a JSON fault, see :class:`Fault`) /
  ``DELETE /_sim/faults`` (all) / ``DELETE /_sim/faults/{id}``
- ``GET /_sim/requests`` / ``DELETE /_sim/requests`` — request counts, queue and retry calls
- ``POST /_sim/clock/advance?seconds=N`` — only when the clock is a :class:`FakeClock`
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from cfdash.sim.clock import FakeClock
from cfdash.sim.faults import Fault
from cfdash.sim.model import Simulator

__all__ = ["build_admin_app", "is_loopback"]

_ADMIN_SIM = web.AppKey("admin_sim", Simulator)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def is_loopback(host: str | None) -> bool:
    """Whether ``host`` (an address, or "localhost") is a loopback address."""
    if not host:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _error(message: str, status: int) -> web.Response:
    return web.json_response({"error": message}, status=status)


@web.middleware
async def _loopback_only(request: web.Request, handler: Handler) -> web.StreamResponse:
    if not is_loopback(request.remote):
        return _error("the admin path answers loopback clients only", 403)
    return await handler(request)


def _sim(request: web.Request) -> Simulator:
    return request.app[_ADMIN_SIM]


async def _state(request: web.Request) -> web.Response:
    return web.json_response(_sim(request).to_json())


async def _list_faults(request: web.Request) -> web.Response:
    return web.json_response({"faults": [f.to_json() for f in _sim(request).faults.active]})


async def _add_fault(request: web.Request) -> web.Response:
    try:
        data: Any = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return _error("the body must be a JSON object describing a fault", 400)
    try:
        fault = Fault.from_json(data)
    except ValueError as exc:
        return _error(str(exc), 400)
    return web.json_response(_sim(request).faults.add(fault).to_json(), status=201)


async def _clear_faults(request: web.Request) -> web.Response:
    _sim(request).faults.clear()
    return web.json_response({"faults": []})


async def _remove_fault(request: web.Request) -> web.Response:
    raw = request.match_info["fault_id"]
    if not (raw.isascii() and raw.isdigit()) or not _sim(request).faults.remove(int(raw)):
        return _error(f"no fault {raw}", 404)
    return web.json_response({"removed": int(raw)})


async def _requests(request: web.Request) -> web.Response:
    return web.json_response(_sim(request).requests.to_json())


async def _reset_requests(request: web.Request) -> web.Response:
    _sim(request).requests.reset()
    return web.json_response(_sim(request).requests.to_json())


async def _advance_clock(request: web.Request) -> web.Response:
    sim = _sim(request)
    if not isinstance(sim.clock, FakeClock):
        return _error("the simulator runs on the real clock; it cannot be advanced", 409)
    try:
        seconds = float(request.query.get("seconds", ""))
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds < float("inf"):
        return _error("seconds must be a non-negative number", 400)
    sim.clock.advance(seconds)
    return web.json_response({"now": sim.advance()})


def build_admin_app(sim: Simulator) -> web.Application:
    """The admin sub-application, mounted at ``/_sim/`` by :func:`cfdash.sim.app.build_app`."""
    app = web.Application(middlewares=[_loopback_only])
    app[_ADMIN_SIM] = sim
    app.router.add_get("/state", _state)
    app.router.add_get("/faults", _list_faults)
    app.router.add_post("/faults", _add_fault)
    app.router.add_delete("/faults", _clear_faults)
    app.router.add_delete("/faults/{fault_id}", _remove_fault)
    app.router.add_get("/requests", _requests)
    app.router.add_delete("/requests", _reset_requests)
    app.router.add_post("/clock/advance", _advance_clock)
    return app
