"""Collection is paused only while cfdash starts, and always comes back."""

from __future__ import annotations

import gc

from cfdash import startup
from cfdash.cli import main


def test_pause_then_resume_freezes_start_up_and_enables_collection():
    assert gc.isenabled()
    threshold = gc.get_threshold()
    startup.pause()
    assert not gc.isenabled()
    startup.resume()
    try:
        assert gc.isenabled() and gc.get_freeze_count() > 0
        # Young objects are collected less often: a refresh's short-lived ones die first.
        assert gc.get_threshold() == (startup.YOUNG_THRESHOLD, *threshold[1:])
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)
    startup.resume()  # a second resume is a no-op
    assert gc.isenabled()


def test_a_headless_command_runs_with_collection_enabled(tmp_path, capsys):
    config = tmp_path / "c.toml"
    config.write_text("[accounts.a]\naccountserviceid = 1\naccess_key = 'x'\nsecret_key = 'y'\n")
    config.chmod(0o600)
    threshold = gc.get_threshold()
    try:
        assert main(["config", "check", "--config", str(config)]) == 0
        assert gc.isenabled()
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)
