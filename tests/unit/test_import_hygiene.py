"""The core never imports Textual, and the command line stays cheap to start.

Each check runs in a fresh interpreter, so what one test imported cannot hide another's.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

CORE = ["cfdash", "cfdash.api", "cfdash.sim", "cfdash.config", "cfdash.engine", "cfdash.export"]


def loaded_after(statement: str) -> set[str]:
    code = f"import sys\n{statement}\nprint(' '.join(sorted(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return set(result.stdout.split())


@pytest.mark.parametrize("module", CORE)
def test_the_core_never_imports_textual(module):
    assert "textual" not in loaded_after(f"import {module}")


def test_the_command_line_imports_neither_textual_nor_httpx_until_it_needs_them():
    loaded = loaded_after("import cfdash.cli")
    assert not {"textual", "httpx", "pydantic", "aiohttp"} & loaded


def test_version_and_config_check_never_import_textual(tmp_path):
    config = tmp_path / "c.toml"
    config.write_text("[accounts.a]\naccountserviceid = 1\naccess_key = 'x'\nsecret_key = 'y'\n")
    config.chmod(0o600)
    loaded = loaded_after(
        "from cfdash.cli import main\n"
        f"assert main(['config', 'check', '--config', {str(config)!r}]) == 0"
    )
    assert "textual" not in loaded
