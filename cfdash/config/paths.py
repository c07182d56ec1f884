"""Where cfdash's files live on this platform.

Everything that reaches for the user's directories goes through this module, and the config
file is found by exactly one function, :func:`discover_config_path`.  Tests patch that one
seam (or pass explicit paths) and so never read the real user's config.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import platformdirs

__all__ = [
    "APP_NAME",
    "CONFIG_ENV_VAR",
    "config_path",
    "discover_config_path",
    "log_dir",
    "state_path",
    "user_themes_dir",
]

APP_NAME = "cfdash"
CONFIG_ENV_VAR = "CFDASH_CONFIG"


def config_path() -> Path:
    """The default config file: ``user_config_dir("cfdash")/config.toml``."""
    return Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


def state_path() -> Path:
    """cfdash's own state file, kept apart from the user's config so we never rewrite it."""
    return Path(platformdirs.user_state_dir(APP_NAME)) / "state.toml"


def log_dir() -> Path:
    """The directory for ``cfdash.log`` and its rotations."""
    return Path(platformdirs.user_log_dir(APP_NAME))


def user_themes_dir() -> Path:
    """Theme files the user wrote; beside the config, since they are hand-edited like it."""
    return Path(platformdirs.user_config_dir(APP_NAME)) / "themes"


def discover_config_path(cli_path: str | Path | None, env: Mapping[str, str] | None = None) -> Path:
    """The config file to load: ``--config``, else ``$CFDASH_CONFIG``, else the default.

    This is the one discovery seam: tests patch it rather than the environment or the home
    directory.  An empty ``CFDASH_CONFIG`` counts as unset, as shells make empty and unset
    hard to tell apart.  ``~`` is expanded because a quoted path in a shell is not.
    """
    if env is None:
        env = os.environ
    if cli_path is not None and str(cli_path) != "":
        return Path(cli_path).expanduser()
    from_env = env.get(CONFIG_ENV_VAR, "")
    if from_env.strip():
        return Path(from_env).expanduser()
    return config_path()
