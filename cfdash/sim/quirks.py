"""Quirk faults: reshape a correct response body the ways a loosely documented service might.

Pure functions from a response body (and the quirks that apply) to the JSON text sent. Each
quirk is legal per the docs' "parse defensively" note, so a client must read through all of
them; see :mod:`cfdash.sim.faults` for the list.
"""

from __future__ import annotations

import json
from typing import Any

from cfdash.sim.faults import Fault, FaultKind, FaultPlan

__all__ = ["render_body", "render_image_body"]

# Sent first, then overridden by the true value: a JSON parser keeps the last one.
_STALE = {"jobprogress": 0, "jobstatename": "Created", "success": False, "pending_machines": 0}
_COUNTS = ("pending_machines", "failed_machines", "completed_machines")

_EXTRA_ITEM = {
    "jobpriority": 3,
    "diffid": 218595,
    "region": "eu-west",
    "_links": {"self": "/cfp/v1/imageinstall/status"},
}


def _targets(items: list[dict[str, Any]], fault: Fault) -> list[dict[str, Any]]:
    """The items a quirk touches: all of them, or only its job."""
    if fault.jobid is None:
        return items
    return [item for item in items if item.get("jobid", fault.jobid) == fault.jobid]


def _stringify(value: Any) -> Any:
    # bool is an int subclass; true/false stay booleans.
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def render_body(body: dict[str, Any], plan: FaultPlan | None = None) -> str:
    """The JSON text for ``body`` with the plan's quirks applied.

    ``body`` is either a status body (``{"installs": [...]}``) or a job-shaped queue body;
    error envelopes are sent as they are. ``COMPLETE_NAME`` and ``HIDE_FAILED`` change which
    jobs are listed, so the caller applies them when building the status list; here
    ``COMPLETE_NAME`` only renames state 5.
    """
    if plan is None or not plan.quirks or body.get("error") is True:
        return json.dumps(body)
    body = json.loads(json.dumps(body))  # a deep copy we may change
    items: list[dict[str, Any]] = body.get("installs", [body])
    for fault in plan.quirks:
        for item in _targets(items, fault):
            if fault.kind == FaultKind.UNKNOWN_STATE:
                item["jobstateid"] = 9
                item["jobstatename"] = "Exploded"
            elif fault.kind == FaultKind.COMPLETE_NAME and item.get("jobstateid") == 5:
                item["jobstatename"] = "Complete"
            elif fault.kind == FaultKind.EXTRA_FIELDS:
                item.update(_EXTRA_ITEM)
            elif fault.kind == FaultKind.OMIT_NULLS:
                for key in [k for k, v in item.items() if v is None]:
                    del item[key]
            elif fault.kind == FaultKind.NUMBERS_AS_STRINGS:
                item.update({k: _stringify(v) for k, v in item.items()})
    if plan.has(FaultKind.EXTRA_FIELDS) and "installs" in body:
        body["meta"] = {"api_version": "1.3", "count": len(items)}
    repeat = plan.quirk(FaultKind.REPEATED_KEYS)
    if repeat is None:
        return json.dumps(body)
    repeated = {id(item) for item in _targets(items, repeat)}
    return _encode(body, repeated)


def _encode(value: Any, repeated: set[int]) -> str:
    """JSON text where each object in ``repeated`` carries stale duplicates of some keys."""
    if isinstance(value, dict):
        pairs = [
            f"{json.dumps(k)}: {json.dumps(_STALE[k])}"
            for k in value
            if id(value) in repeated and k in _STALE
        ]
        pairs += [f"{json.dumps(k)}: {_encode(v, repeated)}" for k, v in value.items()]
        return "{" + ", ".join(pairs) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_encode(v, repeated) for v in value) + "]"
    return json.dumps(value)


def render_image_body(body: dict[str, Any], plan: FaultPlan | None = None) -> str:
    """The JSON text of an image status (v2) answer with the plan's quirks applied.

    The endpoint was BETA, so its variants are the ones a client must read: counts as strings
    (``NUMBERS_AS_STRINGS``), fleets without ``regions`` (``OMIT_NULLS``), fields nobody
    documented (``EXTRA_FIELDS``) and stale repeated counts (``REPEATED_KEYS``). The job-state
    quirks do not apply to an image.
    """
    if plan is None or not plan.quirks or body.get("error") is True:
        return json.dumps(body)
    body = json.loads(json.dumps(body))
    levels = [body]
    for fleet in body.get("fleets", {}).values():
        levels.append(fleet)
        levels.extend(fleet.get("regions", {}).values())
    if plan.has(FaultKind.NUMBERS_AS_STRINGS):
        for level in levels:
            level.update({key: str(level[key]) for key in _COUNTS if key in level})
    if plan.has(FaultKind.OMIT_NULLS):
        for fleet in body.get("fleets", {}).values():
            fleet.pop("regions", None)
    if plan.has(FaultKind.EXTRA_FIELDS):
        body["beta"] = True
        body["_links"] = {"self": "/cfp/v2/project/image/status"}
        for fleetid, fleet in body.get("fleets", {}).items():
            fleet["fleet_name"] = f"fleet {fleetid}"
    if plan.has(FaultKind.REPEATED_KEYS):
        return _encode(body, {id(body)})
    return json.dumps(body)
