"""A temporary home for config, state and logs, and the environment that points there."""

from __future__ import annotations

import os
import shlex
import shutil
from pathlib import Path

from bench.plan import ACCOUNTS
from cfdash.sim import demo_accounts, demo_config_toml

__all__ = ["Sandbox"]


class Sandbox:
    """Config, state and logs under ``root``; nothing of the user's is read or written."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.env = dict(os.environ)
        for name in ("CONFIG", "STATE", "CACHE", "DATA"):
            path = root / name.lower()
            path.mkdir(exist_ok=True)
            self.env[f"XDG_{name}_HOME"] = str(path)
        self.env.pop("CFDASH_CONFIG", None)
        self.env["COLORTERM"] = "truecolor"

    def config(self, base_url: str, refresh: float = 1.0) -> Path:
        """A cfdash config for the demo accounts at ``base_url`` (inline demo keys: mode 600)."""
        text = demo_config_toml(base_url, demo_accounts(ACCOUNTS))
        text = text.replace("refresh_interval = 2", f"refresh_interval = {refresh:g}")
        path = self.root / "config.toml"
        path.write_text(text)
        path.chmod(0o600)
        return path

    def fresh_state(self) -> None:
        """Forget the state file and logs, as on a first start."""
        for name in ("state", "cache"):
            shutil.rmtree(self.root / name, ignore_errors=True)
            (self.root / name).mkdir()

    def shell(self, argv: list[str], t0_file: Path | None = None) -> str:
        """A ``sh -c`` line that (optionally) stamps its start time, then execs ``argv``."""
        # PYTHONPATH too: the program in tmux must run the same cfdash as this process.
        env = [f"{k}={v}" for k, v in self.env.items() if k.startswith("XDG_") or k == "PYTHONPATH"]
        env += ["COLORTERM=truecolor", "CFDASH_CONFIG="]
        stamp = f"date +%s.%N > {t0_file} && " if t0_file else ""
        quoted = " ".join(shlex.quote(part) for part in ["env", *env, *argv])
        return f"{stamp}exec {quoted}"
