"""Config, platform paths and cfdash's own state file — no Textual here, ever.

The usual path through this package::

    path = discover_config_path(args.config)       # --config, $CFDASH_CONFIG, or the default
    settings = load_settings(path)                 # raises ConfigError listing every problem
    store = StateStore(state_path()); state = store.load()
"""

from cfdash.config.errors import ConfigError, ConfigNotFound, Problem, StateError, display_path
from cfdash.config.loader import check_config, find_problems, load_settings
from cfdash.config.paths import (
    CONFIG_ENV_VAR,
    config_path,
    discover_config_path,
    log_dir,
    state_path,
    user_themes_dir,
)
from cfdash.config.schema import (
    DEFAULT_BASE_URL,
    AccountConfig,
    AccountSettings,
    ConfigFile,
    ImageEntry,
    JobEntry,
    Notifier,
    Settings,
)
from cfdash.config.secrets import COMMAND_TIMEOUT, CommandRunner
from cfdash.config.state import State, StateStore

__all__ = [
    "COMMAND_TIMEOUT",
    "CONFIG_ENV_VAR",
    "DEFAULT_BASE_URL",
    "AccountConfig",
    "AccountSettings",
    "CommandRunner",
    "ConfigError",
    "ConfigFile",
    "ConfigNotFound",
    "ImageEntry",
    "JobEntry",
    "Notifier",
    "Problem",
    "Settings",
    "State",
    "StateError",
    "StateStore",
    "check_config",
    "config_path",
    "discover_config_path",
    "display_path",
    "find_problems",
    "load_settings",
    "log_dir",
    "state_path",
    "user_themes_dir",
]
