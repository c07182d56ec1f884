"""Config for the newer operator and the rest of the pipeline (issue 15), apart from the rest.

The pieces :mod:`cfdash.config.schema` adds to its tables, kept here so that file's own rules
stay readable:

* ``auth = "basic" | "bearer"`` — how an account signs in; the credential keys that go with
  each are checked by :mod:`cfdash.config.credentials`;
* ``images = [1001, { id = 1002, label = "EU build" }]`` — the images whose fleet readiness an
  account watches;
* ``stage`` on a job (``install``, the default, ``update``, ``diff`` or ``version``);
* ``finished_retention`` — seconds a finished job stays on screen, top level with a per-account
  override; positive and finite (``inf`` is a mistake here, not "forever").
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from cfdash.stages import Stage

__all__ = [
    "DEFAULT_FINISHED_RETENTION",
    "AuthMode",
    "ImageEntry",
    "RetentionSeconds",
    "Stage",
    "check_unique_images",
    "check_unique_jobs",
]

AuthMode = Literal["basic", "bearer"]
DEFAULT_FINISHED_RETENTION = 3600.0
RetentionSeconds = Annotated[float, Field(gt=0, allow_inf_nan=False)]


class ImageEntry(BaseModel):
    """One watched image.  In the file a bare id (``1001``) is shorthand for ``{ id = … }``."""

    model_config = ConfigDict(extra="forbid", strict=True, hide_input_in_errors=True, frozen=True)

    id: int = Field(gt=0)
    label: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _bare_id(cls, data: Any) -> Any:
        if isinstance(data, int) and not isinstance(data, bool):
            return {"id": data}
        return data


def check_unique_images(images: list[ImageEntry]) -> list[ImageEntry]:
    """Each image once per account: two lines for one image would only confuse."""
    seen: set[int] = set()
    for image in images:
        if image.id in seen:
            raise PydanticCustomError(
                "cfdash_duplicate_image", f"each image id once, but {image.id} is listed twice"
            )
        seen.add(image.id)
    return images


def check_unique_jobs(jobs: list[Any]) -> list[Any]:
    """Each job once per stage: update 91 and install 91 are two jobs, install 91 twice is not.

    The message for installs is the one it always was; other stages name themselves.
    """
    seen: set[tuple[Stage, int]] = set()
    for job in jobs:
        key = (job.stage, job.id)
        if key in seen:
            what = "job id" if job.stage == "install" else f"{job.stage} id"
            raise PydanticCustomError(
                "cfdash_duplicate_job", f"each {what} once, but {job.id} is listed twice"
            )
        seen.add(key)
    return jobs
