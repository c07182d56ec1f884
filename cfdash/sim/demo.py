"""The demo world: a few accounts and about a dozen jobs that keep a dashboard busy.

Used by ``cfdash --demo`` and ``cfdash sim``. The first twelve jobs are scripted so that, at
:data:`DEMO_SPEED`, something visibly happens within seconds on every account: running jobs
move, one completes, one fails, one machine job is squashed, queued jobs start, and pending
and failed ones are there to be queued. Jobs beyond twelve get random fates from the seed.

The first account also holds the rest of a release (:func:`add_demo_pipeline`): an image
whose fleets fill up, an update that fails because a diff locks its image, that diff, and a
version whose completion rolls a new version out to the fleets. They are drawn from the same
seed but apart from the installs, whose ids, order and fates stay as they were.

Demo keys and tokens are fixed and public (``demo-access-<name>`` / ``demo-secret-<name>``,
``demo-token-<name>``): they open nothing but the simulator. Every demo account takes either.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

from cfdash.sim.clock import Clock
from cfdash.sim.fate import Fate, JobKind, draw_fate, fate_rng, noisy_curve, progress_at
from cfdash.sim.model import JobState, Simulator
from cfdash.sim.pipeline import pipeline_rng
from cfdash.stages import PipelineStage

__all__ = [
    "DEMO_IMAGE",
    "DEMO_IMAGE_LABEL",
    "DEMO_IMAGE_VERSIONS",
    "DEMO_PIPELINE",
    "DEMO_SPEED",
    "DemoAccount",
    "add_demo_pipeline",
    "build_demo",
    "demo_accounts",
    "demo_config_toml",
]

#: Service seconds per wall second: a 10-minute install takes 50 s — quick enough to watch a
#: release happen, slow enough to read the rows and queue something while others run.
DEMO_SPEED = 12.0
DEMO_IMAGE_VERSIONS = (4242, 4243)
#: The first demo account's image, and its update, diff and version jobs (stage, id).
DEMO_IMAGE = 1001
DEMO_IMAGE_LABEL = "mygame-server"
DEMO_PIPELINE: tuple[tuple[PipelineStage, int], ...] = (
    ("update", 7101),
    ("diff", 218595),  # the diff the demo's "image locked by diffid: 218595" errors name
    ("version", 4244),
)

_NAMES = ("production", "staging", "eu-test")
_LOCATIONS = ("London", "Frankfurt", "Amsterdam", "Virginia", "Singapore")
_MIRRORS = ("eu-west-mirror-1", "us-east-mirror-1")


@dataclass(frozen=True)
class DemoAccount:
    """One demo account's name, ASID and (public, fixed) keys and bearer token."""

    name: str
    asid: int
    access_key: str
    secret_key: str
    token: str = ""


def demo_accounts(count: int = 3) -> list[DemoAccount]:
    """The demo accounts: production, staging, eu-test, then account-4, account-5, …"""
    accounts = []
    for i in range(count):
        name = _NAMES[i] if i < len(_NAMES) else f"account-{i + 1}"
        accounts.append(
            DemoAccount(
                name,
                12345 + 11111 * i,
                f"demo-access-{name}",
                f"demo-secret-{name}",
                f"demo-token-{name}",
            )
        )
    return accounts


def demo_config_toml(
    base_url: str,
    accounts: list[DemoAccount],
    *,
    bearer: str | None = None,
    pipeline: bool = False,
) -> str:
    """A ready-to-paste cfdash config for the demo accounts at ``base_url``.

    ``bearer`` names an account written with ``auth = "bearer"`` and its token instead of keys;
    ``pipeline`` adds the first account's image and update/diff/version jobs. ``cfdash sim``
    prints both; other callers get the plain Basic config they always did.
    """
    lines = [
        "# cfdash config for the simulator (demo keys: they open nothing else)",
        "refresh_interval = 2",
    ]
    for index, account in enumerate(accounts):
        lines += [
            "",
            f"[accounts.{account.name}]",
            f"accountserviceid = {account.asid}",
            f'base_url = "{base_url}"',
        ]
        if account.name == bearer:
            lines += ['auth = "bearer"', f'token = "{account.token}"']
        else:
            lines += [
                f'access_key = "{account.access_key}"',
                f'secret_key = "{account.secret_key}"',
            ]
        lines.append("track_all = true")
        if pipeline and index == 0:
            lines.append(f'images = [{{ id = {DEMO_IMAGE}, label = "{DEMO_IMAGE_LABEL}" }}]')
            lines.append("jobs = [")
            lines += [f'  {{ id = {jobid}, stage = "{stage}" }},' for stage, jobid in DEMO_PIPELINE]
            lines.append("]")
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class _Script:
    kind: JobKind
    state: JobState
    ending: str  # "complete", "fail" or "squash"
    duration: float  # service seconds
    elapsed: float = 0.0  # service seconds already run (Running jobs)
    end_at: float = 0.0  # progress at which it fails or is squashed


# Ordered so that dealing round-robin to three accounts gives each a running job first.
_SCRIPT = (
    _Script("mirror", JobState.RUNNING, "complete", 360, elapsed=150),
    _Script("machine", JobState.RUNNING, "fail", 480, elapsed=80, end_at=48),
    _Script("machine", JobState.RUNNING, "squash", 420, elapsed=180, end_at=62),
    _Script("mirror", JobState.QUEUED, "complete", 300),
    _Script("machine", JobState.QUEUED, "fail", 420, end_at=35),
    _Script("machine", JobState.RUNNING, "complete", 600, elapsed=30),
    _Script("machine", JobState.FAILED, "complete", 360),
    _Script("mirror", JobState.PENDING, "complete", 420),
    _Script("machine", JobState.PENDING, "complete", 300),
    _Script("machine", JobState.CREATED, "complete", 480),
    _Script("mirror", JobState.CREATED, "fail", 540, end_at=80),
    _Script("machine", JobState.PENDING, "complete", 360),
)

_DEMO_ERRORS = (
    "image locked by diffid: 218595",
    "disk full on machine 4411",
    "download from mirror timed out after 300s",
)


def _scripted_fate(script: _Script, rng: random.Random, error: str) -> Fate:
    """The scripted ending and duration, with the seed's noise in the curve and delays."""
    curve = draw_fate(rng, script.kind).curve
    # A noisy curve may already be past the scripted end: keep the end visibly ahead.
    reached = progress_at(curve, script.elapsed / script.duration)
    end_at = max(script.end_at, min(reached + 15.0, 95.0))
    return Fate(
        duration=script.duration,
        queue_delay=rng.uniform(15.0, 40.0),  # 1-3 s at demo speed: visible, not slow
        fail_at=end_at if script.ending == "fail" else None,
        squash_at=end_at if script.ending == "squash" else None,
        error=error,
        curve=curve,
        estimate=script.duration * rng.uniform(0.85, 1.2),
    )


def build_demo(
    seed: int = 0,
    speed: float = DEMO_SPEED,
    accounts: int = 3,
    jobs: int = 12,
    clock: Clock | None = None,
) -> Simulator:
    """A simulator holding the demo accounts and ``jobs`` jobs dealt round-robin to them."""
    if accounts < 1:
        raise ValueError("the demo needs at least one account")
    if jobs < 0:
        raise ValueError("jobs must not be negative")
    sim = Simulator(clock=clock or time.time, seed=seed, speed=speed)
    members = demo_accounts(accounts)
    for account in members:
        sim.add_account(
            account.name, account.asid, account.access_key, account.secret_key, token=account.token
        )
    now = sim.clock()
    for i in range(jobs):
        jobid = 5_551_001 + i
        rng = fate_rng(seed, jobid, -1)  # the demo's own draw, apart from retries' fates
        account = members[i % len(members)]
        version = DEMO_IMAGE_VERSIONS[0 if i % 4 == 0 else 1]
        if i < len(_SCRIPT):
            script = _SCRIPT[i]
            fate = _scripted_fate(script, rng, _DEMO_ERRORS[i % len(_DEMO_ERRORS)])
            kind, state, elapsed = script.kind, script.state, script.elapsed
        else:
            kind = rng.choice(("mirror", "machine"))
            state = rng.choice((JobState.CREATED, JobState.PENDING, JobState.QUEUED))
            fate, elapsed = draw_fate(rng, kind), 0.0
        sim.add_job(
            account.asid,
            jobid=jobid,
            kind=kind,
            state=state,
            fate=fate,
            elapsed=elapsed,
            progress=int(rng.uniform(10, 80)) if state == JobState.FAILED else 0,
            error=fate.error if state == JobState.FAILED else None,
            created=now - rng.uniform(600, 7200),
            target_imageversionid=version,
            location=_LOCATIONS[i % len(_LOCATIONS)],
            machine=None if kind == "mirror" else f"gs-{4400 + i}",
            mirror=_MIRRORS[i % len(_MIRRORS)],
            imagepath=f"/images/mygame-server/v{version}",
            install_at=int(now - rng.uniform(60, 1800)) if i % 3 == 0 else None,
        )
    add_demo_pipeline(sim, members[0].asid)
    return sim


def _pipeline_fate(
    rng: random.Random,
    duration: float,
    elapsed: float,
    *,
    fail_at: float | None = None,
    error: str = "",
) -> Fate:
    """A scripted pipeline run, its failure (if any) kept visibly ahead of where it starts."""
    curve = noisy_curve(rng)
    if fail_at is not None:
        reached = progress_at(curve, elapsed / duration)
        fail_at = max(fail_at, min(reached + 15.0, 95.0))
    return Fate(
        duration=duration,
        queue_delay=rng.uniform(15.0, 40.0),
        fail_at=fail_at,
        error=error or "failed",
        curve=curve,
        estimate=duration * rng.uniform(0.85, 1.2),
    )


def add_demo_pipeline(sim: Simulator, asid: int) -> None:
    """Give account ``asid`` the demo's image and its update, diff and version (see above).

    Scripted so that, at demo speed, within 30 s the update fails on the lock of the diff (which
    its retry then meets too), the diff completes with files to show, and the version completes
    and starts a new rollout of the image, which fills up again within another minute.
    """
    rng = pipeline_rng(sim.seed, "demo", DEMO_IMAGE, 0)
    now = sim.clock()
    (_, updateid), (_, diffid), (_, versionid) = DEMO_PIPELINE
    pipeline = sim.pipeline
    pipeline.add_image(
        asid, DEMO_IMAGE, duration=600.0, elapsed=180.0, imageversionid=DEMO_IMAGE_VERSIONS[-1]
    )
    pipeline.add_diff(
        asid,
        DEMO_IMAGE,
        jobid=diffid,
        state=JobState.RUNNING,
        fate=_pipeline_fate(rng, 300.0, 60.0),
        elapsed=60.0,
        created=now - rng.uniform(300, 900),
    )
    pipeline.add_update(
        asid,
        DEMO_IMAGE,
        jobid=updateid,
        state=JobState.RUNNING,
        fate=_pipeline_fate(
            rng, 420.0, 120.0, fail_at=60.0, error=f"image locked by diffid: {diffid}"
        ),
        elapsed=120.0,
        created=now - rng.uniform(120, 300),
    )
    pipeline.add_version(
        asid,
        DEMO_IMAGE,
        jobid=versionid,
        diffid=diffid - 5,  # an earlier diff this version accepted, before the demo began
        state=JobState.RUNNING,
        fate=_pipeline_fate(rng, 240.0, 40.0),
        elapsed=40.0,
        created=now - rng.uniform(60, 120),
    )
