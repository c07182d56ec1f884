"""Typed views of what the Clanforge image-install API returns.

The documentation is loose and real responses looser still, so the models are lenient where the
docs allow variance — numbers as strings, ``jobstart`` as a string, ``null`` or absent optional
fields, unknown extra fields kept, "Complete" or "Completed" — and strict only where a value is
needed to identify a job (``jobid`` must be a whole number). Anything else that does not fit is
a ``ValidationError``: for a status item that makes it a bad item (see :mod:`cfdash.api.status`),
for any other answer a ``BadResponseError``.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr

__all__ = [
    "PLAIN_TYPES",
    "BadStatusItem",
    "ErrorEnvelope",
    "JobFields",
    "ParsedState",
    "QueueResult",
    "StateKind",
    "StatusItem",
    "StatusList",
    "parse_state",
]


class StateKind(enum.IntEnum):
    """The documented job states; ``UNKNOWN`` stands for anything else the service sends."""

    UNKNOWN = 0
    CREATED = 1
    PENDING = 2
    QUEUED = 3
    RUNNING = 4
    COMPLETE = 5
    FAILED = 6
    SQUASHED = 7

    @property
    def word(self) -> str:
        return self.name.capitalize()


_NAMES = {kind.name.lower(): kind for kind in StateKind if kind is not StateKind.UNKNOWN}
_NAMES["completed"] = StateKind.COMPLETE  # what real responses seem to say


@dataclass(frozen=True, slots=True)
class ParsedState:
    """A job's state as understood, keeping the raw values for states we do not know."""

    kind: StateKind
    raw_id: int | None = None
    raw_name: str | None = None

    @property
    def word(self) -> str:
        """The word shown to people: the documented name, or the raw value as it came."""
        if self.kind is not StateKind.UNKNOWN:
            return self.kind.word
        if self.raw_name:
            return self.raw_name
        return f"state {self.raw_id}" if self.raw_id is not None else "state ?"

    @property
    def is_active(self) -> bool:
        """Queued or Running: the service is working on it."""
        return self.kind in (StateKind.QUEUED, StateKind.RUNNING)


@lru_cache(maxsize=512)
def parse_state(state_id: int | None, state_name: str | None) -> ParsedState:
    """Resolve ``jobstateid``/``jobstatename``: a known id wins, then a known name.

    Cached: it is read for every row on every count, sort and render, and the few distinct
    (id, name) pairs map to immutable ``ParsedState`` values.
    """
    if state_id is not None and 1 <= state_id <= 7:
        return ParsedState(StateKind(state_id), state_id, state_name)
    if state_name:
        kind = _NAMES.get(state_name.strip().lower())
        if kind is not None:
            return ParsedState(kind, state_id, state_name)
    return ParsedState(StateKind.UNKNOWN, state_id, state_name)


def _loose_int(value: Any) -> int | None:
    """Accept ints, integral floats and numeric strings; ``""`` and ``null`` mean absent."""
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, float):
        if math.isfinite(value):
            return int(value)
        raise ValueError("not a finite number")
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        try:
            return int(text)
        except ValueError:
            number = float(text)  # raises ValueError for garbage, which pydantic reports
            if not math.isfinite(number):
                raise ValueError("not a finite number") from None
            return int(number)
    raise ValueError(f"expected a number, got {type(value).__name__}")


def _loose_bool(value: Any) -> Any:
    """Accept JSON booleans, 0/1 and the usual words; ``""``/``null`` mean absent."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if not text:
            return None
        if text in ("true", "1", "yes"):
            return True
        if text in ("false", "0", "no"):
            return False
    raise ValueError("expected a boolean")


def _loose_str(value: Any) -> Any:
    """Accept strings and numbers (rendered as text); ``null`` means absent.

    Equal numbers read as the same text (``1``, ``1.0`` and ``true`` as "1"): a status item
    that equals the last poll's is not read again (:mod:`cfdash.api.status`), and Python's
    ``==`` does not tell those apart.
    """
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool | int):
        return str(int(value))
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    raise ValueError("expected text")


def _job_id(value: Any) -> int:
    """A job id: a whole number, as a JSON number or as digits in a string.

    Strict on purpose: ``1.5`` and ``true`` used to become job 1, which is someone else's job.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        if value >= 0:
            return value
    elif isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and value >= 0:
            return int(value)
    elif isinstance(value, str):
        text = value.strip()
        if text.isascii() and text.isdigit():
            return int(text)  # past Python's digit limit this raises, which pydantic reports
    raise ValueError("expected a whole number")


LooseInt = Annotated[int | None, BeforeValidator(_loose_int)]
LooseBool = Annotated[bool | None, BeforeValidator(_loose_bool)]
LooseStr = Annotated[str | None, BeforeValidator(_loose_str)]


class _Model(BaseModel):
    # Unknown fields are kept (the raw JSON view shows them) and never rejected.
    model_config = ConfigDict(extra="allow", frozen=True)


class JobFields(_Model):
    """The fields every job-shaped object carries."""

    jobcreated: LooseInt = None
    #: Documented as a string of Unix seconds; kept as text and read through ``start_time``.
    jobstart: LooseStr = None
    jobupdated: LooseInt = None
    jobeta: LooseInt = None
    jobprogress: LooseInt = None
    #: One page calls it a flag, another a count: treated as a count of failures.
    jobfailed: LooseInt = None
    joberror: LooseStr = None
    jobstateid: LooseInt = None
    jobstatename: LooseStr = None

    @property
    def state(self) -> ParsedState:
        return parse_state(self.jobstateid, self.jobstatename)

    @property
    def progress(self) -> int:
        """Progress clamped to 0–100 (absent counts as 0)."""
        return max(0, min(100, self.jobprogress or 0))

    @property
    def start_time(self) -> int | None:
        try:
            return _loose_int(self.jobstart)
        except ValueError:
            return None


class StatusItem(JobFields):
    """One entry of the status list: an incomplete install job of the account."""

    jobid: Annotated[int, BeforeValidator(_job_id)]
    mirroring: LooseBool = None
    restart: LooseInt = None
    location: LooseStr = None
    machine: LooseStr = None
    imagepath: LooseStr = None
    install_at: LooseInt = None
    mirror: LooseStr = None
    target_imageversionid: LooseInt = None

    @property
    def kind(self) -> Literal["mirror", "machine"] | None:
        if self.mirroring is None:
            return None
        return "mirror" if self.mirroring else "machine"

    @property
    def bad_fields(self) -> tuple[str, ...]:
        """Fields the service sent but that could not be read (see ``BadStatusItem``)."""
        return ()

    @property
    def bad(self) -> str | None:
        """What was wrong with this item, for its row: ``bad data from the API (field X)``."""
        fields = self.bad_fields
        if not fields:
            return None
        noun = "field" if len(fields) == 1 else "fields"
        return f"bad data from the API ({noun} {', '.join(fields)})"


def _plain_types(model: type[BaseModel]) -> dict[str, type]:
    plain = {_loose_int: int, _loose_str: str, _loose_bool: bool}
    return {
        name: plain[meta.func]
        for name, info in model.model_fields.items()
        for meta in info.metadata
        if isinstance(meta, BeforeValidator) and meta.func in plain
    }


#: The leniently read fields of a ``StatusItem``, each with the type its value has when it
#: needs no converting (``int`` for a number, ``str`` for text, ``bool`` for a flag): such a
#: value, or ``None``, is read as itself. :mod:`cfdash.api.status` relies on it to patch a
#: changed item without validating the whole item again. ``jobid`` is not among them.
PLAIN_TYPES: dict[str, type] = _plain_types(StatusItem)


class BadStatusItem(StatusItem):
    """A status item that came with unreadable fields: it holds the rest, and names those.

    A subclass rather than a field of every item: a private attribute costs each model a few
    microseconds to build, and a thousand items are built per poll. Never equal to a plain
    ``StatusItem`` (pydantic compares types), so a row notices when an item turns bad or good.
    """

    _bad_fields: tuple[str, ...] = PrivateAttr(default=())

    @property
    def bad_fields(self) -> tuple[str, ...]:
        return self._bad_fields

    @classmethod
    def without(cls, raw: dict[str, Any], fields: tuple[str, ...]) -> BadStatusItem:
        """The item ``raw`` describes, leaving out ``fields`` and naming them.

        Raises ``ValidationError`` if what is left still does not fit (no readable ``jobid``).
        """
        item = cls.model_validate({key: value for key, value in raw.items() if key not in fields})
        item._bad_fields = fields
        return item


class StatusList(_Model):
    """The body of ``GET /cfp/v1/imageinstall/status``."""

    installs: list[StatusItem] = Field(default_factory=list)


class QueueResult(JobFields):
    """The body of a successful ``queue`` call, in its mirror or machine shape.

    ``success`` is listed in the field table but missing from the examples, so it is optional.
    """

    success: LooseBool = None
    versionmirrorid: LooseInt = None
    machinejobid: LooseInt = None
    #: Undocumented beyond the example: read as the count of older installs superseded.
    installs_squashed: LooseInt = None

    @property
    def kind(self) -> Literal["mirror", "machine"] | None:
        if self.versionmirrorid is not None:
            return "mirror"
        if self.machinejobid is not None or self.installs_squashed is not None:
            return "machine"
        return None

    def summary(self) -> str:
        """One line for a toast or a row: what the service said it did."""
        parts = [f"queued ({self.state.word})"]
        if self.versionmirrorid is not None:
            parts.append(f"versionmirrorid {self.versionmirrorid}")
        if self.machinejobid is not None:
            parts.append(f"machinejobid {self.machinejobid}")
        if self.installs_squashed is not None:
            parts.append(f"{self.installs_squashed} squashed")
        return ", ".join(parts)


class ErrorEnvelope(_Model):
    """The service's application error, observed with HTTP 200 as often as not."""

    messages: list[Any] = Field(default_factory=list)
    error_code: LooseInt = None
    error_message: LooseStr = None
    success: LooseBool = None
    error: LooseBool = None

    @property
    def is_error(self) -> bool:
        return self.success is False or self.error is True
