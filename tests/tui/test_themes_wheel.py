"""The built wheel carries the theme files, and an installed cfdash finds them."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

from cfdash.tui.themes import BUILTIN_THEMES

ROOT = Path(__file__).resolve().parents[2]


def test_the_wheel_ships_the_themes_and_the_installed_package_finds_them(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", str(tmp_path)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    [wheel] = tmp_path.glob("cfdash-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        assert {f"cfdash/themes/{name}.toml" for name in BUILTIN_THEMES} <= names
        archive.extractall(tmp_path / "site")

    # The unpacked wheel is what `pip install` puts in site-packages: run from elsewhere,
    # with it first on the path, cfdash must load its themes from inside the package.
    code = (
        "from cfdash.tui.themes import builtin_themes_dir, load_themes; "
        "loaded = load_themes(None); "
        "print(builtin_themes_dir()); print(','.join(loaded.themes)); print(loaded.problems)"
    )
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "site")}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    where, names, problems = out.stdout.splitlines()
    assert Path(where) == tmp_path / "site" / "cfdash" / "themes"
    assert names == ",".join(BUILTIN_THEMES) and problems == "[]"
