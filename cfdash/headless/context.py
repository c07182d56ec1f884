"""Where a headless command gets its settings: the user's config (plus state file), or a demo.

The state file is read, never written: jobs the user added in the dashboard are tracked by
``status`` and ``watch`` too, but a pipeline run must not change what the dashboard shows.
``--demo`` serves the built-in simulator from a thread for the length of the command, so
``cfdash status --demo`` works with nothing configured.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

from cfdash.config import State, StateStore, load_settings, paths, state_path
from cfdash.config.schema import Settings

__all__ = ["headless_settings"]


@contextmanager
def headless_settings(
    config: str | None,
    *,
    demo: bool = False,
    read_only: bool = False,
    err: TextIO | None = None,
) -> Iterator[tuple[Settings, State]]:
    """Yield the settings and tracked-job state for one command; warnings go to ``err``."""
    err = err or sys.stderr
    if demo:
        from cfdash.demo import demo_settings
        from cfdash.sim import SimThread, build_demo

        thread = SimThread(build_demo())
        base_url = thread.start()
        try:
            settings = demo_settings(base_url, pipeline=True)
            yield settings.with_overrides(read_only=read_only or None), State()
        finally:
            thread.stop()
        return
    settings = load_settings(paths.discover_config_path(config))
    settings = settings.with_overrides(read_only=read_only or None)
    store = StateStore(state_path())
    state = store.load()
    for warning in (*settings.warnings, store.recovery_message):
        if warning:
            print(f"cfdash: warning: {warning}", file=err)
    yield settings, state
