"""The baselines cfdash is measured against: what a user would otherwise reach for.

Nothing here is cfdash's dashboard code; it reuses only the simulator's demo accounts and the
pure text formatters (so the cells read the same and the comparison is about the design).

(a) A per-job poller — one status request per job per refresh, as a naive client of a per-job
    endpoint would do (the status endpoint returns every job of the account, so "per job" is N
    requests per refresh, each answered with the whole list) — feeding a plain Textual
    ``DataTable`` that is cleared and rebuilt at every refresh::

        python bench/baselines.py table --base-url URL --accounts 2 [--poll perjob|list]

    ``--poll list`` fetches one list per account instead (M requests), to separate the cost of
    the clear-and-rebuild table from the cost of the polling. ``--stats FILE`` appends one line
    per finished refresh (``wall_time requests seconds``) for the benchmark to read.

(b) A ``watch``-style ``curl | jq`` loop over the M status lists: :func:`curl_jq_cpu` runs it
    and sums the children's CPU with ``getrusage(RUSAGE_CHILDREN)``.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import shlex
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cfdash.sim import demo_accounts
from cfdash.textfmt import age, eta_text, progress_bar, shorten

__all__ = [
    "COLUMNS",
    "STATUS_PATH",
    "CurlJqResult",
    "Target",
    "curl_jq_cpu",
    "fetch_lists",
    "per_job_refresh",
    "row_cells",
    "targets_for",
]

STATUS_PATH = "/cfp/v1/imageinstall/status"
COLUMNS = ("Account", "Job", "Kind", "Label", "State", "Progress", "ETA", "Fail", "Error", "Seen")


@dataclass(frozen=True)
class Target:
    """One account as a naive client holds it: name, ASID and keys."""

    name: str
    asid: int
    auth: tuple[str, str]


def targets_for(accounts: int) -> list[Target]:
    """The simulator's demo accounts (public demo keys, valid only on the simulator)."""
    return [Target(a.name, a.asid, (a.access_key, a.secret_key)) for a in demo_accounts(accounts)]


async def _status(client: httpx.AsyncClient, target: Target) -> list[dict[str, Any]]:
    response = await client.get(
        STATUS_PATH, params={"accountserviceid": target.asid}, auth=target.auth
    )
    response.raise_for_status()
    return response.json()["installs"]


async def fetch_lists(
    client: httpx.AsyncClient, targets: list[Target]
) -> list[tuple[str, dict[str, Any]]]:
    """One status list per account: (account, item) for every listed job."""
    rows = []
    for target in targets:
        rows += [(target.name, item) for item in await _status(client, target)]
    return rows


async def per_job_refresh(
    client: httpx.AsyncClient,
    jobs: list[tuple[Target, int]],
    deadline: float | None = None,
) -> tuple[list[tuple[str, dict[str, Any]]], int, bool]:
    """One refresh the naive way: a status request per job, keeping that job's item.

    Returns (rows, requests sent, finished); with ``deadline`` (a ``time.monotonic()`` value)
    it stops early and says so, so a benchmark can bound a refresh that takes minutes.
    """
    rows = []
    sent = 0
    for target, jobid in jobs:
        if deadline is not None and time.monotonic() > deadline:
            return rows, sent, False
        items = await _status(client, target)
        sent += 1
        item = next((each for each in items if each.get("jobid") == jobid), None)
        if item is not None:
            rows.append((target.name, item))
    return rows, sent, True


def row_cells(account: str, item: dict[str, Any], now: float) -> tuple[str, ...]:
    """The same ten cells cfdash shows, from a raw status item."""
    mirroring = item.get("mirroring")
    state = item.get("jobstatename") or ""
    target = item.get("mirror") if mirroring else f"{item.get('machine')} {item.get('location')}"
    failed = item.get("jobfailed") or 0
    return (
        account,
        str(item.get("jobid")),
        "mirror" if mirroring else "machine",
        shorten(target, 24),
        state,
        progress_bar(item.get("jobprogress") or 0),
        eta_text(item.get("jobeta"), now) if state == "Running" else "",
        str(failed) if failed else "",
        shorten(item.get("joberror"), 32),
        age(now, now),
    )


# -- (a) the clear-and-rebuild DataTable app ------------------------------------------------


def _run_table_app(args: argparse.Namespace) -> int:
    # Textual is imported here only: the benchmark imports this module without it.
    from textual.app import App, ComposeResult
    from textual.widgets import DataTable, Static

    targets = targets_for(args.accounts)
    stats = Path(args.stats) if args.stats else None

    class RebuildApp(App[None]):
        """A plain DataTable, cleared and refilled from scratch at every refresh."""

        def compose(self) -> ComposeResult:
            yield Static(f"baseline: {args.poll} poller, clear-and-rebuild DataTable", id="top")
            yield DataTable(cursor_type="row", zebra_stripes=True)

        def on_mount(self) -> None:
            self.query_one(DataTable).add_columns(*COLUMNS)
            self.run_worker(self._poll(), exit_on_error=False)

        async def _poll(self) -> None:
            async with httpx.AsyncClient(base_url=args.base_url, timeout=30.0) as client:
                listed = await fetch_lists(client, targets)  # which jobs exist: once
                by_name = {t.name: t for t in targets}
                jobs = [(by_name[account], item["jobid"]) for account, item in listed]
                while True:
                    started = time.monotonic()
                    if args.poll == "perjob":
                        rows, sent, _ = await per_job_refresh(client, jobs)
                    else:
                        rows, sent = await fetch_lists(client, targets), len(targets)
                    self._rebuild(rows)
                    took = time.monotonic() - started
                    if stats is not None:
                        with stats.open("a") as out:
                            out.write(f"{time.time():.3f} {sent} {took:.3f}\n")
                    await asyncio.sleep(max(0.0, args.refresh - took))

        def _rebuild(self, rows: list[tuple[str, dict[str, Any]]]) -> None:
            now = time.time()
            table = self.query_one(DataTable)
            table.clear()
            for account, item in sorted(rows, key=lambda r: (r[0], r[1].get("jobid", 0))):
                table.add_row(*row_cells(account, item, now))

    RebuildApp().run()
    return 0


# -- (b) watch-style curl | jq ------------------------------------------------------------------

_JQ = r".installs[] | [.jobid, .jobstatename, .jobprogress, .jobeta, .joberror] | @tsv"


@dataclass(frozen=True)
class CurlJqResult:
    """CPU and wall time of one ``curl | jq`` refresh over every account (children's CPU)."""

    cpu_ms: float
    wall_ms: float
    refreshes: int
    requests_per_refresh: int
    output_bytes: int


def curl_jq_command(base_url: str, targets: list[Target]) -> str:
    """The shell command ``watch -n1`` would run: one ``curl | jq`` per account."""
    parts = []
    for target in targets:
        url = f"{base_url}{STATUS_PATH}?accountserviceid={target.asid}"
        user = f"{target.auth[0]}:{target.auth[1]}"
        curl = f"curl -s -u {shlex.quote(user)} {shlex.quote(url)}"
        parts.append(f"{curl} | jq -r {shlex.quote(_JQ)}")
    return "; ".join(parts)


def curl_jq_cpu(base_url: str, accounts: int, refreshes: int) -> CurlJqResult | None:
    """Run the loop ``refreshes`` times back to back; None if ``curl`` or ``jq`` is missing."""
    if shutil.which("curl") is None or shutil.which("jq") is None:
        return None
    command = curl_jq_command(base_url, targets_for(accounts))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    output = 0
    for _ in range(refreshes):
        done = subprocess.run(["sh", "-c", command], capture_output=True, timeout=60, check=True)
        output = len(done.stdout)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return CurlJqResult(
        cpu_ms=cpu * 1000 / refreshes,
        wall_ms=wall * 1000 / refreshes,
        refreshes=refreshes,
        requests_per_refresh=accounts,
        output_bytes=output,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="cfdash benchmark baselines")
    commands = parser.add_subparsers(dest="command", required=True)
    table = commands.add_parser("table", help="(a) poller + clear-and-rebuild DataTable")
    table.add_argument("--base-url", required=True)
    table.add_argument("--accounts", type=int, default=2)
    table.add_argument("--poll", choices=["perjob", "list"], default="perjob")
    table.add_argument("--refresh", type=float, default=1.0)
    table.add_argument("--stats", metavar="FILE")
    curl = commands.add_parser("curljq", help="(b) CPU of a watch-style curl | jq loop")
    curl.add_argument("--base-url", required=True)
    curl.add_argument("--accounts", type=int, default=2)
    curl.add_argument("--refreshes", type=int, default=10)
    args = parser.parse_args(argv)
    if args.command == "table":
        return _run_table_app(args)
    result = curl_jq_cpu(args.base_url, args.accounts, args.refreshes)
    if result is None:
        print("curl or jq is not installed", file=sys.stderr)
        return 1
    print(result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
