"""What the benchmark measures and how much of it: the full run or ``--quick``."""

from __future__ import annotations

from dataclasses import dataclass, replace

__all__ = ["ACCOUNTS", "SIZE", "Plan"]

#: Every world has this many demo accounts (production, staging).
ACCOUNTS = 2
#: The terminal, headless or in tmux: columns, lines.
SIZE = (160, 45)


@dataclass(frozen=True)
class Plan:
    """How much to measure. ``Plan.make(quick)`` gives the full run or the quick one."""

    quick: bool
    sizes: tuple[int, ...]
    pcts: tuple[int, ...] = (1, 10, 100)
    samples: int = 50
    #: Samples of the cases with a target at 1,000 rows (10 % and 100 % changed): p95 and p99
    #: need at least 100 to mean anything.
    target_samples: int = 100
    request_refreshes: int = 5
    perjob_budget: float = 10.0
    startup_runs: int = 3
    key_samples: int = 20
    key_sizes: tuple[int, ...] = (100, 1000, 5000)
    cpu_warmup: float = 5.0
    cpu_window: float = 20.0
    #: (rows, % moving) for cfdash in tmux; baselines run at 10 % for every size.
    cpu_cases: tuple[tuple[int, int], ...] = ()
    list_baseline_sizes: tuple[int, ...] = ()
    curljq_refreshes: int = 10
    #: Jobs in the rollout world (each also measured in the still-life world, 10 % moving).
    rollout_sizes: tuple[int, ...] = (1000, 10000)
    rollout_warmup: float = 10.0
    rollout_window: float = 30.0

    @classmethod
    def make(cls, quick: bool) -> Plan:
        if quick:
            return cls(
                quick=True,
                sizes=(100, 1000),
                samples=20,
                request_refreshes=3,
                perjob_budget=4.0,
                startup_runs=2,
                key_samples=10,
                key_sizes=(1000,),
                cpu_warmup=3.0,
                cpu_window=10.0,
                cpu_cases=((100, 10), (1000, 10)),
                list_baseline_sizes=(1000,),
                curljq_refreshes=5,
                rollout_sizes=(1000,),
                rollout_warmup=6.0,
                rollout_window=20.0,
            )
        sizes = (100, 1000, 5000)
        cases = [(n, pct) for n in sizes for pct in (1, 10, 100)]
        cases.insert(3, (1000, 0))
        return cls(quick=False, sizes=sizes, cpu_cases=tuple(cases), list_baseline_sizes=(1000,))

    def with_rollout_sizes(self, sizes: tuple[int, ...]) -> Plan:
        """The same plan with the rollout section at other sizes (``--rollout-sizes``)."""
        return replace(self, rollout_sizes=sizes)
