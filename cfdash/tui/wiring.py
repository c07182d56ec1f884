"""``build_app``: the one factory that turns settings into a running dashboard.

The command line calls it, and so do the tests, the snapshots and the benchmark: what they
exercise is what users run.  Every piece is built before the app, and handed to it — the
engine, the stall monitor, the state file's keeper, an :class:`AppSettings` — so nothing here
reaches into a half-built app.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from pathlib import Path

import httpx

from cfdash.config import Settings, State, StateStore, user_themes_dir
from cfdash.config.loader import keymap_problems
from cfdash.engine.audit import AuditLog
from cfdash.engine.events import EventLog
from cfdash.engine.monitor import Monitor
from cfdash.engine.session import build_engine
from cfdash.engine.stalls import StallDetector
from cfdash.keys import usable_keymap
from cfdash.tui.app import CfdashApp
from cfdash.tui.settings import AppSettings
from cfdash.tui.state_keeper import StateKeeper
from cfdash.tui.themes import choose_theme, load_themes

__all__ = ["build_app"]


def build_app(
    settings: Settings,
    *,
    demo: bool = False,
    store: StateStore | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    clock: Callable[[], float] = time.time,
    poll: bool = True,
    tick: bool = True,
    theme: str | None = None,
    themes_dir: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> CfdashApp:
    """The dashboard for ``settings``: engine, tracked jobs from config + state, persistence.

    ``theme`` is this run's ``--theme``, passed apart from ``settings.theme`` because it
    outranks the state file's last choice while the config's line does not (the order is in
    :func:`cfdash.tui.themes.choose_theme`).  ``themes_dir`` is the user's theme folder and
    ``environ`` where ``NO_COLOR`` is read; tests pass both.  ``poll`` and ``tick`` False
    leave polling and the clock to the caller (tests, snapshots).  Raises
    :class:`~cfdash.tui.themes.UnknownTheme` (a ``ConfigError``: one sentence, exit 2) for a
    theme name that matches no theme, before anything starts.
    """
    notices = list(settings.warnings)
    state = State()
    if store is not None:
        state = store.load()
        if store.recovery_message:
            notices.append(store.recovery_message)
    user_dir = user_themes_dir() if themes_dir is None else themes_dir
    themes = load_themes(user_dir)
    choice = choose_theme(
        themes,
        explicit=theme,
        saved=state.theme,
        configured=settings.theme,
        config_path=settings.path,
        no_color=bool((os.environ if environ is None else environ).get("NO_COLOR")),
        user_dir=user_dir,
    )
    # One notice for everything about themes, one for the keymap (config check lists the same).
    notices += ["\n".join(filter(None, [themes.notice(), *choice.notices]))]
    keymap_trouble = keymap_problems(settings.path or Path("config"), settings.keymap)
    if keymap_trouble:
        lines = [str(problem) for problem in keymap_trouble]
        notices.append("\n".join([*lines, "Those keys keep their default bindings."]))

    audit = None
    if store is not None:  # beside the event log; a demo's store is a temporary folder
        audit = AuditLog(store.path.parent / "audit.jsonl", origin="dashboard")
    engine = build_engine(
        settings, state, transport=transport, clock=clock, audit=audit, images=True
    )
    monitor = Monitor(
        StallDetector.from_settings(settings),
        EventLog(store.path.parent / "events.jsonl") if store is not None else None,
    )
    monitor.prime(engine.tracker)
    app_settings = AppSettings(
        clock=clock,
        demo=demo,
        poll=poll,
        tick=tick,
        keymap=usable_keymap(settings.keymap),
        notices=tuple(notice for notice in notices if notice),
        themes=tuple(themes.themes.values()),
        theme=choice.name,
        alert_methods={
            name: account.notify or settings.notify for name, account in settings.accounts.items()
        },
        export_raw=settings.export_raw,
    )
    keeper = StateKeeper(store, settings, state)
    return CfdashApp(engine, app_settings, monitor=monitor, keeper=keeper)
