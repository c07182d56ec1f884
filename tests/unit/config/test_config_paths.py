"""The discovery seam and the platform paths."""

from __future__ import annotations

from pathlib import Path

import pytest

from cfdash.config import paths


def test_cli_path_wins_over_env_and_default(tmp_path: Path) -> None:
    env = {"CFDASH_CONFIG": str(tmp_path / "from-env.toml")}
    assert paths.discover_config_path(tmp_path / "cli.toml", env) == tmp_path / "cli.toml"


def test_cli_path_may_be_a_string() -> None:
    assert paths.discover_config_path("some/where.toml", {}) == Path("some/where.toml")


def test_env_var_used_when_no_cli_path(tmp_path: Path) -> None:
    env = {"CFDASH_CONFIG": str(tmp_path / "from-env.toml")}
    assert paths.discover_config_path(None, env) == tmp_path / "from-env.toml"


@pytest.mark.parametrize("value", ["", "   "])
def test_empty_env_var_counts_as_unset(value: str, no_real_user_dirs: Path) -> None:
    found = paths.discover_config_path(None, {"CFDASH_CONFIG": value})
    assert found == no_real_user_dirs / "config" / "cfdash" / "config.toml"


def test_default_is_platform_config_dir(no_real_user_dirs: Path) -> None:
    assert paths.discover_config_path(None, {}) == paths.config_path()
    assert paths.config_path() == no_real_user_dirs / "config" / "cfdash" / "config.toml"


def test_tilde_is_expanded(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    assert paths.discover_config_path("~/c.toml", {}) == tmp_path / "c.toml"
    assert paths.discover_config_path(None, {"CFDASH_CONFIG": "~/e.toml"}) == tmp_path / "e.toml"


def test_env_defaults_to_process_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CFDASH_CONFIG", str(tmp_path / "process.toml"))
    assert paths.discover_config_path(None) == tmp_path / "process.toml"


def test_other_paths_come_from_platformdirs(no_real_user_dirs: Path) -> None:
    assert paths.state_path() == no_real_user_dirs / "state" / "cfdash" / "state.toml"
    assert paths.log_dir() == no_real_user_dirs / "log" / "cfdash"
    assert paths.user_themes_dir() == no_real_user_dirs / "config" / "cfdash" / "themes"
