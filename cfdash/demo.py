"""Settings for ``cfdash --demo``: the simulator's demo accounts, built in code, no file read."""

from __future__ import annotations

from pydantic import SecretStr

from cfdash.config.pipeline import ImageEntry
from cfdash.config.schema import AccountSettings, JobEntry, Settings
from cfdash.sim.demo import DEMO_IMAGE, DEMO_IMAGE_LABEL, DEMO_PIPELINE, demo_accounts

__all__ = ["DEMO_REFRESH", "demo_settings"]

#: Demo jobs move within seconds; a one-second refresh shows it.
DEMO_REFRESH = 1.0


def demo_settings(
    base_url: str, accounts: int = 3, refresh: float = DEMO_REFRESH, *, pipeline: bool = False
) -> Settings:
    """Every demo account at ``base_url``, tracking all of its incomplete jobs.

    ``pipeline`` also watches the first account's image (fleet readiness) and tracks its
    update, diff and version jobs (``DEMO_PIPELINE``), as ``cfdash --demo`` and
    ``cfdash status --demo`` do. Off by default: tests and snapshots built on the demo
    world keep the screen and the request counts they were written against.
    """
    members = demo_accounts(accounts)
    first = members[0].name if members else None
    images = (ImageEntry(id=DEMO_IMAGE, label=DEMO_IMAGE_LABEL),) if pipeline else ()
    stages = tuple(JobEntry(id=jobid, stage=stage) for stage, jobid in DEMO_PIPELINE if pipeline)
    return Settings(
        path=None,
        refresh_interval=refresh,
        accounts={
            account.name: AccountSettings(
                name=account.name,
                accountserviceid=account.asid,
                base_url=base_url,
                access_key=SecretStr(account.access_key),
                secret_key=SecretStr(account.secret_key),
                refresh_interval=refresh,
                track_all=True,
                connect_timeout=2.0,
                read_timeout=5.0,
                images=images if account.name == first else (),
                jobs=stages if account.name == first else (),
            )
            for account in members
        },
    )
