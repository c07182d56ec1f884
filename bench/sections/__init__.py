"""The benchmark's sections: each module measures one thing and renders its own table.

A section module has ``TITLE``, ``run(ctx)`` returning dataclasses (saved as JSON by
``perf.py``), and ``render(data, results)`` turning that JSON back into lines of the text
report, so a report can be printed again from a saved file. ``results`` is the whole JSON
document, for sections whose table sets figures beside another section's (``cpu`` shows
``curljq``'s, ``rollout`` shows ``apply``'s).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from bench.plan import Plan
from bench.procs import Tmux
from bench.sandbox import Sandbox

__all__ = ["Context", "load_note", "load_sections", "to_json"]


@dataclass
class Context:
    """What every section may use: the plan, the tmux server and the sandbox."""

    plan: Plan
    tmux: Tmux
    box: Sandbox
    soak_refreshes: int = 10_000


def to_json(value: Any) -> Any:
    """Dataclasses (also nested, in lists and dicts) as plain JSON values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    return value


def load_sections() -> dict[str, ModuleType]:
    """Every section, in the order they run and are reported."""
    from bench.sections import (
        apply,
        cpu,
        curljq,
        keypress,
        requests,
        rollout,
        soak,
        startup,
    )

    return {
        "requests": requests,
        "apply": apply,
        "startup": startup,
        "keypress": keypress,
        "cpu": cpu,
        "curljq": curljq,
        "rollout": rollout,
        "soak": soak,
    }


def load_note(results: dict[str, Any], section: str) -> str:
    """A line on how busy the rest of the machine was during ``section``."""
    load = results.get("load", {}).get(section)
    if load is None:
        return ""
    return (
        f"   other processes used {load['other_pct']:.0f} % of one core during this section"
        " (wall-clock figures above are inflated when this is high)"
    )
