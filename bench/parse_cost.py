"""What reading one status list costs, in ms of CPU: the rollout's CPU targets rest on it.

    .venv/bin/python bench/parse_cost.py [--items 1000] [--repeat 50]

For each case a list of N running jobs is read once, then a second body where X % of the jobs
moved is read against it (as a poll does). "whole" is the one-pass parse of every item (the
client before items were reused); "reuse" is ``parse_status`` with the previous poll, as the
client runs it now. "1 bad" puts one NaN ``jobprogress`` in the changed body, which sends the
changed items down the item-by-item path. Thread CPU time, median and minimum of ``--repeat``
runs; JSON decoding is included in both.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from typing import Any

from cfdash.api.models import StatusList
from cfdash.api.parse import parse_response
from cfdash.api.status import parse_status

WHERE = {"status": 200, "headers": {}, "account": "bench", "endpoint": "status"}


def item(jobid: int, progress: int) -> dict[str, Any]:
    """A status item shaped like the simulator's (and the docs')."""
    return {
        "jobid": jobid,
        "jobcreated": 1_700_000_000,
        "jobstart": "1700000100",
        "jobupdated": 1_700_000_200 + progress,
        "jobeta": 1_700_009_000,
        "jobprogress": progress,
        "jobfailed": 0,
        "joberror": None,
        "jobstateid": 4,
        "jobstatename": "Running",
        "mirroring": jobid % 2 == 0,
        "restart": 0,
        "location": "London",
        "machine": f"machine-{jobid}",
        "imagepath": "/images/game-server",
        "install_at": None,
        "mirror": None,
        "target_imageversionid": 4242,
    }


def bodies(count: int, changed: float, bad: bool = False) -> tuple[bytes, bytes]:
    before = [item(5_000_000 + i, 10) for i in range(count)]
    moved = int(count * changed)
    after = [dict(raw, jobprogress=11) if i < moved else raw for i, raw in enumerate(before)]
    text = json.dumps({"installs": after})
    if bad:
        text = text.replace('"jobprogress": 11', '"jobprogress": NaN', 1)
    return json.dumps({"installs": before}).encode(), text.encode()


def cpu_ms(run: Callable[[], object], repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        start = time.thread_time()
        run()
        times.append((time.thread_time() - start) * 1000)
    return statistics.median(times), min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    print(f"{args.items} items, ms of CPU per poll (median / min of {args.repeat})")
    for changed, bad in ((0.1, False), (1.0, False), (0.1, True)):
        first, second = bodies(args.items, changed, bad)
        previous = parse_status(body=first, **WHERE)

        def whole(second: bytes = second) -> object:
            try:
                return parse_response(StatusList, body=second, **WHERE)
            except Exception:  # the one-pass parse refuses a list with a bad item
                return None

        def reuse(second: bytes = second, previous: object = previous) -> object:
            return parse_status(body=second, previous=previous, **WHERE)  # type: ignore[arg-type]

        label = f"{changed:>4.0%} changed{', 1 bad' if bad else ''}"
        old, new = cpu_ms(whole, args.repeat), cpu_ms(reuse, args.repeat)
        print(
            f"  {label:<22} whole {old[0]:6.2f} / {old[1]:6.2f}"
            f"    reuse {new[0]:6.2f} / {new[1]:6.2f}"
        )


if __name__ == "__main__":
    main()
