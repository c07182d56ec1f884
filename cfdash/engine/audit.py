"""The audit trail: every queue request sent, by whom, with which flag, and what came of it.

``audit.jsonl`` sits beside the event log in the state directory and is rotated on its own
(each file up to 10 MB, one older copy kept), so a busy week of per-job events cannot push
last night's "who queued production/5551001, and what did the service say?" out of it.

One line per request actually sent, written by the engine whoever asked (the dashboard,
``cfdash queue`` or ``cfdash retry``), and one more when the next read settles an unknown
outcome. A retry of an update or diff names its ``stage``; an install's line has none, as
before the pipeline stages. Jobs
cfdash refused to send are not requests and are not recorded. Only job fields, the flag, the
local user name and the service's answer are written, so no credential can reach the file.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cfdash.config.paths import state_path
from cfdash.engine.jsonl import JsonlFile
from cfdash.engine.outcomes import QueueOutcome
from cfdash.engine.tracking import JobKey, job_name
from cfdash.stages import Stage, is_stage
from cfdash.timefmt import iso_utc

__all__ = ["AUDIT_BACKUPS", "AUDIT_MAX_BYTES", "AuditEntry", "AuditLog", "default_audit_path"]

AUDIT_MAX_BYTES = 10_000_000
AUDIT_BACKUPS = 1

_PAST = {"queue": "queued", "retry": "retried"}


def default_audit_path() -> Path:
    """``audit.jsonl`` beside the state file and the event log."""
    return state_path().parent / "audit.jsonl"


def local_user() -> str | None:
    """Who is at the keyboard, as the OS says; None where it cannot say (no passwd entry)."""
    try:
        return getpass.getuser() or None
    except (OSError, KeyError, ImportError):
        return None


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One line of the trail, read back for the event feed and the details screen."""

    at: float
    account: str
    job: int
    action: str
    mirroring: bool | None
    user: str | None
    #: ``queued``, ``refused``, ``not_queued`` or ``unknown``; for a settlement, what it found.
    outcome: str
    answer: str
    origin: str | None = None
    stage: Stage = "install"
    #: For a settlement: the action whose unknown outcome it settled (``queue``, ``retry``).
    of: str = "queue"

    @property
    def key(self) -> JobKey:
        return JobKey(self.account, self.stage, self.job)

    def describe(self) -> str:
        """``alice queued production/5551001 (mirroring false): queued (Queued), …``."""
        who = self.user or "someone"
        job = job_name(self.account, self.stage, self.job)
        if self.action == "settle":
            return f"{job}: the unknown {self.of} outcome {self.answer}"
        flag = "" if self.mirroring is None else f" (mirroring {str(self.mirroring).lower()})"
        did = _PAST.get(self.action, self.action)
        return f"{who} {did} {job}{flag}: {self.answer}"

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> AuditEntry | None:
        stage = record.get("stage", "install")
        if not is_stage(stage):
            return None
        try:
            return cls(
                at=float(record["unix"]),
                account=str(record["account"]),
                job=int(record["job"]),
                action=str(record["action"]),
                mirroring=record.get("mirroring"),
                user=record.get("user"),
                outcome=str(record.get("outcome", "")),
                answer=str(record.get("answer", "")),
                origin=record.get("origin"),
                stage=stage,
                of=str(record.get("of", "queue")),
            )
        except (KeyError, TypeError, ValueError):
            return None


class AuditLog(JsonlFile):
    """Writes and reads ``audit.jsonl``. ``origin`` names the front end (``dashboard``…)."""

    what = "the audit trail"

    def __init__(
        self,
        path: Path | str | None = None,
        *,
        origin: str | None = None,
        user: str | None = None,
        max_bytes: int = AUDIT_MAX_BYTES,
        backups: int = AUDIT_BACKUPS,
    ) -> None:
        super().__init__(path if path is not None else default_audit_path(), max_bytes, backups)
        self.origin = origin
        self.user = user if user is not None else local_user()

    def queued(
        self,
        key: JobKey,
        mirroring: bool | None,
        outcome: QueueOutcome,
        at: float,
        action: str = "queue",
    ) -> str | None:
        """Record one request sent and its answer ("unknown" if it was lost)."""
        status = "retried" if action == "retry" and outcome.status == "queued" else outcome.status
        record = self._record(key, action, at, mirroring, status, outcome.audit_answer)
        return self.write([record])

    def settled(self, key: JobKey, settlement: str, at: float, action: str = "queue") -> str | None:
        """Record what a status list showed about an unknown outcome (``took effect (…)``)."""
        outcome = "took effect" if settlement.startswith("took effect") else "did not take effect"
        record = self._record(key, "settle", at, None, outcome, settlement)
        record["of"] = action
        return self.write([record])

    def _record(
        self, key: JobKey, action: str, at: float, mirroring: bool | None, outcome: str, answer: str
    ) -> dict[str, Any]:
        account, stage, jobid = key
        record: dict[str, Any] = {"time": iso_utc(at), "unix": at, "account": account}
        if stage != "install":
            record["stage"] = stage
        record |= {"job": jobid, "action": action}
        if mirroring is not None:
            record["mirroring"] = mirroring
        record.update({"user": self.user, "outcome": outcome, "answer": answer})
        if self.origin is not None:
            record["origin"] = self.origin
        return record

    def last(self, count: int = 50) -> list[AuditEntry]:
        """The ``count`` most recent entries, oldest first (for the event feed)."""
        return self._entries(self.read_back(count))

    def for_job(self, key: JobKey, count: int | None = 20) -> list[AuditEntry]:
        """The most recent entries about one job, oldest first (for its details screen)."""
        account, stage, job = key
        records = self.read_back(
            count,
            contains=f'"job": {job},',
            where=lambda r: (
                r.get("account") == account
                and r.get("job") == job
                and r.get("stage", "install") == stage
            ),
        )
        return self._entries(records)

    @staticmethod
    def _entries(records: list[dict[str, Any]]) -> list[AuditEntry]:
        return [entry for r in records if (entry := AuditEntry.from_record(r)) is not None]
