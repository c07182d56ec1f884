"""cfdash's toasts: never more than three on screen, and a failure summary that stays.

Textual shows every ``notify`` until its timeout, however many there are: during a rollout
that stacked 18 toasts over the right of the table, and each one laid the screen out again.
Every toast of cfdash goes through one :class:`Toaster` (``CfdashApp.notify`` hands it
over), which keeps the rules in one place:

* **At most three on screen.** A fourth pushes out the oldest.
* **A summary that names a failure stays** until it is dismissed (a click, or opening the
  event feed) or replaced by the next summary that names a failure. Nothing else pushes it
  out, so with three on screen it is the others that go.
* **Status toasts are short.** "Sorted by…", the theme, read-only replies: two seconds.
* **No twins.** A toast with the same title and text as one on screen replaces it.
* **One running summary.** The once-a-second summary replaces the last summary of its kind
  (failure or not) instead of stacking under it, in the same toast when it is on screen: a
  rollout then repaints one toast a second instead of mounting one and removing another,
  each of which lays the whole screen out again.

The rules are plain Python over four callables (show, withdraw, is-it-still-up, replace), so
they are tested without a screen; :func:`app_toaster` binds them to a running app through
:mod:`cfdash.tui.textual_compat`, because Textual has no public way to take one toast down
(nor to change its text).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from textual.app import App
from textual.notifications import Notification, SeverityLevel

from cfdash.tui import textual_compat

__all__ = [
    "FAILURE_STAYS",
    "MAX_TOASTS",
    "STATUS_TIMEOUT",
    "ToastKind",
    "Toaster",
    "app_toaster",
    "text_width",
]

#: ``status``: a short reply to a key; ``summary``: the once-a-second job summary;
#: ``failure``: a summary that names a failure (it stays); ``notice``: anything else.
ToastKind = Literal["status", "summary", "failure", "notice"]

MAX_TOASTS = 3
#: The kinds of which one toast at a time is up, each replacing the last.
_SUMMARIES = ("summary", "failure")
#: Seconds a status toast stays.
STATUS_TIMEOUT = 2.0
#: A toast shorter than this (and not a warning or an error) is a status toast.
_STATUS_AT_MOST = 3.0
#: "Until dismissed": Textual needs a timeout, so a week stands for never.
FAILURE_STAYS = 7 * 24 * 3600.0


class Toaster:
    """Decides which toasts are on screen; ``show``/``withdraw`` do it, ``alive`` asks."""

    def __init__(
        self,
        show: Callable[[Notification], None],
        withdraw: Callable[[Notification], None],
        alive: Callable[[Notification], bool] = lambda n: not n.has_expired,
        limit: int = MAX_TOASTS,
        replace: Callable[[Notification, Notification], bool] = lambda old, new: False,
    ) -> None:
        self._show = show
        self._withdraw = withdraw
        self._alive = alive
        #: Show the second in place of the first, on screen; False if it could not.
        self._replace = replace
        self.limit = limit
        #: What cfdash put up and believes is still up, oldest first, with its kind.
        self._up: list[tuple[Notification, ToastKind]] = []

    @staticmethod
    def kind_of(severity: SeverityLevel, timeout: float | None) -> ToastKind:
        """A short information toast is a status reply; anything else a notice."""
        if severity == "information" and timeout is not None and timeout <= _STATUS_AT_MOST:
            return "status"
        return "notice"

    @property
    def shown(self) -> list[Notification]:
        """The toasts up now, oldest first."""
        self._prune()
        return [notification for notification, _ in self._up]

    @property
    def failure(self) -> Notification | None:
        """The failure summary on screen, if one is."""
        self._prune()
        return next((n for n, kind in self._up if kind == "failure"), None)

    def _prune(self) -> None:
        """Forget toasts that timed out or were clicked away."""
        self._up = [(n, kind) for n, kind in self._up if self._alive(n)]

    def _take_down(self, notification: Notification) -> None:
        self._up = [(n, kind) for n, kind in self._up if n is not notification]
        self._withdraw(notification)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
        kind: ToastKind | None = None,
    ) -> Notification:
        """Put one toast up, taking others down as the rules say; returns it."""
        kind = kind or self.kind_of(severity, timeout)
        if kind == "status":
            timeout = STATUS_TIMEOUT
        elif kind == "failure":
            timeout = FAILURE_STAYS
        elif timeout is None:
            timeout = 5.0
        self._prune()
        notification = Notification(message, title, severity, timeout, markup=markup)
        for shown, _ in list(self._up):
            if (shown.title, shown.message, shown.severity) == (title, message, severity):
                self._take_down(shown)  # the same words again: one toast, its timer restarted
        if kind in _SUMMARIES:
            # The newer summary replaces the older of its kind: in its toast, if it is up.
            last = next((n for n, k in reversed(self._up) if k == kind), None)
            if last is not None:
                if self._replace(last, notification):
                    self._up = [
                        ((notification, kind) if n is last else (n, k)) for n, k in self._up
                    ]
                    return notification
                self._take_down(last)
        while len(self._up) >= self.limit:
            oldest = next((n for n, k in self._up if k != "failure"), None)
            if oldest is None:
                break  # cannot happen with a limit above 1: one failure summary at a time
            self._take_down(oldest)
        self._up.append((notification, kind))
        self._show(notification)
        return notification

    def dismiss_failure(self) -> bool:
        """Take the failure summary down (its jobs are in the event feed); True if one was up."""
        failure = self.failure
        if failure is None:
            return False
        self._take_down(failure)
        return True


def text_width(screen_width: int) -> int:
    """Cells a toast's text has on a screen ``screen_width`` wide.

    Textual's toast (``textual.widgets._toast``, 8.2) is 60 wide, at most half the screen,
    less a cell of padding either side and its one-cell left border.
    """
    return max(10, min(60, screen_width // 2) - 3)


def app_toaster(app: App[Any]) -> Toaster:
    """A :class:`Toaster` over ``app``'s own notifications."""
    return Toaster(
        show=lambda n: textual_compat.show_notification(app, n),
        withdraw=lambda n: textual_compat.withdraw_notification(app, n),
        alive=lambda n: textual_compat.notification_shown(app, n),
        replace=lambda old, new: textual_compat.replace_notification(app, old, new),
    )
