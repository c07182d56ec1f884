"""The simulator as an ``aiohttp.web`` application: the API paths plus the admin path.

API (HTTP Basic keys or a Bearer token, ``accountserviceid`` on every call):

- ``GET /cfp/v1/imageinstall/status?accountserviceid=ASID``
- ``GET /cfp/v1/imageinstall/{jobid}/queue?accountserviceid=ASID&mirroring=true|false``
- the update, diff and version status and retry paths and image status (v2), in
  :mod:`cfdash.sim.pipeline_app`

Every API request is counted (``sim.requests``) and then run through the active faults
(``sim.faults``) before and after the model answers (:mod:`cfdash.sim.handling`). The admin
path ``/_sim/...`` lives in :mod:`cfdash.sim.admin`; it needs no auth and answers loopback
clients only.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from cfdash.sim.admin import build_admin_app
from cfdash.sim.faults import FaultKind
from cfdash.sim.handling import (
    SIM_KEY,
    Answer,
    authorize,
    bool_param,
    parse_basic_auth,
    parse_bearer_token,
    positive_int,
    respond,
)
from cfdash.sim.model import Simulator, envelope
from cfdash.sim.pipeline_app import add_pipeline_routes
from cfdash.sim.responses import envelope_response

__all__ = ["SIM_KEY", "STATUS_PATH", "build_app", "parse_basic_auth", "parse_bearer_token"]

STATUS_PATH = "/cfp/v1/imageinstall/status"
QUEUE_PATH = "/cfp/v1/imageinstall/{jobid}/queue"


async def _status(request: web.Request) -> web.StreamResponse:
    sim = request.app[SIM_KEY]
    asid = positive_int(request.query.get("accountserviceid"))
    sim.requests.record_status(asid)
    plan = sim.faults.plan("status", asid)

    def answer() -> Answer:
        allowed = authorize(sim, request, asid)
        if isinstance(allowed, Answer):
            return allowed
        items = sim.status(
            allowed,
            include_complete=plan.has(FaultKind.COMPLETE_NAME),
            include_failed=not plan.has(FaultKind.HIDE_FAILED),
        )
        return Answer(200, {"installs": items})

    return await respond(request, plan, answer)


async def _queue(request: web.Request) -> web.StreamResponse:
    sim = request.app[SIM_KEY]
    asid = positive_int(request.query.get("accountserviceid"))
    jobid = positive_int(request.match_info["jobid"])
    mirroring = bool_param(request.query.get("mirroring"))
    sim.requests.record_queue(asid, jobid, mirroring)
    plan = sim.faults.plan("queue", asid, jobid)

    def answer() -> Answer:
        allowed = authorize(sim, request, asid)
        if isinstance(allowed, Answer):
            return allowed
        if jobid is None:
            return Answer(400, envelope("jobid must be a number"))
        if mirroring is None:
            return Answer(400, envelope("mirroring must be true or false"))
        return Answer(200, sim.queue(allowed, jobid, mirroring))

    return await respond(request, plan, answer)


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
    add_pipeline_routes(app)
    app.add_subapp("/_sim/", build_admin_app(sim))
    return app
