"""The steps of a release before the install: image update, image diff and image version.

Each is a job read on its own, by id, with the account's ``accountserviceid``::

    GET /cfp/v1/imageupdate/<updateid>/status        GET /cfp/v1/imageupdate/<updateid>/retry
    GET /cfp/v1/imagediff/<diffid>/status[?diff_info=1]   GET /cfp/v1/imagediff/<diffid>/retry
    GET /cfp/v1/imageversion/<imageversionid>/status  (no retry: versions are created anew)

Answers carry the usual job fields plus ``success``, and use states 1–6 (there is no Squashed;
a 7 is shown as it comes, "state 7"). A diff also lists the paths it found ``added``,
``modified`` and ``removed``, each a map of path → file object; a PHP service sends an empty map
as ``[]``, and some send a list of objects with a ``path``: all three read as a map.

``retry`` changes state, like ``queue``: :func:`retry_job` sends it once and never again, and a
``TransportError`` with ``request_sent`` (or a 5xx, or an unreadable body) leaves its outcome
unknown — the same judgement the engine makes for ``queue`` (``outcome_unknown``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

from pydantic import BeforeValidator, Field

from cfdash.api.models import (
    JobFields,
    LooseBool,
    LooseInt,
    ParsedState,
    StateKind,
    parse_state,
)
from cfdash.stages import (
    NO_RETRY_REASON,
    PIPELINE_STAGES,
    PipelineStage,
    Stage,
    can_retry,
)

if TYPE_CHECKING:
    from cfdash.api.client import ClanforgeClient

__all__ = [
    "ID_FIELDS",
    "DiffStatus",
    "PipelineJob",
    "RetryResult",
    "UpdateStatus",
    "VersionStatus",
    "parse_pipeline_state",
    "pipeline_endpoint",
    "pipeline_status",
    "retry_job",
]

#: The field that names the job in each stage's answers.
ID_FIELDS: dict[PipelineStage, str] = {
    "update": "updateid",
    "diff": "diffid",
    "version": "imageversionid",
}
_PATHS: dict[PipelineStage, str] = {
    "update": "/cfp/v1/imageupdate/{id}",
    "diff": "/cfp/v1/imagediff/{id}",
    "version": "/cfp/v1/imageversion/{id}",
}


def parse_pipeline_state(state_id: int | None, state_name: str | None) -> ParsedState:
    """Like :func:`~cfdash.api.models.parse_state`, for stages that know states 1–6 only.

    Squashed belongs to installs: a pipeline job claiming it is in a state we do not know,
    shown as it came rather than read as "superseded".
    """
    state = parse_state(state_id, state_name)
    if state.kind is StateKind.SQUASHED:
        return ParsedState(StateKind.UNKNOWN, state_id, state_name)
    return state


def _file_map(value: Any) -> Any:
    """A diff's path → file map, from a map, ``[]``/``null`` (empty) or a list of files.

    List items may be objects carrying their ``path`` (or ``file``/``name``), or bare paths.
    Anything else is a shape we cannot read, reported as a bad response.
    """
    if value is None:
        return {}
    if isinstance(value, Mapping):
        return {str(path): file for path, file in value.items()}
    if isinstance(value, list):
        files: dict[str, Any] = {}
        for item in value:
            if isinstance(item, str):
                files[item] = {}
                continue
            if isinstance(item, Mapping):
                path = next((item[k] for k in ("path", "file", "name") if k in item), None)
                if isinstance(path, str | int):
                    files[str(path)] = dict(item)
                    continue
            raise ValueError("expected a file object with a path")
        return files
    raise ValueError("expected a map of path to file")


def _object(value: Any) -> Any:
    """``diff_info``'s ``game``/``machine``/``image``: kept when an object, else absent."""
    return dict(value) if isinstance(value, Mapping) else None


FileMap = Annotated[dict[str, Any], BeforeValidator(_file_map)]
InfoObject = Annotated[dict[str, Any] | None, BeforeValidator(_object)]


class PipelineJob(JobFields):
    """What every update, diff and version status answer holds."""

    stage: ClassVar[PipelineStage]

    success: LooseBool = None
    #: Not documented for these answers, but the simulator and, it seems, the service send it.
    imageid: LooseInt = None

    @property
    def state(self) -> ParsedState:
        return parse_pipeline_state(self.jobstateid, self.jobstatename)

    @property
    def job_id(self) -> int | None:
        """The job's own id (``updateid``, ``diffid`` or ``imageversionid``), if it was sent."""
        value = getattr(self, ID_FIELDS[self.stage])
        return value if isinstance(value, int) else None


class UpdateStatus(PipelineJob):
    """``GET /cfp/v1/imageupdate/<updateid>/status``: pulling a build onto the build machine."""

    stage: ClassVar[PipelineStage] = "update"
    updateid: LooseInt = None


class DiffStatus(PipelineJob):
    """``GET /cfp/v1/imagediff/<diffid>/status``: the build machine compared to the image."""

    stage: ClassVar[PipelineStage] = "diff"
    diffid: LooseInt = None
    added: FileMap = Field(default_factory=dict)
    modified: FileMap = Field(default_factory=dict)
    removed: FileMap = Field(default_factory=dict)
    # Only with diff_info=1.
    game: InfoObject = None
    machine: InfoObject = None
    image: InfoObject = None

    @property
    def counts(self) -> tuple[int, int, int]:
        """How many paths were added, modified and removed."""
        return len(self.added), len(self.modified), len(self.removed)

    def changes(self) -> list[tuple[str, str]]:
        """Every changed path as ``(change, path)``, grouped by change and sorted by path."""
        return [
            (change, path)
            for change, files in (
                ("added", self.added),
                ("modified", self.modified),
                ("removed", self.removed),
            )
            for path in sorted(files)
        ]


class VersionStatus(PipelineJob):
    """``GET /cfp/v1/imageversion/<imageversionid>/status``: a diff accepted and rolled out."""

    stage: ClassVar[PipelineStage] = "version"
    imageversionid: LooseInt = None
    #: The diff this version accepted, when the answer names it.
    diffid: LooseInt = None


_STATUS_MODELS: dict[PipelineStage, type[PipelineJob]] = {
    "update": UpdateStatus,
    "diff": DiffStatus,
    "version": VersionStatus,
}


class RetryResult(JobFields):
    """The answer to a successful ``retry``: the job as it now stands.

    ``success`` may be missing, as in ``queue``'s examples; ``success: false`` without the
    error flag is read by the caller as a refusal.
    """

    success: LooseBool = None
    updateid: LooseInt = None
    diffid: LooseInt = None
    imageid: LooseInt = None

    @property
    def state(self) -> ParsedState:
        return parse_pipeline_state(self.jobstateid, self.jobstatename)

    def summary(self) -> str:
        """One line for a toast, a row or the command line: what the service said it did."""
        return f"retried ({self.state.word})"


def pipeline_endpoint(stage: PipelineStage, jobid: int, action: str = "status") -> str:
    """The name errors and the log give a call: ``update 91``, ``retry diff 92``."""
    return f"{stage} {jobid}" if action == "status" else f"{action} {stage} {jobid}"


def _check_id(jobid: int) -> int:
    # bool is an int; an id of 0 or less names no job and must not become a path.
    if isinstance(jobid, bool) or not isinstance(jobid, int) or jobid < 1:
        raise ValueError(f"a job id is a whole number greater than 0, not {jobid!r}")
    return jobid


async def pipeline_status(
    client: ClanforgeClient, stage: PipelineStage, jobid: int, *, diff_info: bool = False
) -> UpdateStatus | DiffStatus | VersionStatus:
    """The status of update, diff or version ``jobid``: one request, never retried here.

    ``diff_info`` (diffs only) asks for the ``game``, ``machine`` and ``image`` objects too.
    Errors are the client's usual ``ClanforgeError`` tree; "image locked by diffid: N" comes
    as an ``ApiError`` whose ``message`` says so.
    """
    if stage not in PIPELINE_STAGES:
        raise ValueError(f"{stage!r} is not an update, diff or version")
    path = _PATHS[stage].format(id=_check_id(jobid)) + "/status"
    params = {"diff_info": "1"} if diff_info and stage == "diff" else {}
    model = _STATUS_MODELS[stage]
    result = await client.request_model(model, path, pipeline_endpoint(stage, jobid), params)
    assert isinstance(result, UpdateStatus | DiffStatus | VersionStatus)
    return result


async def retry_job(client: ClanforgeClient, stage: Stage, jobid: int) -> RetryResult:
    """Retry failed update (or failed or complete diff) ``jobid``: sent once, never again.

    A version raises ``ValueError`` with :data:`~cfdash.stages.NO_RETRY_REASON` before anything
    is sent. A lost answer is a ``TransportError`` with ``request_sent``: the outcome is unknown
    and only the job's next status read settles it.
    """
    if not can_retry(stage):
        raise ValueError(NO_RETRY_REASON if stage == "version" else f"{stage!r} has no retry")
    path = _PATHS[stage].format(id=_check_id(jobid)) + "/retry"
    endpoint = pipeline_endpoint(stage, jobid, "retry")
    return await client.request_model(RetryResult, path, endpoint)
