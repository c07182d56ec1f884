"""Fixtures for config tests: every file lives in tmp_path, every env is an explicit dict."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import platformdirs
import pytest


@pytest.fixture(autouse=True)
def no_real_user_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point platformdirs into tmp_path so no test can read or write the real user's files."""
    fake_home = tmp_path / "user-dirs"
    for kind in ("config", "state", "log", "data", "cache"):
        name = f"user_{kind}_dir"
        monkeypatch.setattr(
            platformdirs,
            name,
            lambda appname=None, *args, _kind=kind, **kwargs: str(fake_home / _kind / appname),
        )
    return fake_home


@pytest.fixture
def write_config(tmp_path: Path) -> Callable[..., Path]:
    """Write TOML (dedented) to tmp_path/config.toml, owner-only like a careful user's file."""

    def write(text: str, name: str = "config.toml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        path.chmod(0o600)
        return path

    return write
