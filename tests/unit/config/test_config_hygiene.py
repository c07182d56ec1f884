"""The config package is part of the core: importing it must not pull in Textual."""

from __future__ import annotations

import subprocess
import sys


def test_importing_config_does_not_import_textual() -> None:
    code = "import sys, cfdash.config; print('textual' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
