"""The last-seen table of the state file: what cfdash last saw of each job it tracks by id.

A job that completes while no cfdash is running simply leaves its account's status list, and
a list without it looks the same as a wrong id. What the last run saw tells the two apart
("finished while cfdash was closed (last seen Running 97 % at …)" versus "not found"), so the
dashboard keeps, for every job tracked by id (in the config or added by hand — never a
``track_all`` row, which comes and goes with the list), one row::

    [[seen]]
    account = "production"
    stage = "install"          # absent in older files: install
    id = 5551001
    at = 1795848784.5          # when a status list last showed it
    word = "Running"
    state = 4
    progress = 97
    gone_at = 1795848790.0     # when a list was read without it (only if this run saw that)

Rows are keyed by (account, stage, job id), so the pipeline's update, diff and version jobs can
join the same table. Two instances share the file: per job, the newer knowledge wins
(:func:`merge_last_seen`, registered in :data:`cfdash.config.state.FIELD_MERGES`). A row that
cannot be read is skipped alone — losing one job's history beats setting the whole file aside.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from cfdash.stages import Stage

__all__ = [
    "SEEN_ERROR_MAX",
    "SEEN_MAX",
    "LastSeen",
    "SeenKey",
    "merge_last_seen",
    "seen_from_rows",
    "seen_to_rows",
]

#: (account, stage, job id).
SeenKey = tuple[str, Stage, int]

#: At most this many rows are kept (the newest): with the caps below, a few MB at most, well
#: under the state file's 8 MB cap, so a big config can never make the file unreadable.
SEEN_MAX = 10_000
#: An error is kept to this many characters: the row needs its start, the log has the rest.
SEEN_ERROR_MAX = 200
_WORD_MAX = 40


@dataclass(frozen=True, slots=True)
class LastSeen:
    """One job as last seen: the state word and id, progress, error, and when.

    ``at`` is when a status list last showed the job; ``gone_at`` when a list was read
    without it by the run that had seen it there (so it is known to have finished by then).
    """

    at: float
    word: str
    state: int | None = None
    progress: int | None = None
    error: str | None = None
    gone_at: float | None = None

    @property
    def as_of(self) -> float:
        """How recent this knowledge is: what two instances' rows are compared by."""
        return self.gone_at if self.gone_at is not None else self.at

    @classmethod
    def of(
        cls,
        *,
        at: float,
        word: str,
        state: int | None,
        progress: int | None,
        error: str | None,
        gone_at: float | None = None,
    ) -> LastSeen:
        """A row with its text cut to size (the state file has a cap)."""
        if error is not None and len(error) > SEEN_ERROR_MAX:
            error = error[: SEEN_ERROR_MAX - 1] + "…"
        return cls(at, word[:_WORD_MAX], state, progress, error, gone_at)


def merge_last_seen(
    known: Mapping[SeenKey, LastSeen],
    ours: Mapping[SeenKey, LastSeen],
    on_disk: Mapping[SeenKey, LastSeen],
) -> dict[SeenKey, LastSeen]:
    """A save's merge: per job, the newer of ours and the file's wins (ours on a tie).

    A job this instance stopped keeping (it is in ``known`` but not in ``ours``: the user
    stopped tracking it) leaves the file too, unless another instance has written newer
    knowledge of it since — then that instance still tracks it.
    """
    merged = dict(on_disk)
    for key, mine in ours.items():
        theirs = merged.get(key)
        if theirs is None or mine.as_of >= theirs.as_of:
            merged[key] = mine
    for key in known.keys() - ours.keys():
        theirs = merged.get(key)
        if theirs is not None and theirs.as_of <= known[key].as_of:
            del merged[key]
    if len(merged) > SEEN_MAX:
        newest = heapq.nlargest(SEEN_MAX, merged.items(), key=lambda pair: pair[1].as_of)
        merged = dict(newest)
    return merged


class _SeenRow(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")
    account: str
    stage: Stage = "install"  # files from before the pipeline stages have none
    id: int = Field(gt=0)
    at: float = Field(allow_inf_nan=False)
    word: str
    state: int | None = None
    progress: int | None = None
    error: str | None = None
    gone_at: float | None = Field(default=None, allow_inf_nan=False)


def seen_from_rows(rows: Iterable[Any]) -> dict[SeenKey, LastSeen]:
    """The table from the file's ``[[seen]]`` rows; unreadable rows are skipped one by one,
    and of two rows for one job the newer is kept."""
    table: dict[SeenKey, LastSeen] = {}
    for raw in rows:
        try:
            row = _SeenRow.model_validate(raw)
        except (ValidationError, RecursionError, ValueError):
            continue
        seen = LastSeen.of(
            at=row.at,
            word=row.word,
            state=row.state,
            progress=row.progress,
            error=row.error,
            gone_at=row.gone_at,
        )
        key = (row.account, row.stage, row.id)
        if key not in table or seen.as_of >= table[key].as_of:
            table[key] = seen
    return table


def seen_to_rows(table: Mapping[SeenKey, LastSeen]) -> list[dict[str, Any]]:
    """The ``[[seen]]`` rows for the file, in a stable order (TOML has no null: absent keys)."""
    rows = []
    for (account, stage, jobid), seen in sorted(table.items()):
        row: dict[str, Any] = {"account": account, "stage": stage, "id": jobid, "at": seen.at}
        row["word"] = seen.word
        for name in ("state", "progress", "error", "gone_at"):
            value = getattr(seen, name)
            if value is not None and not (isinstance(value, float) and not math.isfinite(value)):
                row[name] = value
        rows.append(row)
    return rows
