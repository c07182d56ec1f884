"""Fault injection: the ways the real service (and the network) can let a client down.

A :class:`Fault` names a :class:`FaultKind`, the endpoint it hits, optionally one account (ASID)
and, for calls about one job or image and for quirks, that job or image; it lasts ``count``
matching requests or, with ``count=None``, until removed. Endpoints are named as the request
recorder counts them (``"status"`` — the install list —, ``"queue"``, ``"update_status"``,
``"diff_status"``, ``"version_status"``, ``"update_retry"``, ``"diff_retry"``,
``"image_status"``), or by a group: ``"both"`` (status and queue, the install API: the default),
``"retry"`` (both retries), ``"pipeline"`` (the three stage statuses) or ``"all"``. Faults live in a
:class:`FaultSet` that can be changed while the simulator serves (``sim.faults.add(...)`` from
Python, ``POST /_sim/faults`` over HTTP).

The kinds fall into groups, because *when* a fault strikes decides whether a queue call took
effect — the question a client must never guess about:

- delays: ``LATENCY`` waits before the request is handled; ``SLOW`` handles the request (a
  queue call takes effect) and then waits before answering — the "timeout after sending" case.
- replacements, answered *instead of* the service (no effect): ``HTTP_500``, ``HTTP_502``,
  ``HTTP_503``, ``HTTP_429`` (with ``Retry-After``), ``ERROR_ENVELOPE`` (the service's JSON
  error envelope with any message and HTTP status) and ``NOT_JSON`` (an HTML page with 200, as
  from a proxy or captive portal).
- damage to the real answer (the request took effect): ``TRUNCATED_JSON`` (a complete HTTP
  response whose JSON body is cut short) and ``DROP_CONNECTION`` (headers and part of the body
  are sent, then the connection is closed).
- quirks, the real answer reshaped in ways the docs allow: ``NUMBERS_AS_STRINGS``,
  ``REPEATED_KEYS``, ``EXTRA_FIELDS``, ``OMIT_NULLS`` (optional fields absent instead of
  null), ``UNKNOWN_STATE`` (state 9, "Exploded"), ``COMPLETE_NAME`` (completed jobs stay in
  the status list, named "Complete") and ``HIDE_FAILED`` (failed jobs vanish from the list).

When several faults match one request, every delay applies, the first replacement wins (and
then damage and quirks are not used), else the first damage and every quirk apply. Only the
faults actually used count a request against their ``count``.

On the pipeline and image endpoints the quirks mean the same: ``UNKNOWN_STATE`` and
``COMPLETE_NAME`` touch a job's state, ``HIDE_FAILED`` answers "No rows in result set" for a
failed job, and on an image ``NUMBERS_AS_STRINGS`` sends the counts as strings, ``OMIT_NULLS``
leaves ``regions`` out and ``EXTRA_FIELDS`` adds fields the docs do not list.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field, fields, replace
from enum import StrEnum
from typing import Any, Literal

from cfdash.sim.recorder import ENDPOINTS

__all__ = [
    "DAMAGE",
    "DELAYS",
    "QUIRKS",
    "REPLACEMENTS",
    "Fault",
    "FaultEndpoint",
    "FaultKind",
    "FaultPlan",
    "FaultSet",
]

FaultEndpoint = Literal[
    "status",
    "queue",
    "update_status",
    "diff_status",
    "version_status",
    "update_retry",
    "diff_retry",
    "image_status",
    "both",
    "retry",
    "pipeline",
    "all",
]
#: The endpoints each name of a fault covers: itself, or its group's members.
_COVERS: dict[str, frozenset[str]] = {name: frozenset({name}) for name in ENDPOINTS} | {
    "both": frozenset({"status", "queue"}),
    "retry": frozenset({"update_retry", "diff_retry"}),
    "pipeline": frozenset({"update_status", "diff_status", "version_status"}),
    "all": frozenset(ENDPOINTS),
}


class FaultKind(StrEnum):
    """Every fault the simulator can produce; the values are the names used over HTTP."""

    LATENCY = "latency"
    SLOW = "slow"
    HTTP_500 = "http_500"
    HTTP_502 = "http_502"
    HTTP_503 = "http_503"
    HTTP_429 = "http_429"
    ERROR_ENVELOPE = "error_envelope"
    NOT_JSON = "not_json"
    TRUNCATED_JSON = "truncated_json"
    DROP_CONNECTION = "drop_connection"
    NUMBERS_AS_STRINGS = "numbers_as_strings"
    REPEATED_KEYS = "repeated_keys"
    EXTRA_FIELDS = "extra_fields"
    OMIT_NULLS = "omit_nulls"
    UNKNOWN_STATE = "unknown_state"
    COMPLETE_NAME = "complete_name"
    HIDE_FAILED = "hide_failed"


DELAYS = frozenset({FaultKind.LATENCY, FaultKind.SLOW})
REPLACEMENTS = frozenset(
    {
        FaultKind.HTTP_500,
        FaultKind.HTTP_502,
        FaultKind.HTTP_503,
        FaultKind.HTTP_429,
        FaultKind.ERROR_ENVELOPE,
        FaultKind.NOT_JSON,
    }
)
DAMAGE = frozenset({FaultKind.TRUNCATED_JSON, FaultKind.DROP_CONNECTION})
QUIRKS = frozenset(FaultKind) - DELAYS - REPLACEMENTS - DAMAGE


@dataclass
class Fault:
    """One injected fault. ``remaining`` counts down from ``count``; ``id`` is set on add."""

    kind: FaultKind
    endpoint: FaultEndpoint = "both"
    asid: int | None = None
    jobid: int | None = None
    count: int | None = None
    delay: float = 0.0
    retry_after: int = 5
    message: str = "image locked by diffid: 218595"
    status: int = 200
    id: int = 0
    remaining: int | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.kind = FaultKind(self.kind)
        if self.endpoint not in _COVERS:
            raise ValueError(f"endpoint must be one of {', '.join(_COVERS)}")
        if self.count is not None and self.count < 1:
            raise ValueError("count must be at least 1 (or None for until cleared)")
        if self.delay < 0 or self.retry_after < 0:
            raise ValueError("delay and retry_after must not be negative")
        if not 100 <= self.status <= 599:
            raise ValueError("status must be an HTTP status code")
        self.remaining = self.count

    def matches(self, endpoint: str, asid: int | None, jobid: int | None) -> bool:
        """Whether this fault applies to a request to ``endpoint`` for ``asid``/``jobid``.

        ``jobid`` is the job (or, for ``image_status``, the image) the request names.
        """
        if endpoint not in _COVERS[self.endpoint]:
            return False
        if self.asid is not None and self.asid != asid:
            return False
        # On status the job filter narrows what a quirk touches, not which requests match.
        return not (endpoint != "status" and self.jobid is not None and self.jobid != jobid)

    @classmethod
    def from_json(cls, data: Any) -> Fault:
        """Build a fault from a JSON object (the ``POST /_sim/faults`` body).

        Raises ``ValueError`` with a readable message on a bad body.
        """
        if not isinstance(data, dict):
            raise ValueError("a fault must be a JSON object")
        allowed = {f.name for f in fields(cls) if f.init and f.name != "id"}
        unknown = set(data) - allowed
        if unknown:
            raise ValueError(f"unknown fault field(s): {', '.join(sorted(unknown))}")
        if "kind" not in data:
            raise ValueError("a fault needs a 'kind'")
        try:
            return cls(**data)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"bad fault: {exc}") from None

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict of every field."""
        return {f.name: getattr(self, f.name) for f in fields(self)} | {"kind": str(self.kind)}


@dataclass
class FaultPlan:
    """What to do to one request, worked out by :meth:`FaultSet.plan`."""

    latency: float = 0.0
    hang: float = 0.0
    replacement: Fault | None = None
    damage: Fault | None = None
    quirks: list[Fault] = field(default_factory=list)

    def has(self, kind: FaultKind) -> bool:
        """Whether a quirk of ``kind`` applies."""
        return any(q.kind == kind for q in self.quirks)

    def quirk(self, kind: FaultKind) -> Fault | None:
        """The first applying quirk of ``kind``, if any."""
        return next((q for q in self.quirks if q.kind == kind), None)


class FaultSet:
    """The active faults, in the order they were added."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._ids = itertools.count(1)

    def add(self, fault: Fault) -> Fault:
        """Activate a copy of ``fault`` (so one template can be added twice) and return it."""
        active = replace(fault, id=next(self._ids))
        self._faults.append(active)
        return active

    def remove(self, fault_id: int) -> bool:
        """Deactivate the fault with ``fault_id``; ``False`` if there was none."""
        before = len(self._faults)
        self._faults = [f for f in self._faults if f.id != fault_id]
        return len(self._faults) < before

    def clear(self) -> None:
        """Deactivate every fault."""
        self._faults.clear()

    @property
    def active(self) -> list[Fault]:
        """The active faults (a copy of the list)."""
        return list(self._faults)

    def __len__(self) -> int:
        return len(self._faults)

    def plan(self, endpoint: str, asid: int | None, jobid: int | None = None) -> FaultPlan:
        """Choose the faults for one request and count it against each one used."""
        plan = FaultPlan()
        used: list[Fault] = []
        matching = [f for f in self._faults if f.matches(endpoint, asid, jobid)]
        for f in matching:
            if f.kind == FaultKind.LATENCY:
                plan.latency += f.delay
                used.append(f)
            elif f.kind == FaultKind.SLOW:
                plan.hang += f.delay
                used.append(f)
        plan.replacement = next((f for f in matching if f.kind in REPLACEMENTS), None)
        if plan.replacement is not None:
            used.append(plan.replacement)
        else:
            plan.damage = next((f for f in matching if f.kind in DAMAGE), None)
            plan.quirks = [f for f in matching if f.kind in QUIRKS]
            used.extend(([plan.damage] if plan.damage else []) + plan.quirks)
        for f in used:
            if f.remaining is not None:
                f.remaining -= 1
        self._faults = [f for f in self._faults if f.remaining is None or f.remaining > 0]
        return plan
