"""The core never imports Textual, and the command line stays cheap to start.

Each check runs in a fresh interpreter, so what one test imported cannot hide another's.
"""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import cfdash

CORE = ["cfdash", "cfdash.api", "cfdash.sim", "cfdash.config", "cfdash.engine", "cfdash.export"]
CORE += ["cfdash.textfmt", "cfdash.timefmt", "cfdash.safetext", "cfdash.logs"]
#: The headless package and each of its modules: pipelines run them without a UI toolkit.
HEADLESS = ["cfdash.headless"] + [
    f"cfdash.headless.{module.name}"
    for module in pkgutil.iter_modules([str(Path(cfdash.__file__).parent / "headless")])
]


def loaded_after(statement: str) -> set[str]:
    code = f"import sys\n{statement}\nprint(' '.join(sorted(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return set(result.stdout.split())


@pytest.mark.parametrize("module", CORE)
def test_the_core_never_imports_textual(module):
    assert "textual" not in loaded_after(f"import {module}")


@pytest.mark.parametrize("module", HEADLESS)
def test_the_headless_commands_load_neither_textual_nor_the_tui(module):
    loaded = loaded_after(f"import {module}")
    assert "textual" not in loaded
    assert not {name for name in loaded if name == "cfdash.tui" or name.startswith("cfdash.tui.")}


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
