"""Fleet readiness for ``cfdash status``: each watched image as JSON, or as one line of a table.

The counts are the API's (image status v2): ``completed`` machines installed the image's latest
version, ``pending`` ones have not yet, and ``failed`` ones were disabled and cannot install it.
An image is ``ready`` when nothing is pending — the documented moment to allocate on it.

Fleet and region ids are written as the API's text (they are the keys of its maps), so a
script reads them the same way whatever the service sent.
"""

from __future__ import annotations

from typing import Any

from cfdash.api.images import MachineCounts
from cfdash.engine.images import ImageLine, ImagePoller
from cfdash.headless.common import describe
from cfdash.headless.text import error_cell, table

__all__ = ["image_json", "images_json", "images_table", "unread_images"]

_HEADER = ("ACCOUNT", "IMAGE", "LABEL", "COMPLETED", "FAILED", "PENDING", "TOTAL", "STATE", "ERROR")


def _counts(level: MachineCounts) -> dict[str, Any]:
    return {
        "completed": level.completed,
        "failed": level.failed,
        "pending": level.pending,
        "total": level.total,
        "ready": level.ready,
    }


def image_json(line: ImageLine) -> dict[str, Any]:
    """One image: its state, its counts (null until read), and its fleets with their regions."""
    status = line.status
    counts: dict[str, Any] = (
        _counts(status) if status is not None else dict.fromkeys(_counts(MachineCounts()))
    )
    fleets = [
        {
            "id": fleet.id,
            "name": fleet.name,
            **_counts(fleet),
            "regions": [
                {"id": region.id, "name": region.name, **_counts(region)}
                for region in fleet.regions
            ],
        }
        for fleet in (status.fleets or () if status is not None else ())
    ]
    return {
        "account": line.account,
        "imageid": line.imageid,
        "label": line.label,
        "state": line.state,
        **counts,
        "error": describe(line.error) if line.error is not None else None,
        "read_at": line.read_at,
        "fleets": fleets,
    }


def images_json(poller: ImagePoller | None) -> list[dict[str, Any]]:
    return [image_json(line) for line in poller.lines] if poller is not None else []


def images_table(poller: ImagePoller | None) -> str | None:
    """One line per watched image under a header; None when no image is watched."""
    if poller is None or not len(poller):
        return None
    rows = []
    for line in poller.lines:
        status = line.status
        numbers = (
            (status.completed, status.failed, status.pending, status.total)
            if status is not None
            else ("", "", "", "")
        )
        rows.append(
            (
                line.account,
                str(line.imageid),
                line.label or "",
                *(str(number) for number in numbers),
                line.state,
                error_cell(line.problem),
            )
        )
    return table(_HEADER, rows, right=(1, 3, 4, 5, 6))


def unread_images(poller: ImagePoller | None) -> list[str]:
    """A sentence for each image whose own read failed (its account's trouble is said apart)."""
    if poller is None:
        return []
    return [
        f"cfdash: {line.name} of account {line.account} could not be read: {describe(line.error)}"
        for line in poller.lines
        if line.error is not None
    ]
