"""Reading a status list: one bad job is one bad row, and an unchanged job costs next to nothing.

The status list is polled every few seconds and most of its jobs are the same from one poll to
the next, so reading it follows three rules (the project's decision on "Parsing"):

1. An item whose raw JSON object equals (``==``) the one with the same ``jobid`` in the last
   poll gets the last poll's model back, unvalidated. ``==`` takes ``true`` for ``1`` and
   ``1.0``; the models read such values alike (``1`` and ``true`` are both a count of 1, and
   the same text "1"), except a ``jobid`` of ``true``, which is refused, so the type of the
   ``jobid`` must match as well. An unknown field that changed only in that way keeps the last
   poll's spelling in the raw view.
2. An item that differs from the last poll's only in the values of known fields, each new
   value plain (an ``int`` for a number, a ``str`` for text, a ``bool`` for a flag, or
   ``null``: :data:`~cfdash.api.models.PLAIN_TYPES`), or in unknown fields holding no
   object or list, is the last model with those values put in: each field is read on its
   own, so this is what validating it would give. In a rollout every running job changes at
   every poll, in just such a way (progress, updated time, ETA).
3. The other items that changed are validated in one pass: the cheap, common case.
4. Only when that pass fails are they validated one at a time. An item with an unreadable field
   is kept without that field and marked ``bad`` ("bad data from the API (field jobprogress)"),
   so its row says so and the other jobs stay live. An item whose ``jobid`` cannot be read (or
   that is not an object) is left out and counted in ``unreadable``: there is no row to put it
   on.

Nesting: a body too deep for ``json`` is refused as "nested too deeply". Below that, a value
nested past :data:`MAX_DEPTH` makes its field bad, so nothing deeper reaches the screens and
exports, whose renderers recurse; and such an item is never kept for comparing, since ``==``
recurses too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import TypeAdapter, ValidationError

from cfdash.api.errors import BadResponseError
from cfdash.api.models import PLAIN_TYPES, BadStatusItem, StatusItem
from cfdash.api.parse import NESTED_TOO_DEEPLY, decode_answer

__all__ = ["MAX_DEPTH", "StatusBody", "parse_status"]

#: Deepest nesting kept inside one status item (the item itself is depth 1).
MAX_DEPTH = 32

_ITEMS: TypeAdapter[list[StatusItem]] = TypeAdapter(list[StatusItem])
_CONTAINERS = (dict, list)
_KEYS = (int, float, str)  # raw job ids that can index what was seen (None, lists cannot)

#: One raw item as seen, and what it was read as (None: its ``jobid`` could not be read).
_Seen = tuple[dict[str, Any], StatusItem | None]


@dataclass(frozen=True)
class StatusBody:
    """One status list as read: its items, and how many had to be left out."""

    items: list[StatusItem]
    #: Items left out because their ``jobid`` could not be read or they were not objects.
    unreadable: int = 0
    #: The raw items by their raw ``jobid``, for the next poll to compare against.
    seen: dict[Any, _Seen] = field(default_factory=dict, repr=False)


def _deep_fields(raw: dict[str, Any]) -> tuple[str, ...]:
    """The keys of ``raw`` whose values nest past ``MAX_DEPTH``; walked without recursion."""
    deep: list[str] = []
    for key, value in raw.items():
        if not isinstance(value, _CONTAINERS):
            continue
        stack: list[tuple[Any, int]] = [(value, 2)]
        while stack:
            node, depth = stack.pop()
            if depth > MAX_DEPTH:
                deep.append(key)
                break
            children = node.values() if isinstance(node, dict) else node
            stack.extend((child, depth + 1) for child in children if isinstance(child, _CONTAINERS))
    return tuple(deep)


def _one(raw: dict[str, Any], deep: tuple[str, ...] = ()) -> StatusItem | None:
    """One item read on its own: as it is, without its bad fields, or None (no job id)."""
    try:
        return BadStatusItem.without(raw, deep) if deep else StatusItem.model_validate(raw)
    except ValidationError as error:
        bad = {*deep, *(str(problem["loc"][0]) for problem in error.errors() if problem["loc"])}
    if not bad or "jobid" in bad:
        return None
    fields = tuple(sorted(bad))
    try:
        return BadStatusItem.without(raw, fields)
    except ValidationError:  # what is left still does not fit: keep the job id alone
        pass
    try:
        return BadStatusItem.without({"jobid": raw.get("jobid")}, fields)
    except ValidationError:
        return None


_MISSING = object()
_new_item = StatusItem.__new__
_set = object.__setattr__


def _changes(old_raw: dict[str, Any], raw: dict[str, Any], guess: list[str]) -> list[str] | None:
    """The names whose values differ (``!=``) between two items of the same fields; None if
    a field came or went. What it finds becomes ``guess``, the fields
    :func:`_moved_as_guessed` tries first on the next moved item.
    """
    names = []
    for name, value in raw.items():
        before = old_raw.get(name, _MISSING)
        if before is _MISSING:  # a field came or went: the set of fields changed
            return None
        if value != before:
            names.append(name)
    guess[:] = names
    return names


def _moved_as_guessed(old: _Seen, raw: dict[str, Any], guess: list[str]) -> StatusItem | None:
    """The common case of :func:`_changes` and :func:`_patched` in one step: ``raw`` differs
    from the last item at most in the fields of ``guess`` (checked in C), each a known field
    whose new value is plain. None: see the general path (it decides the rest).

    A guessed field whose value did not move is put in again, the same value.
    """
    old_raw, old_item = old
    if type(old_item) is not StatusItem:
        return None
    probe = dict(old_raw)
    for name in guess:
        probe[name] = raw.get(name, _MISSING)
    if probe != raw:
        return None
    values = dict(old_item.__dict__)
    for name in guess:
        value = raw[name]
        plain = PLAIN_TYPES.get(name)
        if plain is None or (value is not None and type(value) is not plain):
            return None
        values[name] = value
    return _remade(old_item, values, old_item.__pydantic_extra__)


def _patched(old: _Seen, raw: dict[str, Any], names: list[str]) -> StatusItem | None:
    """The last poll's model with ``raw``'s values of ``names`` put in, if they all are plain
    ones of known fields (or unknown fields not holding containers); None if it needs
    validating.

    Every field is read on its own (no validator looks at two), and a plain value is read as
    itself, so this is the model validating ``raw`` would give, without the validating.
    """
    old_item = old[1]
    if type(old_item) is not StatusItem:
        return None
    values: dict[str, Any] | None = None
    extra = old_item.__pydantic_extra__
    new_extra: dict[str, Any] | None = None
    for name in names:
        value = raw[name]
        plain = PLAIN_TYPES.get(name)
        if plain is not None:
            if value is not None and type(value) is not plain:
                return None
            if values is None:
                values = dict(old_item.__dict__)
            values[name] = value
        elif extra is not None and name in extra and not isinstance(value, _CONTAINERS):
            if new_extra is None:
                new_extra = dict(extra)
            new_extra[name] = value
        else:  # the job id, or a container in an unknown field: the whole reading
            return None
    return _remade(
        old_item,
        old_item.__dict__ if values is None else values,
        extra if new_extra is None else new_extra,
    )


def _remade(
    old_item: StatusItem, values: dict[str, Any], extra: dict[str, Any] | None
) -> StatusItem:
    """A ``StatusItem`` with ``values`` and ``extra``, built past validation (the callers
    checked every value) and sharing ``old_item``'s set of fields given: the models are
    frozen, so nothing adds to it."""
    item = _new_item(StatusItem)
    _set(item, "__dict__", values)
    _set(item, "__pydantic_fields_set__", old_item.__pydantic_fields_set__)
    _set(item, "__pydantic_extra__", extra)
    _set(item, "__pydantic_private__", None)
    return item


def parse_status(
    *,
    status: int,
    headers: Mapping[str, str],
    body: bytes,
    account: str,
    endpoint: str = "status",
    secrets: Iterable[str] = (),
    previous: StatusBody | None = None,
) -> StatusBody:
    """Read a status answer, reusing ``previous`` for unchanged items; or raise its error.

    Only the answer as a whole can fail (an error status, not JSON, no ``installs`` list,
    nested too deeply); a bad item never fails the list.
    """
    where: dict[str, Any] = {"account": account, "endpoint": endpoint, "status": status}
    data = decode_answer(
        status=status,
        headers=headers,
        body=body,
        secrets=secrets,
        account=account,
        endpoint=endpoint,
    )
    raws = data.get("installs", [])
    if not isinstance(raws, list):
        raise BadResponseError(
            f"unexpected shape at installs: expected a list, got {type(raws).__name__}", **where
        )
    try:
        return _read(raws, previous.seen if previous is not None else {})
    except RecursionError:  # defensive: nothing deep is compared or validated, but be sure
        raise BadResponseError(NESTED_TOO_DEEPLY, **where) from None


def _read(raws: list[Any], before: dict[Any, _Seen]) -> StatusBody:
    results: list[StatusItem | None] = [None] * len(raws)
    seen: dict[Any, _Seen] = {}
    fresh: list[int] = []  # indexes of the items to read: new or changed objects
    guess: list[str] = []  # what changed in the last item walked (see ``_changes``)
    for index, raw in enumerate(raws):
        if type(raw) is not dict:  # not an object: no job id to read, left out
            continue
        key = raw.get("jobid")
        old = before.get(key) if isinstance(key, _KEYS) else None
        if old is not None and type(old[0]["jobid"]) is type(key):
            if old[0] == raw:
                results[index] = old[1]
                seen[key] = old
                continue
            patched = _moved_as_guessed(old, raw, guess) if guess else None
            if patched is None:
                names = _changes(old[0], raw, guess) if len(raw) == len(old[0]) else None
                patched = _patched(old, raw, names) if names is not None else None
            if patched is not None:
                results[index] = patched
                seen[key] = (raw, patched)
                continue
        fresh.append(index)

    try:
        checked: Sequence[StatusItem | None] = _ITEMS.validate_python([raws[i] for i in fresh])
    except ValidationError:
        checked = [_one(raws[index]) for index in fresh]
    for index, item in zip(fresh, checked, strict=True):
        raw = raws[index]
        # A readable item can hold containers only in unknown fields (the known ones refuse
        # them), so only its extras need the depth walk; a bad one gets the whole walk.
        nested = item.__pydantic_extra__ if type(item) is StatusItem else raw
        deep = _deep_fields(nested) if nested else ()
        if deep:
            item = _one(raw, deep)
        results[index] = item
        key = raw.get("jobid")
        if not deep and isinstance(key, _KEYS):
            seen[key] = (raw, item)
    items = [item for item in results if item is not None]
    return StatusBody(items, unreadable=len(raws) - len(items), seen=seen)
