"""Fixtures for config tests: every file lives in tmp_path, every env is an explicit dict."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest


@pytest.fixture
def write_config(tmp_path: Path) -> Callable[..., Path]:
    """Write TOML (dedented) to tmp_path/config.toml, owner-only like a careful user's file."""

    def write(text: str, name: str = "config.toml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        path.chmod(0o600)
        return path

    return write
