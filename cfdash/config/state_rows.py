"""The state file's contents: :class:`State` as the app holds it, and its rows as TOML has them.

Apart from :mod:`cfdash.config.state` (which reads and writes the file safely and merges two
instances' changes) so that each says one thing. Jobs are keyed by (account, stage, id); the
``stage`` key is written only for update, diff and version jobs, so an install row reads as it
always did and a file without stages loads every job as an install.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from cfdash.config.lastseen import LastSeen, SeenKey, seen_from_rows, seen_to_rows
from cfdash.config.schema import JobEntry
from cfdash.stages import Stage

__all__ = ["SCALARS", "STATE_VERSION", "State", "StateFile", "state_from_file", "state_to_toml"]

STATE_VERSION = 1


@dataclass
class State:
    """What the UI changed.  Mutable: the app edits it, then hands it to :meth:`StateStore.save`.

    ``added_jobs`` keeps the order jobs were added in (the table shows them that way);
    ``removed_jobs`` holds configured jobs the user stopped tracking, by (account, stage,
    job id).
    The rest is the saved view: ``filter`` is the text filter, ``release`` the one image
    version shown (None: all) — and ``last_seen``, what was last seen of each job tracked by
    id (:mod:`cfdash.config.lastseen`).
    """

    added_jobs: list[tuple[str, JobEntry]] = field(default_factory=list)
    removed_jobs: set[tuple[str, Stage, int]] = field(default_factory=set)
    theme: str | None = None
    sort: str | None = None
    sort_reverse: bool = False
    filter: str | None = None
    release: int | None = None
    failed_only: bool = False
    hide_finished: bool = False
    last_seen: dict[SeenKey, LastSeen] = field(default_factory=dict)


# The file's shape.  strict, so a hand-edited `id = "5"` is caught rather than coerced;
# unknown top-level keys are ignored so an older cfdash can read a newer file.
class _AddedRow(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")
    account: str
    id: int = Field(gt=0)
    mirroring: bool | None = None
    label: str | None = None
    stage: Stage = "install"  # written only for other stages: older files have none


class _RemovedRow(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")
    account: str
    id: int = Field(gt=0)
    stage: Stage = "install"


class StateFile(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore")
    version: int = STATE_VERSION
    theme: str | None = None
    sort: str | None = None
    sort_reverse: bool = False
    filter: str | None = None
    release: int | None = None
    failed_only: bool = False
    hide_finished: bool = False
    added: list[_AddedRow] = []
    removed: list[_RemovedRow] = []
    seen: list[Any] = []  # row by row in seen_from_rows: one bad row is skipped, not fatal


def state_from_file(parsed: StateFile) -> State:
    """The :class:`State` a validated file holds (rows without a stage are installs)."""
    return State(
        added_jobs=[
            (
                row.account,
                JobEntry(id=row.id, mirroring=row.mirroring, label=row.label, stage=row.stage),
            )
            for row in parsed.added
        ],
        removed_jobs={(row.account, row.stage, row.id) for row in parsed.removed},
        theme=parsed.theme,
        sort=parsed.sort,
        sort_reverse=parsed.sort_reverse,
        filter=parsed.filter,
        release=parsed.release,
        failed_only=parsed.failed_only,
        hide_finished=parsed.hide_finished,
        last_seen=seen_from_rows(parsed.seen),
    )


SCALARS = (
    "theme", "sort", "sort_reverse", "filter", "release", "failed_only", "hide_finished"
)  # fmt: skip


def state_to_toml(state: State) -> dict[str, Any]:
    # TOML has no null: absent keys stand for None (and for False).
    data: dict[str, Any] = {"version": STATE_VERSION}
    for name in SCALARS:
        value = getattr(state, name)
        if value is not None and value is not False:
            data[name] = value
    added = []
    for account, job in state.added_jobs:
        row: dict[str, Any] = {"account": account, "id": job.id}
        if job.stage != "install":
            row["stage"] = job.stage
        if job.mirroring is not None:
            row["mirroring"] = job.mirroring
        if job.label is not None:
            row["label"] = job.label
        added.append(row)
    if added:
        data["added"] = added
    if state.removed_jobs:
        data["removed"] = [
            {"account": account, "id": job_id} | ({"stage": stage} if stage != "install" else {})
            for account, stage, job_id in sorted(state.removed_jobs)
        ]
    if state.last_seen:
        data["seen"] = seen_to_rows(state.last_seen)
    return data
