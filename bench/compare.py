"""Two saved runs side by side: every figure both hold, with the ratio new/old.

    python bench/perf.py --compare old.json new.json [--match rollout]

Figures are named by their path in the JSON; items of a list are named by what identifies
them (``cpu[program=cfdash,rows=1000,moving_pct=10]``), not by position, so runs with other
sections or sizes still line up. Ratios below 1 mean the new run needed less (for times, CPU,
RSS, toasts) — or did less (frames per second, refreshes): read the figure's name.
"""

from __future__ import annotations

from typing import Any

from bench.machine import describe_code
from bench.stats import table

__all__ = ["compare", "figures"]

#: Fields that say which case a list item is, in the order they appear in its name.
_IDENTITY = ("world", "program", "rows", "jobs", "moving_pct", "command")
#: Top-level keys that are not measurements.
_SKIP = {"machine", "plan", "quick", "label", "errors", "schema", "trace"}


def _name(item: dict[str, Any], index: int) -> str:
    parts = [
        f"{key}={item[key]:g}" if isinstance(item[key], float) else f"{key}={item[key]}"
        for key in _IDENTITY
        if item.get(key) is not None
    ]
    return ",".join(parts) if parts else str(index)


def figures(value: Any, path: str = "") -> dict[str, float]:
    """Every number in ``value`` by its path (booleans and identity fields left out)."""
    found: dict[str, float] = {}
    if isinstance(value, dict):
        for key, inner in value.items():
            if (not path and key in _SKIP) or key in _IDENTITY or key == "trace":
                continue
            found.update(figures(inner, f"{path}.{key}" if path else str(key)))
    elif isinstance(value, list):
        for i, inner in enumerate(value):
            label = _name(inner, i) if isinstance(inner, dict) else str(i)
            found.update(figures(inner, f"{path}[{label}]"))
    elif isinstance(value, int | float) and not isinstance(value, bool):
        found[path] = float(value)
    return found


def compare(old: dict[str, Any], new: dict[str, Any], match: str | None = None) -> str:
    a, b = figures(old), figures(new)
    rows = []
    for path in [p for p in b if p in a]:
        if match and match not in path:
            continue
        before, after = a[path], b[path]
        change = f"{after / before:.3g}" if before else ("1" if after == before else "n/a")
        rows.append([path, f"{before:,.4g}", f"{after:,.4g}", change])
    only = len([p for p in a if p not in b]), len([p for p in b if p not in a])
    out = [
        f"old: {describe_code(old['machine']['code'])}" + _label(old),
        f"new: {describe_code(new['machine']['code'])}" + _label(new),
        "",
        table(["figure", "old", "new", "new/old"], rows) if rows else "no figures in common",
        "",
        f"{len(rows)} figures compared; {only[0]} only in old, {only[1]} only in new.",
    ]
    return "\n".join(out)


def _label(results: dict[str, Any]) -> str:
    return f" ({results['label']})" if results.get("label") else ""
