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
- :func:`replace_notification` — ``ToastRack._toast_id``, ``Toast._notification``,
  ``Toast._expire``, ``MessagePump._timers``: the next summary takes the place of the last in
  the toast already on screen. A new toast costs two layouts of the whole screen (mounted,
  then sized) and the old one's removal a third; a new text in the same toast is a repaint
  (a layout only when it needs more lines). Nothing public changes a toast's text.
- :func:`styled_as` — ``DOMNode._component_styles``: the job table keeps the Rich styles of
  its background and component classes from frame to frame (Textual works them out again at
  every refresh, walking the ancestors), and needs to know when the stylesheet styled it
  again.
- :func:`render_only_lines_updated` — ``Compositor._get_renders``, ``Compositor.visible_widgets``:
  a frame that updates the job table's lines asks *every* widget on the screen for its lines
  (the header, the mode line, the footer and its keys too), because Textual tests each against
  its parent's clip (the whole screen), not against where it is. Replaced by the same loop
  that skips a widget with no line in the update (~0.7 ms of a 4 ms frame at 1,000 rows).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from textual._compositor import Compositor
from textual.app import App, ScreenStackError
from textual.css.query import NoMatches, WrongType
from textual.geometry import Region
from textual.keys import _normalize_key_list
from textual.notifications import Notification
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets._toast import Toast, ToastRack

__all__ = [
    "normalize_key_list",
    "notification_shown",
    "render_only_lines_updated",
    "replace_notification",
    "show_notification",
    "styled_as",
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


def replace_notification(app: App[Any], old: Notification, new: Notification) -> bool:
    """Show ``new`` in the toast on screen that shows ``old``, where it is; False (nothing
    done) if that toast is not laid out on the current screen yet.

    ``new`` takes ``old``'s identity (the toast's DOM id is made from it) and a fresh timer.
    """
    try:
        rack = app.screen.get_child_by_type(ToastRack)
        toast = rack.get_child_by_id(ToastRack._toast_id(old)).query_one(Toast)
    except (NoMatches, WrongType, ScreenStackError):
        return False
    size = toast.content_size
    if not size.width or old not in app._notifications:
        return False
    new.identity = old.identity
    app._notifications.add(new)  # in place of ``old``: they share the identity
    toast._notification = new
    for timer in list(toast._timers):  # the old toast's expiry
        timer.stop()
    toast.set_timer(new.timeout, toast._expire)
    if old.severity != new.severity:
        toast.remove_class(f"-{old.severity}").add_class(f"-{new.severity}")
    toast.refresh()  # drops the cached text (and its height)
    # The toast never shrinks (a steady box, blank lines at its foot): only a longer text
    # lays the screen out again, and a rollout's summaries soon stop growing.
    height = toast.get_content_height(toast.size, app.size, size.width)
    if height > size.height:
        toast.styles.min_height = height + toast.styles.gutter.height  # lays it out again
    return True


def styled_as(widget: Widget, names: tuple[str, ...]) -> tuple[object, ...]:
    """The style objects Textual holds for ``widget``'s component classes ``names``.

    Whenever the stylesheet styles the widget again — a theme, a CSS variable, a class or a
    pseudo-class such as ``:focus``, of the widget or of an ancestor (those restyle every
    descendant) — it puts new objects in, equal or not (``Stylesheet.apply`` ends in
    ``_process_component_classes`` on every path). So while the same objects are there, the
    widget's own and its components' Rich styles are those worked out from them before.
    """
    styles = widget._component_styles
    return tuple(styles.get(name) for name in names)


def _renders_on_lines(
    compositor: Compositor, crop: Region | None = None
) -> Iterable[tuple[Region, Region, list[Strip]]]:
    """``Compositor._get_renders`` (Textual 8.2.8) less the widgets with no line in ``crop``.

    ``_render_chops`` keeps only the lines of the update (all inside ``crop``), so what such a
    widget would draw is thrown away: Textual's own loop asks it anyway, since it tests the
    widget's clip — for a child of the screen, the whole screen — not its region.
    """
    if crop is None:  # a whole screen (a first frame, a screenshot): Textual's own way
        yield from _textual_renders(compositor, crop)
        return
    top, bottom = crop.y, crop.bottom
    overlaps = crop.overlaps
    for widget, (region, clip) in compositor.visible_widgets.items():
        if not overlaps(clip):
            continue
        x, y, width, height = region.intersection(clip)
        if not width or not height or y >= bottom or y + height <= top:
            continue
        if clip.contains_region(region):
            lines = Region(0, 0, region.width, region.height)
        else:
            lines = Region(x - region.x, y - region.y, width, height)
        yield region, clip, widget.render_lines(lines)


_textual_renders = Compositor._get_renders


def render_only_lines_updated() -> None:
    """Install :func:`_renders_on_lines` for every screen (once; the app does it at start)."""
    Compositor._get_renders = _renders_on_lines  # type: ignore[method-assign, assignment]
