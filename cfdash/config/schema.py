"""The config file's schema, and the resolved settings the rest of cfdash reads.

Two layers, on purpose:

* :class:`ConfigFile` / :class:`AccountConfig` / :class:`JobEntry` mirror the TOML exactly.
  ``extra="forbid"`` makes a misspelt key a reported mistake instead of a silently ignored
  one, and ``strict=True`` stops ``refresh_interval = "5"`` or ``track_all = 1`` from being
  quietly coerced: TOML has real types, so a wrong one is a mistake worth naming.
* :class:`Settings` / :class:`AccountSettings` are what the app uses: frozen, secrets already
  resolved to :class:`~pydantic.SecretStr`, per-account values already merged with the
  top-level defaults, so no caller has to remember the fallback rules.

Rules that span several keys live here as field validators raising ``PydanticCustomError``
with a ``cfdash_`` type; their message is the "expected …" phrase the loader reports as is.
"""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from cfdash.config.pipeline import (
    DEFAULT_FINISHED_RETENTION,
    AuthMode,
    ImageEntry,
    RetentionSeconds,
    Stage,
    check_unique_images,
    check_unique_jobs,
)
from cfdash.service import DEFAULT_BASE_URL

__all__ = [
    "ACCOUNT_NAME_PATTERN",
    "DEFAULT_BASE_URL",
    "MIN_REFRESH_INTERVAL",
    "AccountConfig",
    "AccountSettings",
    "ConfigFile",
    "ImageEntry",
    "JobEntry",
    "Notifier",
    "Settings",
    "is_loopback_host",
]

# Account names appear in the table, in `--account NAME` and in the state file: keep them to
# characters that need no quoting anywhere.
ACCOUNT_NAME_PATTERN = r"^[A-Za-z][A-Za-z0-9_-]*$"

Notifier = Literal["bell", "desktop"]
AccountName = Annotated[str, StringConstraints(pattern=ACCOUNT_NAME_PATTERN)]
NonEmptyStr = Annotated[str, StringConstraints(min_length=1)]
#: The shortest refresh interval: more often is a load on the API, not faster news.
MIN_REFRESH_INTERVAL = 0.5
# allow_inf_nan=False: TOML has inf and nan, and neither is a number of seconds.
Seconds = Annotated[float, Field(gt=0, allow_inf_nan=False)]
Interval = Annotated[float, Field(ge=MIN_REFRESH_INTERVAL, allow_inf_nan=False)]

# Shared by every model read from the user's file.  hide_input_in_errors keeps values (which
# may be secrets) out of ValidationError's own text, should one ever be printed.
_FILE_MODEL = ConfigDict(extra="forbid", strict=True, hide_input_in_errors=True)


def is_loopback_host(host: str) -> bool:
    """True for ``localhost``, 127.0.0.0/8 and ``::1``: hosts plain http cannot leak past."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


_LABEL = re.compile(r"^(?!-)[a-z0-9_-]{1,63}(?<!-)$")


def _is_host(host: str) -> bool:
    """A DNS name (IDN allowed) or an IP address: what an HTTP client can connect to."""
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        pass
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return False
    labels = ascii_host.lower().removesuffix(".").split(".")
    return len(ascii_host) <= 253 and all(_LABEL.match(label) for label in labels)


class JobEntry(BaseModel):
    """One tracked job.  In the file a bare id (``5551001``) is shorthand for ``{ id = … }``."""

    model_config = ConfigDict(extra="forbid", strict=True, hide_input_in_errors=True, frozen=True)

    id: int = Field(gt=0)
    # None: take mirroring from the job's status when queueing, as the API reports it.
    mirroring: bool | None = None
    label: str | None = None

    # -- issue 15: the pipeline stage (declared after mirroring, so its check can see it) --
    stage: Stage = "install"

    @field_validator("stage")
    @classmethod
    def _mirroring_is_for_installs(cls, stage: Stage, info: ValidationInfo) -> Stage:
        if stage != "install" and info.data.get("mirroring") is not None:
            raise PydanticCustomError(
                "cfdash_stage_mirroring",
                '"install" for a job that sets mirroring (only installs are mirrored)',
            )
        return stage

    @model_validator(mode="before")
    @classmethod
    def _bare_id(cls, data: Any) -> Any:
        # bool is an int in Python, but `jobs = [true]` is surely a mistake, not job 1.
        if isinstance(data, int) and not isinstance(data, bool):
            return {"id": data}
        return data


class AccountConfig(BaseModel):
    """One ``[accounts.NAME]`` table, as written.

    Each secret has three possible sources (literal, ``_env``, ``_command``); exactly one must
    be given.  That rule, and running the commands, belong to the loader: it checks them on
    the raw table so they are reported even when another key of the account is wrong.
    """

    model_config = _FILE_MODEL

    accountserviceid: int = Field(gt=0)
    # Declared before base_url so base_url's validator can see it (validation is in order).
    allow_insecure_http: bool = False
    base_url: str = DEFAULT_BASE_URL
    access_key: SecretStr | None = None
    access_key_env: NonEmptyStr | None = None
    access_key_command: NonEmptyStr | None = None
    secret_key: SecretStr | None = None
    secret_key_env: NonEmptyStr | None = None
    secret_key_command: NonEmptyStr | None = None
    refresh_interval: Interval | None = None
    track_all: bool = False
    jobs: list[JobEntry] = []
    connect_timeout: Seconds = 5.0
    read_timeout: Seconds = 10.0
    read_only: bool = False
    notify: list[Notifier] | None = None
    stall_after: Seconds | None = None

    # -- issue 15: bearer accounts, watched images, finished retention --
    # Which credential keys fit which auth is checked with the secrets (config.credentials).
    auth: AuthMode = "basic"
    token: SecretStr | None = None
    token_env: NonEmptyStr | None = None
    token_command: NonEmptyStr | None = None
    images: list[ImageEntry] = []
    finished_retention: RetentionSeconds | None = None

    @field_validator("images")
    @classmethod
    def _unique_images(cls, images: list[ImageEntry]) -> list[ImageEntry]:
        return check_unique_images(images)

    @field_validator("base_url")
    @classmethod
    def _check_base_url(cls, url: str, info: ValidationInfo) -> str:
        parts = urlsplit(url)
        try:
            parts.port  # noqa: B018 - raises ValueError for a port that is not a number
        except ValueError:
            raise PydanticCustomError("cfdash_url", "an http:// or https:// URL") from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise PydanticCustomError("cfdash_url", "an http:// or https:// URL")
        if not _is_host(parts.hostname) or any(c.isspace() or not c.isprintable() for c in url):
            raise PydanticCustomError(
                "cfdash_url", "an http:// or https:// URL with a valid host name and no spaces"
            )
        if parts.query or parts.fragment:
            raise PydanticCustomError("cfdash_url", "a base URL without a ?query or #fragment")
        # If allow_insecure_http itself was wrong it is missing from info.data and already
        # reported; judging http against a guess would only add a confusing second problem.
        if (
            parts.scheme == "http"
            and "allow_insecure_http" in info.data
            and not info.data["allow_insecure_http"]
            and not is_loopback_host(parts.hostname)
        ):
            raise PydanticCustomError(
                "cfdash_insecure_http",
                "an https:// URL (plain http:// is only accepted for 127.0.0.1, ::1 or "
                "localhost, unless the account sets allow_insecure_http = true)",
            )
        return url

    @field_validator("jobs")
    @classmethod
    def _unique_jobs(cls, jobs: list[JobEntry]) -> list[JobEntry]:
        return check_unique_jobs(jobs)  # per stage: update 91 and install 91 are two jobs


class ConfigFile(BaseModel):
    """The whole config file, as written."""

    model_config = _FILE_MODEL

    refresh_interval: Interval = 5.0
    theme: NonEmptyStr = "cfdash-dark"
    read_only: bool = False
    notify: list[Notifier] = []
    # Seconds a running job may go without progress before it is flagged as stalled.
    stall_after: Seconds = 600.0
    accounts: dict[AccountName, AccountConfig] = Field(min_length=1)
    # Binding id -> key.  Only shape is checked here; the TUI knows which ids exist.
    keymap: dict[str, NonEmptyStr] = {}
    # CSV export writes formula-like text cells as they are (default: with a leading ').
    export_raw: bool = False
    # -- issue 15: seconds a finished job stays listed; an account may override it --
    finished_retention: RetentionSeconds = DEFAULT_FINISHED_RETENTION


class AccountSettings(BaseModel):
    """One account, ready to use: secrets resolved, defaults merged.  Immutable.

    A ``basic`` account holds ``access_key`` and ``secret_key``; a ``bearer`` one holds ``token``
    and no keys.  Pass all three to the client as they are: it uses whichever is set.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    accountserviceid: int
    base_url: str  # no trailing slash, so callers can append "/cfp/v1/…" safely
    access_key: SecretStr | None = None
    secret_key: SecretStr | None = None
    refresh_interval: float
    track_all: bool = False
    jobs: tuple[JobEntry, ...] = ()
    allow_insecure_http: bool = False
    connect_timeout: float = 5.0
    read_timeout: float = 10.0
    read_only: bool = False
    notify: tuple[Notifier, ...] = ()
    stall_after: float = 600.0
    # -- issue 15 --
    auth: AuthMode = "basic"
    token: SecretStr | None = None
    images: tuple[ImageEntry, ...] = ()
    finished_retention: float = DEFAULT_FINISHED_RETENTION

    @model_validator(mode="after")
    def _credentials_fit_auth(self) -> AccountSettings:
        # A programming error, not a user's: the loader only builds accounts that fit.
        has_keys = self.access_key is not None or self.secret_key is not None
        if self.auth == "bearer" and (self.token is None or has_keys):
            raise ValueError("a bearer account holds a token and no keys")
        if self.auth == "basic" and (
            self.token is not None or self.access_key is None or self.secret_key is None
        ):
            raise ValueError("a basic account holds both keys and no token")
        return self


class Settings(BaseModel):
    """Everything the app needs from the config.  Immutable; derive changes with
    :meth:`with_overrides` (for ``--read-only`` / ``--theme``) or ``model_copy``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    path: Path | None  # None for settings built in code (the demo)
    refresh_interval: float = 5.0
    theme: str = "cfdash-dark"
    read_only: bool = False
    notify: tuple[Notifier, ...] = ()
    stall_after: float = 600.0
    keymap: dict[str, str] = {}
    export_raw: bool = False
    finished_retention: float = DEFAULT_FINISHED_RETENTION
    accounts: dict[str, AccountSettings] = {}
    # Sentences worth showing once at start-up (e.g. a world-readable file holding secrets).
    warnings: tuple[str, ...] = ()

    def with_overrides(
        self, *, read_only: bool | None = None, theme: str | None = None
    ) -> Settings:
        """Apply command-line overrides; ``read_only=True`` reaches every account too."""
        update: dict[str, Any] = {}
        if theme is not None:
            update["theme"] = theme
        if read_only:
            update["read_only"] = True
            update["accounts"] = {
                name: account.model_copy(update={"read_only": True})
                for name, account in self.accounts.items()
            }
        return self.model_copy(update=update)
