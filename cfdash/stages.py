"""The steps of a release a tracked job can be: install, update, diff or version.

One small module below everyone that names a stage — the config schema, the API client, the
simulator, the engine and the screens — so the list and the rule "which stages can be retried"
live in one place. It imports nothing of cfdash, so even ``cfdash.config`` can use it without
pulling in the HTTP client.
"""

from __future__ import annotations

from typing import Literal, TypeGuard

__all__ = [
    "NO_RETRY_REASON",
    "PIPELINE_STAGES",
    "RETRY_STAGES",
    "STAGES",
    "PipelineStage",
    "RetryStage",
    "Stage",
    "can_retry",
    "is_pipeline_stage",
    "is_stage",
]

#: ``install`` jobs come from the account's status list; the others are read one by one.
Stage = Literal["install", "update", "diff", "version"]
PipelineStage = Literal["update", "diff", "version"]
RetryStage = Literal["update", "diff"]

STAGES: tuple[Stage, ...] = ("install", "update", "diff", "version")
PIPELINE_STAGES: tuple[PipelineStage, ...] = ("update", "diff", "version")
#: Installs are re-run with ``queue``; versions have no retry endpoint at all.
RETRY_STAGES: tuple[RetryStage, ...] = ("update", "diff")

#: What to say instead of sending anything when a version is asked to retry.
NO_RETRY_REASON = "image versions have no retry endpoint; create a new version instead"


def is_stage(value: object) -> TypeGuard[Stage]:
    """Whether ``value`` names a stage (for input from the command line or the state file)."""
    return value in STAGES


def is_pipeline_stage(stage: str) -> TypeGuard[PipelineStage]:
    """Whether ``stage`` is read job by job (update, diff or version), not from a list."""
    return stage in PIPELINE_STAGES


def can_retry(stage: str) -> TypeGuard[RetryStage]:
    """Whether a failed job of ``stage`` has a retry endpoint (updates and diffs only)."""
    return stage in RETRY_STAGES
