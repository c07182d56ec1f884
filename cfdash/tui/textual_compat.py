"""Every use of a private Textual name in cfdash, in one place.

Checked against Textual 8.2.x (8.2.8).  When Textual is upgraded, read each function below
against the new version; nothing else in cfdash reaches past Textual's public API.

- :func:`write_to_terminal` — ``App._driver``: Textual has no public way to send a raw escape
  sequence (cfdash's desktop notifications, OSC 9/777) to the terminal.
- :func:`unhandled_exception` — ``App._exception``: the error that ended the app, which
  ``CfdashApp._fatal_error`` (an override of Textual's hook of that name, called instead of
  printing a traceback whose locals could hold a secret) writes to the log.
- :func:`normalize_key_list` — ``textual.keys._normalize_key_list``: how Textual spells keys,
  which the tests compare :func:`cfdash.keys.normalize_keys` against.
- :func:`show_notification`, :func:`withdraw_notification`, :func:`notification_shown` —
  ``App._notifications``, ``App._refresh_notifications``, ``App._unnotify``: Textual's public
  ``notify`` can only add a toast, later (it posts a message), and nothing public takes one
  down or says whether a click dismissed it. cfdash's toast cap
  (:mod:`cfdash.tui.toasts`) needs all three, at once. These do what ``App._on_notify`` and a
  toast's own expiry do.
"""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.keys import _normalize_key_list
from textual.notifications import Notification

__all__ = [
    "normalize_key_list",
    "notification_shown",
    "show_notification",
    "unhandled_exception",
    "withdraw_notification",
    "write_to_terminal",
]


def write_to_terminal(app: App[Any], sequence: str) -> None:
    """Send ``sequence`` straight to the terminal; nothing when headless or not running."""
    driver = getattr(app, "_driver", None)
    if driver is not None and not app.is_headless:
        driver.write(sequence)


def unhandled_exception(app: App[Any]) -> BaseException | None:
    """The exception that is ending the app, if any."""
    error: BaseException | None = getattr(app, "_exception", None)
    return error


def normalize_key_list(keys: str) -> str:
    """A comma-separated key list as Textual's keymap spells it (``"?"`` → ``"question_mark"``)."""
    return _normalize_key_list(keys)


def show_notification(app: App[Any], notification: Notification) -> None:
    """Put ``notification`` up now (``App.notify`` would post it for later)."""
    app._notifications.add(notification)
    app._refresh_notifications()


def withdraw_notification(app: App[Any], notification: Notification) -> None:
    """Take ``notification`` down; nothing if it is gone already."""
    app._unnotify(notification)


def notification_shown(app: App[Any], notification: Notification) -> bool:
    """Whether ``notification`` is still up (not timed out, not clicked away)."""
    return notification in app._notifications and not notification.has_expired
