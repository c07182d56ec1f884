"""The simulator's handlers for the rest of the pipeline and for fleet readiness.

- ``GET /cfp/v1/imageupdate/{id}/status`` and ``.../retry``
- ``GET /cfp/v1/imagediff/{id}/status[?diff_info=1]`` and ``.../retry``
- ``GET /cfp/v1/imageversion/{id}/status`` (there is no version retry: 404, as for any path)
- ``GET /cfp/v2/project/{asid}/image/{imageid}/status?detail=true|false`` (the ASID in the
  path; an ``accountserviceid`` in the query is ignored, as extra parameters are)

Each is counted and run through its faults like the install endpoints, under the names the
recorder and faults use (``update_status``, ``diff_retry``, ``image_status``...).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from cfdash.sim.faults import FaultKind
from cfdash.sim.handling import SIM_KEY, Answer, authorize, bool_param, positive_int, respond
from cfdash.sim.model import envelope
from cfdash.sim.quirks import render_image_body
from cfdash.sim.recorder import Endpoint
from cfdash.stages import PipelineStage

__all__ = ["IMAGE_STATUS_PATH", "STAGE_PATHS", "add_pipeline_routes"]

STAGE_PATHS: dict[PipelineStage, str] = {
    "update": "/cfp/v1/imageupdate/{jobid}",
    "diff": "/cfp/v1/imagediff/{jobid}",
    "version": "/cfp/v1/imageversion/{jobid}",
}
IMAGE_STATUS_PATH = "/cfp/v2/project/{asid}/image/{imageid}/status"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _status_handler(stage: PipelineStage) -> Handler:
    endpoint: Endpoint = f"{stage}_status"  # type: ignore[assignment]

    async def handle(request: web.Request) -> web.StreamResponse:
        sim = request.app[SIM_KEY]
        asid = positive_int(request.query.get("accountserviceid"))
        jobid = positive_int(request.match_info["jobid"])
        diff_info = bool_param(request.query.get("diff_info")) is True
        sim.requests.record(endpoint, asid, jobid)
        plan = sim.faults.plan(endpoint, asid, jobid)

        def answer() -> Answer:
            allowed = authorize(sim, request, asid)
            if isinstance(allowed, Answer):
                return allowed
            if jobid is None:
                return Answer(400, envelope(f"{stage} id must be a number"))
            body = sim.pipeline.status(
                allowed,
                stage,
                jobid,
                diff_info=diff_info and stage == "diff",
                hide_failed=plan.has(FaultKind.HIDE_FAILED),
            )
            return Answer(200, body)

        return await respond(request, plan, answer)

    return handle


def _retry_handler(stage: PipelineStage) -> Handler:
    endpoint: Endpoint = f"{stage}_retry"  # type: ignore[assignment]

    async def handle(request: web.Request) -> web.StreamResponse:
        sim = request.app[SIM_KEY]
        asid = positive_int(request.query.get("accountserviceid"))
        jobid = positive_int(request.match_info["jobid"])
        sim.requests.record_retry(stage, asid, jobid)
        plan = sim.faults.plan(endpoint, asid, jobid)

        def answer() -> Answer:
            allowed = authorize(sim, request, asid)
            if isinstance(allowed, Answer):
                return allowed
            if jobid is None:
                return Answer(400, envelope(f"{stage} id must be a number"))
            return Answer(200, sim.pipeline.retry(allowed, stage, jobid))

        return await respond(request, plan, answer)

    return handle


async def _image_status(request: web.Request) -> web.StreamResponse:
    sim = request.app[SIM_KEY]
    asid = positive_int(request.match_info["asid"])
    imageid = positive_int(request.match_info["imageid"])
    raw_detail = request.query.get("detail")
    detail = bool_param(raw_detail) if raw_detail is not None else False
    sim.requests.record("image_status", asid, imageid)
    plan = sim.faults.plan("image_status", asid, imageid)

    def answer() -> Answer:
        allowed = authorize(sim, request, asid)
        if isinstance(allowed, Answer):
            return allowed
        if imageid is None:
            return Answer(400, envelope("imageid must be a number"))
        if detail is None:
            return Answer(400, envelope("detail must be true or false"))
        return Answer(200, sim.pipeline.image_status(allowed, imageid, detail=detail))

    return await respond(request, plan, answer, render_image_body)


def add_pipeline_routes(app: web.Application) -> None:
    """Serve the update, diff, version and image-status paths from ``app``'s simulator."""
    for stage, base in STAGE_PATHS.items():
        app.router.add_get(base + "/status", _status_handler(stage))
        if stage != "version":
            app.router.add_get(base + "/retry", _retry_handler(stage))
    app.router.add_get(IMAGE_STATUS_PATH, _image_status)
