"""How a save merges two dashboards' changes to the shared state file.

A save applies only what *this* instance changed since it last loaded or saved (``known`` →
``ours``) on top of what the file holds now (``on_disk``), so A's added job survives B's save.
Apart from :mod:`cfdash.config.state`, which does the locking and the atomic write.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from cfdash.config.lastseen import merge_last_seen
from cfdash.config.schema import JobEntry
from cfdash.config.state_rows import State
from cfdash.stages import Stage

__all__ = ["FIELD_MERGES", "merge_states"]

#: Fields merged by a rule of their own; every other field of State is a setting (below).
_JOB_FIELDS = ("added_jobs", "removed_jobs")


def merge_states(known: State, ours: State, on_disk: State) -> State:
    """``on_disk`` with the changes from ``known`` to ``ours`` applied: a save's merge.

    * a job this instance added (or whose entry it changed) is added, or updated in place;
      one it stopped tracking since ``known`` is taken out — others' jobs stay;
    * the same for the set of removed config jobs;
    * a setting (theme, sort, filter, any field added to :class:`State` later) takes ours
      when this instance changed it, else keeps the file's.
    """
    known_added = dict(_keyed(known.added_jobs))
    ours_added = dict(_keyed(ours.added_jobs))
    dropped = known_added.keys() - ours_added.keys()
    changed = {key: entry for key, entry in ours_added.items() if known_added.get(key) != entry}
    added: list[tuple[str, JobEntry]] = []
    for key, entry in _keyed(on_disk.added_jobs):
        if key in dropped:
            continue
        added.append((key[0], changed.pop(key, entry)))
    added += [(key[0], entry) for key, entry in changed.items()]  # ours, in our order
    removed = (on_disk.removed_jobs - (known.removed_jobs - ours.removed_jobs)) | (
        ours.removed_jobs - known.removed_jobs
    )
    settings = {
        f.name: FIELD_MERGES.get(f.name, _merge_setting)(
            getattr(known, f.name), getattr(ours, f.name), getattr(on_disk, f.name)
        )
        for f in dataclasses.fields(State)
        if f.name not in _JOB_FIELDS
    }
    return State(added_jobs=added, removed_jobs=removed, **settings)


def _merge_setting(known: Any, ours: Any, on_disk: Any) -> Any:
    """Ours if this instance changed it; a table merges key by key the same way."""
    if isinstance(ours, dict) and isinstance(known, dict) and isinstance(on_disk, dict):
        merged = {key: value for key, value in on_disk.items() if key in ours or key not in known}
        merged.update({key: value for key, value in ours.items() if known.get(key) != value})
        return merged
    return ours if ours != known else on_disk


#: Fields of :class:`State` that merge by a rule of their own, ``(known, ours, on_disk)`` →
#: merged; e.g. a last-seen table where, per job, the newer timestamp wins.
FIELD_MERGES: dict[str, Callable[[Any, Any, Any], Any]] = {"last_seen": merge_last_seen}


def _keyed(jobs: list[tuple[str, JobEntry]]) -> list[tuple[tuple[str, Stage, int], JobEntry]]:
    return [((account, entry.stage, entry.id), entry) for account, entry in jobs]
