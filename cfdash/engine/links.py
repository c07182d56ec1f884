"""Rows linked by an image lock: "image locked by diffid: N" names the diff holding the image.

An outstanding diff locks its image, and the service refuses other work on it with that
envelope (an update fails with it, a queue is refused with it). When diff N is tracked too, the
two rows belong together: the details screen of each names the other and a key jumps to it
(decisions.md, "Linked rows"). Pure functions of the tracked jobs, so the screen and the tests
read the same links.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from cfdash.engine.tracked import JobKey, TrackedJob

__all__ = ["LOCK_PATTERN", "linked_jobs", "locking_diff"]

#: The envelope's words, with or without the colon, in any case.
LOCK_PATTERN = re.compile(r"image locked by diffid:?\s*(\d+)", re.IGNORECASE)


def locking_diff(job: TrackedJob) -> int | None:
    """The id of the diff ``job``'s error says locks its image, if it says so."""
    action = job.queue_action
    outcome = action.outcome if action is not None else None
    texts = [job.error, outcome.text if outcome is not None else None]
    for text in texts:
        match = LOCK_PATTERN.search(text or "")
        if match:
            return int(match.group(1))
    return None


def linked_jobs(job: TrackedJob, jobs: Mapping[JobKey, TrackedJob]) -> list[TrackedJob]:
    """The tracked rows linked to ``job`` by a lock, in table-key order.

    For a diff: every job of its account whose error names it. For any other job: the tracked
    diff its error names (of its own account: ids are the account's).
    """
    if job.stage == "diff":
        return [
            other
            for key, other in sorted(jobs.items())
            if other is not job and key.account == job.account and locking_diff(other) == job.jobid
        ]
    diffid = locking_diff(job)
    if diffid is None:
        return []
    diff = jobs.get(JobKey(job.account, "diff", diffid))
    return [diff] if diff is not None else []
