"""cfdash's performance benchmark: every target of the performance issues, with baselines.

    python bench/perf.py [--quick] [--json PATH] [--only SECTION,...]
    python bench/perf.py --compare old.json new.json [--match TEXT]
    python bench/perf.py --report figures.json      # the README's table, in Markdown
    python bench/perf.py --show figures.json        # the text report again

Sections (all on 127.0.0.1, two accounts; N = 100, 1,000 and 5,000 rows; --quick: 100 and
1,000, fewer samples, shorter windows, the rollout at 1,000 only; each section's module in
``bench/sections/`` says how it measures):

requests  Requests per refresh, counted by the simulator, against a per-job poller.
apply     One refresh applied to the table, headless, with the frame that follows.
startup   Process start to the first frame showing a job (tmux), and the headless commands.
keypress  Confirm key to the queue request reaching the simulator (Pilot, real HTTP).
cpu       CPU % and RSS of the real app in tmux against the still-life world, and baselines.
curljq    A ``watch``-style ``curl | jq`` loop: CPU ms per refresh.
rollout   The rollout world at 1,000 and 10,000 jobs in tmux: CPU, RSS, frames per second and
          toasts on screen, beside the still life and ``curl | jq`` of the same run.
soak      (opt-in, ``--soak N``) RSS over N headless refreshes.

Everything started here (simulator processes, a private tmux server) is stopped in
``finally`` blocks, also on Ctrl-C. State, config and logs live in a temporary directory.
"""

from __future__ import annotations

import argparse
import json
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.machine import Load, machine
from bench.plan import Plan
from bench.procs import Tmux
from bench.report import report
from bench.sandbox import Sandbox
from bench.sections import Context, load_sections, to_json
from bench.stats import log

#: Sections run unless ``--only`` says otherwise (soak is opt-in).
SECTIONS = ("requests", "apply", "startup", "keypress", "cpu", "curljq", "rollout")
_TMUX = {"startup", "cpu", "rollout"}


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def _load_json(path: str) -> dict[str, Any]:
    try:
        return json.loads(Path(path).read_text())
    except (OSError, ValueError) as error:
        raise SystemExit(f"cannot read {path}: {error}") from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description="cfdash performance benchmark")
    parser.add_argument("--quick", action="store_true", help="fewer sizes and samples, ~8 min")
    parser.add_argument("--json", metavar="PATH", help="also save the figures as JSON")
    parser.add_argument(
        "--only", metavar="SECTIONS", help=f"comma-separated subset of {','.join(SECTIONS)},soak"
    )
    parser.add_argument("--label", metavar="TEXT", help="what is measured, printed in the header")
    parser.add_argument(
        "--soak",
        type=int,
        metavar="REFRESHES",
        default=0,
        help="also run REFRESHES headless refreshes at 1,000 rows and report RSS growth"
        " (10,000: about 20 minutes)",
    )
    parser.add_argument(
        "--rollout-sizes",
        metavar="N,...",
        help="jobs in the rollout section (default: 1000,10000; --quick: 1000)",
    )
    parser.add_argument(
        "--compare", nargs=2, metavar=("OLD", "NEW"), help="print ratios new/old of two runs"
    )
    parser.add_argument("--match", metavar="TEXT", help="with --compare: only figures naming TEXT")
    parser.add_argument("--report", metavar="JSON", help="print the README table from a run")
    parser.add_argument("--show", metavar="JSON", help="print the text report of a saved run")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.compare:
        from bench.compare import compare

        print(compare(*(_load_json(p) for p in args.compare), match=args.match))
        return 0
    if args.report:
        from bench.readme_table import markdown

        print(markdown(_load_json(args.report), args.report))
        return 0
    if args.show:
        print(report(_load_json(args.show)))
        return 0

    only = set(args.only.split(",")) if args.only else set(SECTIONS)
    unknown = only - {*SECTIONS, "soak"}
    if unknown:
        parser.error(f"unknown sections: {', '.join(sorted(unknown))}")
    if "soak" in only and not args.soak:
        args.soak = 10_000
    if args.soak:
        only.add("soak")
    plan = Plan.make(args.quick)
    if args.rollout_sizes:
        try:
            plan = plan.with_rollout_sizes(tuple(int(n) for n in args.rollout_sizes.split(",")))
        except ValueError:
            parser.error("--rollout-sizes takes numbers separated by commas, e.g. 1000,10000")
    if only & _TMUX and shutil.which("tmux") is None:
        log(f"tmux is not installed: skipping {', '.join(sorted(only & _TMUX))}")
        only -= _TMUX

    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, _interrupt)  # also when started in the background
    results: dict[str, Any] = {
        "schema": 2,
        "machine": machine(),
        "quick": plan.quick,
        "label": args.label,
        "plan": to_json(plan),
    }
    started = time.monotonic()
    tmux = Tmux()
    with tempfile.TemporaryDirectory(prefix="cfdash-bench-") as tmp:
        ctx = Context(plan, tmux, Sandbox(Path(tmp)), soak_refreshes=args.soak or 10_000)
        try:
            log("measuring the machine's background load for 3 s")
            idle = Load()
            time.sleep(3)
            results["load"] = {"before": idle.stop()}
            for name, section in load_sections().items():
                if name not in only:
                    continue
                load = Load()
                try:
                    results[name] = to_json(section.run(ctx))
                except Exception as error:  # one broken section must not lose the others
                    log(f"section {name} failed: {type(error).__name__}: {error}")
                    results.setdefault("errors", {})[name] = f"{type(error).__name__}: {error}"
                    continue
                results["load"][name] = load.stop()
        except KeyboardInterrupt:
            log("interrupted: cleaning up and printing what was measured")
        finally:
            tmux.close()
    results["elapsed_s"] = time.monotonic() - started
    print(report(results))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1) + "\n")
        print(f"figures saved to {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
