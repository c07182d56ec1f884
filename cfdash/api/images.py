"""Fleet readiness: how far an image's latest version has rolled out (image status v2).

``GET /cfp/v2/project/<accountserviceid>/image/<imageid>/status?detail=true|false`` — the ASID
is in the path here. The answer counts machines: ``pending`` (still to install), ``failed``
(disabled: they cannot install) and ``completed``; with ``detail=true`` the same counts per fleet
and, within each fleet, per region with its name. "Ready" means nothing is pending.

The endpoint was marked BETA, so it is read loosely: counts as numbers or strings, fleets and
regions as maps keyed by id (as documented) or as lists of objects carrying ``id``/``fleetid``/
``regionid``, ids as strings or numbers, ``regions`` missing. A count that is missing is the sum
of the level below, when there is one, else 0; a negative count reads as 0.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict

from cfdash.api.models import LooseInt, LooseStr

if TYPE_CHECKING:
    from cfdash.api.client import ClanforgeClient

__all__ = [
    "IMAGE_STATUS_PATH",
    "FleetStatus",
    "ImageStatus",
    "MachineCounts",
    "RegionStatus",
    "image_endpoint",
    "image_status",
]

IMAGE_STATUS_PATH = "/cfp/v2/project/{asid}/image/{imageid}/status"


def _count(value: Any) -> Any:
    """A machine count: a number or numeric string; missing stays ``None``, negatives are 0."""
    if isinstance(value, str) and value.strip():
        try:
            number = float(value.strip())
        except ValueError:
            raise ValueError("expected a number of machines") from None
        if not math.isfinite(number):
            raise ValueError("expected a number of machines")
        value = number
    if isinstance(value, float) and math.isfinite(value):
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return max(0, value)
    if value is None or value == "":
        return None
    raise ValueError("expected a number of machines")


def _id_text(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("expected an id")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str) and value.strip():
        return value.strip()
    raise ValueError("expected an id")


def _children(*id_keys: str) -> Any:
    """A validator reading a map ``{id: {...}}`` or a list ``[{id_key: …, ...}]`` as a list.

    Every item comes out as a dict with its ``id``; ``null`` or ``[]`` is an empty list.
    """

    def read(value: Any) -> Any:
        if value is None:
            return []
        if isinstance(value, Mapping):
            items = []
            for key, item in value.items():
                if not isinstance(item, Mapping):
                    raise ValueError("expected an object for each id")
                items.append({**item, "id": key})
            return items
        if isinstance(value, list):
            items = []
            for item in value:
                if not isinstance(item, Mapping):
                    raise ValueError("expected a list of objects")
                found = next((item[k] for k in ("id", *id_keys) if k in item), None)
                if found is None:
                    raise ValueError(f"expected each object to carry its {id_keys[0]}")
                items.append({**item, "id": found})
            return items
        raise ValueError("expected a map of id to object")

    return read


Count = Annotated[int | None, BeforeValidator(_count)]
Id = Annotated[str, BeforeValidator(_id_text)]


class MachineCounts(BaseModel):
    """Pending, failed (disabled) and completed machines, at any level."""

    # Unknown fields are kept and never rejected; answers are immutable.
    model_config = ConfigDict(extra="allow", frozen=True)

    pending_machines: Count = None
    failed_machines: Count = None
    completed_machines: Count = None

    def _parts(self) -> tuple[MachineCounts, ...]:
        return ()

    def _read(self, own: int | None, field: str) -> int:
        if own is not None:
            return own
        return sum(getattr(part, field) for part in self._parts())

    @property
    def pending(self) -> int:
        """Machines still to install the image's latest version."""
        return self._read(self.pending_machines, "pending")

    @property
    def failed(self) -> int:
        """Machines that were disabled and cannot install (the API's "failed")."""
        return self._read(self.failed_machines, "failed")

    @property
    def completed(self) -> int:
        """Machines that have installed it."""
        return self._read(self.completed_machines, "completed")

    @property
    def total(self) -> int:
        return self.pending + self.failed + self.completed

    @property
    def ready(self) -> bool:
        """Nothing pending: the documented moment to allocate on the new image."""
        return self.pending == 0


class RegionStatus(MachineCounts):
    """One region of a fleet: its id (as text) and name, when the answer gives one."""

    id: Id
    name: LooseStr = None


class FleetStatus(MachineCounts):
    """One fleet: its counts and its regions (an empty tuple when ``regions`` was missing)."""

    id: Id
    name: LooseStr = None
    regions: Annotated[tuple[RegionStatus, ...], BeforeValidator(_children("regionid"))] = ()

    def _parts(self) -> tuple[MachineCounts, ...]:
        return self.regions


class ImageStatus(MachineCounts):
    """The whole answer; ``fleets`` is ``None`` unless asked for with ``detail`` (and sent)."""

    fleets: Annotated[tuple[FleetStatus, ...] | None, BeforeValidator(_children("fleetid"))] = None
    #: Sometimes sent by the simulator's quirks and perhaps by the service; unused otherwise.
    imageid: LooseInt = None

    def _parts(self) -> tuple[MachineCounts, ...]:
        return self.fleets or ()


def image_endpoint(imageid: int) -> str:
    """The name errors and the log give the call: ``image 1001``."""
    return f"image {imageid}"


async def image_status(
    client: ClanforgeClient, imageid: int, *, detail: bool = True
) -> ImageStatus:
    """Rollout counts of image ``imageid`` of the client's account; fleets with ``detail``.

    One request, never retried here. Errors are the client's ``ClanforgeError`` tree, named
    ``image <id>``, so a caller can mark that image alone.
    """
    if isinstance(imageid, bool) or not isinstance(imageid, int) or imageid < 1:
        raise ValueError(f"an image id is a whole number greater than 0, not {imageid!r}")
    path = IMAGE_STATUS_PATH.format(asid=int(client.accountserviceid), imageid=imageid)
    params = {"detail": "true" if detail else "false"}
    return await client.request_model(ImageStatus, path, image_endpoint(imageid), params)
