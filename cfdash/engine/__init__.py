"""The engine: polling schedule, backoff, job tracking and queueing. No Textual here."""

from cfdash.engine.engine import AccountLink, Engine, PollDone, QueueDone
from cfdash.engine.health import AccountHealth, Backoff
from cfdash.engine.images import ImageLine, ImagePoller, ImagesRead
from cfdash.engine.outcomes import (
    QueueCheck,
    QueueOutcome,
    QueueRefused,
    queue_outcome,
    readiness,
)
from cfdash.engine.tracking import Changes, JobKey, QueueAction, TrackedJob, Tracker

__all__ = [
    "AccountHealth",
    "AccountLink",
    "Backoff",
    "Changes",
    "Engine",
    "ImageLine",
    "ImagePoller",
    "ImagesRead",
    "JobKey",
    "PollDone",
    "QueueAction",
    "QueueCheck",
    "QueueDone",
    "QueueOutcome",
    "QueueRefused",
    "TrackedJob",
    "Tracker",
    "queue_outcome",
    "readiness",
]
