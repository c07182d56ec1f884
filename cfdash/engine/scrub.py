"""Blanking secrets in API text as it enters the engine, so no exit point has to.

Everything the screen, ``status --json``, CSV exports and ``events.jsonl`` show about a job or
an account comes through the engine: a client error's message, and the fields of status
items and queue answers.  The service may echo credentials in any of them (an error body
quoting the ``Authorization`` header, a ``joberror`` holding the account's own secret), so
the engine passes them through :func:`cfdash.redact.redact` on the way in, once.

Items are immutable models; one holding a secret is replaced by a copy with the text blanked.
Checking is cheap — one pattern search per string field — and skipped altogether for a list
the client handed back unchanged (it reuses the parsed list when the body is identical).
"""

from __future__ import annotations

import functools
import operator
import typing
from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel

from cfdash.api.errors import ClanforgeError
from cfdash.redact import REDACTOR

__all__ = ["ItemScrubber", "scrub_error", "scrub_model"]

E = TypeVar("E", bound=ClanforgeError)
M = TypeVar("M", bound=BaseModel)


def scrub_error(error: E) -> E:
    """``error`` with any secret blanked from its message (changed in place, and returned)."""
    message = REDACTOR.redact(error.message)
    if message != error.message:
        error.message = message
        error.args = tuple(
            REDACTOR.redact(arg) if isinstance(arg, str) else arg for arg in error.args
        )
    return error


def _scrubbed(value: Any) -> Any:
    if isinstance(value, str):
        return REDACTOR.redact(value)
    if isinstance(value, list):
        return [_scrubbed(item) for item in value]
    if isinstance(value, dict):
        return {key: _scrubbed(item) for key, item in value.items()}
    return value


@functools.cache
def _text_getter(model: type[BaseModel]) -> Callable[[BaseModel], tuple[Any, ...]]:
    """Reads every field that may hold text, as one tuple (``attrgetter`` runs in C)."""
    names = [
        name
        for name, info in model.model_fields.items()
        if info.annotation is not None and _may_hold_text(info.annotation)
    ]
    getter = operator.attrgetter(*names) if names else (lambda _model: ())
    if len(names) == 1:
        single = getter
        return lambda instance: (single(instance),)
    return getter


def _may_hold_text(annotation: Any) -> bool:
    if annotation is str:
        return True
    return any(_may_hold_text(arg) for arg in typing.get_args(annotation))


def _strings(value: Any, into: list[str]) -> list[str]:
    if isinstance(value, str):
        into.append(value)
    elif isinstance(value, list):
        for item in value:
            _strings(item, into)
    elif isinstance(value, dict):
        for item in value.values():
            _strings(item, into)
    return into


def scrub_model(model: M) -> M:
    """``model``, or a copy with every string field (extra fields too) blanked of secrets.

    One search over all of the model's text first: nearly every item holds no secret, and
    for those that is all the work done.
    """
    texts: list[str] = []
    for value in _text_getter(type(model))(model):
        if value.__class__ is str:
            texts.append(value)
        elif value:  # a diff's path maps, say: their strings are inside
            _strings(value, texts)
    extra = model.__pydantic_extra__
    if extra:
        _strings(extra, texts)
    if not texts or not REDACTOR.contains("\n".join(texts)):
        return model
    fields = dict(model.__dict__)
    if extra:
        fields.update(extra)
    update = {}
    for name, value in fields.items():
        if isinstance(value, str | list | dict):
            clean = _scrubbed(value)
            if clean != value:
                update[name] = clean
    return model.model_copy(update=update) if update else model


class ItemScrubber:
    """Scrubs one account's status lists, remembering the last so unchanged work is free.

    The client hands back the very same list for an identical body, and may reuse the item
    objects of unchanged jobs in a changed one: both are looked up, not searched again. A job
    that moved (a new item object) whose text fields and extra fields are the very ones of its
    last item, which held no secret, holds none either: a running job's progress and times
    change at every poll, its text hardly ever. That is known only while the secrets stay the
    same, so a new secret (``REDACTOR.version``) searches everything again.
    """

    def __init__(self) -> None:
        self._last_in: list[Any] | None = None
        self._last_out: list[Any] = []
        #: Per job id, its last item known to hold no secret (under ``_version``'s secrets).
        self._clean: dict[Any, Any] = {}
        #: The last list's items that held a secret, by identity, with their blanked copies
        #: (the pair keeps the item alive, so its id cannot be reused by another object).
        self._blanked: dict[int, tuple[Any, Any]] = {}
        self._version = REDACTOR.version

    def __call__(self, items: list[M]) -> list[M]:
        if items is self._last_in:
            return self._last_out
        if self._version is not REDACTOR.version:
            self._version, self._clean, self._blanked = REDACTOR.version, {}, {}
        was_clean, was_blanked = self._clean, self._blanked
        clean_now: dict[Any, Any] = {}
        blanked_now: dict[int, tuple[Any, Any]] = {}
        out: list[M] = []
        for item in items:
            jobid = getattr(item, "jobid", None)
            before = was_clean.get(jobid)
            if before is item:  # handed back unchanged, and clean
                clean = item
            else:
                hit = was_blanked.get(id(item)) if was_blanked else None
                if hit is not None and hit[0] is item:
                    clean = hit[1]
                else:
                    same = _unchanged_text(item, before)
                    clean = same if same is not None else scrub_model(item)
            if clean is item:
                clean_now[jobid] = item
            else:
                blanked_now[id(item)] = (item, clean)
            out.append(clean)
        self._last_in, self._last_out = items, out
        self._clean, self._blanked = clean_now, blanked_now
        return out


def _unchanged_text(item: M, before: Any) -> M | None:
    """``item`` itself if ``before`` (a clean item of the same job) has the same text, else
    None (search it)."""
    if before is None or type(before) is not type(item):
        return None
    getter = _text_getter(type(item))
    if getter(item) != getter(before) or item.__pydantic_extra__ != before.__pydantic_extra__:
        return None
    return item
