"""The engine: polling schedule, backoff, job tracking and queueing. No Textual here."""

from cfdash.engine.engine import AccountLink, Engine, PollDone, QueueDone, QueueRefused
from cfdash.engine.health import AccountHealth, Backoff
from cfdash.engine.tracking import Changes, JobKey, TrackedJob, Tracker

__all__ = [
    "AccountHealth",
    "AccountLink",
    "Backoff",
    "Changes",
    "Engine",
    "JobKey",
    "PollDone",
    "QueueDone",
    "QueueRefused",
    "TrackedJob",
    "Tracker",
]
