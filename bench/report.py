"""The text report, built from the JSON a run saved (or is about to save).

python bench/perf.py --show figures.json       # the text report again
"""

from __future__ import annotations

from typing import Any

from bench.machine import describe_code
from bench.plan import ACCOUNTS, SIZE
from bench.sections import load_sections

__all__ = ["header", "report"]


def header(results: dict[str, Any]) -> list[str]:
    m = results["machine"]
    label = f" ({results['label']})" if results.get("label") else ""
    out = [
        "",
        "cfdash performance" + (" (--quick)" if results.get("quick") else ""),
        f"code: {describe_code(m['code'])}{label}",
        f"machine: {m['cores']} cores, {m['cpu']}, Linux {m['kernel']}, Python {m['python']},"
        f" Textual {m['textual']}, {m['tmux']}; {ACCOUNTS} accounts, terminal {SIZE[0]}x{SIZE[1]}",
    ]
    before = results.get("load", {}).get("before")
    if before:
        loadavg = before.get("loadavg_1m")
        out.append(
            "background load before the run (other processes on this shared machine): "
            f"{before['other_pct']:.0f} % of one core"
            + (f", load average {loadavg:.2f}" if loadavg is not None else "")
        )
    return [*out, ""]


def report(results: dict[str, Any]) -> str:
    """Every section the results hold, in run order, numbered as they appear."""
    out = header(results)
    number = 0
    for name, module in load_sections().items():
        if name not in results:
            continue
        number += 1
        out.append(f"{number}. {module.TITLE}")
        out += [line for line in module.render(results[name], results) if line]
        out.append("")
    for name, error in results.get("errors", {}).items():
        out.append(f"section {name} FAILED: {error}")
    if "elapsed_s" in results:
        out.append(f"(benchmark took {results['elapsed_s']:.0f} s)")
    return "\n".join(out)
