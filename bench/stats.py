"""Small statistics and text helpers shared by the sections and the reports."""

from __future__ import annotations

import statistics
import sys
import time

__all__ = ["fmt", "log", "median", "p95", "p99", "percentile", "ratio", "table", "verdict"]


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile: the smallest sample with at least ``q`` % of them at or below.

    Nearest rank never interpolates, so a figure is always a sample that happened; with fewer
    than 100 / (100 - q) samples it is the largest one.
    """
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-round(q * len(ordered)) // 100))  # ceil(q / 100 * n)
    return ordered[min(rank, len(ordered)) - 1]


def p95(values: list[float]) -> float | None:
    return percentile(values, 95)


def p99(values: list[float]) -> float | None:
    return percentile(values, 99)


def fmt(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "n/a"
    return f"{value:,.{digits}f}"


def ratio(a: float | None, b: float | None) -> str:
    if a is None or not b:
        return "n/a"
    return f"{a / b:.3g}×"


def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("ok" if ok else "MISS")


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def table(headers: list[str], rows: list[list[str]]) -> str:
    """A plain-text table: the first column left-aligned, the others right-aligned."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]

    def line(cells: list[str]) -> str:
        return "  ".join(
            c.rjust(w) if i else c.ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        )

    return "\n".join([line(headers), "  ".join("-" * w for w in widths), *map(line, rows)])
