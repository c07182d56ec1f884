"""Telling a person that a job completed, failed or stalled: a toast, the bell, the desktop.

Desktop notifications go through the terminal itself (OSC 9, understood by iTerm2, Windows
Terminal, kitty, WezTerm; OSC 777 for rxvt/foot/VTE), wrapped in a DCS passthrough inside
tmux, so they work over SSH on an ops box without any desktop library.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping

from cfdash.engine.events import Transition, notable

__all__ = ["Alerts", "desktop_sequence"]

_SEVERITY = {"completed": "information", "failed": "error", "stalled": "warning"}
_TITLE = {"completed": "Completed", "failed": "Failed", "stalled": "Stalled"}


def _clean(text: str) -> str:
    """No control characters (an error text could otherwise end the escape early)."""
    return "".join(ch if ch.isprintable() else " " for ch in text)[:200]


def desktop_sequence(title: str, body: str, env: Mapping[str, str] | None = None) -> str:
    """The escape sequences for a desktop notification, tmux-wrapped when inside tmux."""
    env = os.environ if env is None else env
    title, body = _clean(title), _clean(body)
    sequence = f"\x1b]9;{title}: {body}\x07\x1b]777;notify;{title};{body}\x07"
    if env.get("TMUX"):
        # tmux passes a DCS-wrapped sequence through with every ESC doubled.
        sequence = "\x1bPtmux;" + sequence.replace("\x1b", "\x1b\x1b") + "\x1b\\"
    return sequence


class Alerts:
    """Sends each notable transition once, by the methods configured for its account."""

    def __init__(
        self,
        notify: Callable[..., None],
        bell: Callable[[], None],
        write: Callable[[str], None],
        methods: Mapping[str, Iterable[str]],
    ) -> None:
        self._notify = notify
        self._bell = bell
        self._write = write
        self._methods = {account: set(chosen) for account, chosen in methods.items()}

    def send(self, transitions: Iterable[Transition]) -> int:
        """Alert for each transition that is notable; returns how many were sent."""
        sent = 0
        rang = False
        for transition in transitions:
            kind = notable(transition)
            if kind is None:
                continue
            text = transition.describe()
            self._notify(text, title=_TITLE[kind], severity=_SEVERITY[kind], timeout=10)
            methods = self._methods.get(transition.account, set())
            if "bell" in methods and not rang:
                self._bell()
                rang = True  # one bell per batch, however many jobs ended at once
            if "desktop" in methods:
                self._write(desktop_sequence(f"cfdash: {_TITLE[kind]}", text))
            sent += 1
        return sent
