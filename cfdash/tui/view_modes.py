"""The view's modes — text filter, release, failed only, hide finished, marks, sort — as the
mode line names them, as ``esc`` undoes them, and as an empty view explains them.

A filter nobody can see is a trap: the table shows 4 rows and nothing says 8 more are
filtered out, or why it is empty. So every setting in force is named on one line with
``N of M`` jobs in view (M is every row the table holds), an empty view says which setting
emptied it and the key that leaves it, and ``esc`` backs out of one mode per press, innermost
first (decisions.md): close the panel, clear the text filter, clear the release filter, turn
off failed-only and hide-finished, clear the marks.

The words are pure functions of :class:`Modes`; :class:`ViewControl` is the main screen's
helper that changes the view, saves it, and tells the table, header and mode line.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from rich.text import Text
from textual.app import App
from textual.binding import Binding

from cfdash.keys import keys_in_force
from cfdash.tui.grid_rows import View
from cfdash.tui.rows import SORTS

if TYPE_CHECKING:
    from cfdash.tui.widgets.job_grid import JobGrid

__all__ = [
    "ESC_STEPS",
    "EscStep",
    "Modes",
    "ViewControl",
    "empty_reason",
    "escape_step",
    "mode_line",
]

EscStep = Literal["panel", "text", "release", "toggles", "marks"]
#: What one ``esc`` undoes, first to last.
ESC_STEPS: tuple[EscStep, ...] = ("panel", "text", "release", "toggles", "marks")

#: The keys named in the hints, by binding id; the screen passes the ones in force.
DEFAULT_KEYS = {
    "filter": "/",
    "failed_only": "f",
    "hide_finished": "h",
    "releases": "v",
    "add": "a",
    "reverse_sort": "S",
}


@dataclass(frozen=True, slots=True)
class Modes:
    """Everything the mode line says, as of now."""

    view: View
    #: Jobs marked for a bulk action.
    marked: int
    #: Rows in view, and every row the table holds.
    shown: int
    total: int
    #: A panel is open that ``esc`` closes first.
    panel: bool = False


def escape_step(modes: Modes) -> EscStep | None:
    """What the next ``esc`` undoes; None when there is nothing left to undo."""
    view = modes.view
    done = {
        "panel": modes.panel,
        "text": bool(view.text),
        "release": view.release is not None,
        "toggles": view.failed_only or view.hide_finished,
        "marks": modes.marked > 0,
    }
    return next((step for step in ESC_STEPS if done[step]), None)


_ESC_WORDS: dict[EscStep, str] = {
    "panel": "closes the panel",
    "text": "clears the filter",
    "release": "shows all releases",
    "toggles": "shows all jobs",
    "marks": "clears the marks",
}


def _settings(view: View, marked: int) -> list[str]:
    """The view settings in force, in ``esc`` order, as the mode line names them."""
    parts = [f'filter "{view.text}"'] if view.text else []
    parts += [f"release v{view.release}"] if view.release is not None else []
    parts += ["failed only"] if view.failed_only else []
    parts += ["finished hidden"] if view.hide_finished else []
    parts += [f"{marked} marked"] if marked else []
    return parts


def sort_words(view: View) -> str:
    """``sort: state ▾``, or ``sort: state ▴ reversed``."""
    label = SORTS[view.sort][0] if view.sort in SORTS else view.sort
    return f"sort: {label} ▴ reversed" if view.sort_reverse else f"sort: {label} ▾"


def mode_line(modes: Modes, keys: Mapping[str, str] = DEFAULT_KEYS) -> Text:
    """``4 of 12 jobs │ filter "gs" │ failed only │ sort: state ▾ │ esc clears the filter``."""
    line = Text(no_wrap=True, overflow="ellipsis")
    line.append(f" {modes.shown} of {modes.total} jobs ", style="bold reverse")
    for part in _settings(modes.view, modes.marked):
        line.append("  ")
        line.append(f" {part} ", style="reverse")
    line.append(f"  {sort_words(modes.view)}")
    line.append(f" ({keys.get('reverse_sort', 'S')} reverses)", style="dim")
    if empty := empty_reason(modes, keys):  # why nothing is in view, and the way out
        line.append(f"   {empty}", style="bold")
    elif (step := escape_step(modes)) is not None:
        line.append(f"   esc {_ESC_WORDS[step]}", style="dim")
    return line


def empty_reason(modes: Modes, keys: Mapping[str, str] = DEFAULT_KEYS) -> str:
    """Why nothing is in view and how to leave that view; "" when something is."""
    if modes.shown:
        return ""
    view = modes.view
    if not modes.total:
        return f"No jobs tracked yet — {keys.get('add', 'a')} adds one."
    active = _settings(view, 0)
    if len(active) > 1 and not (view.failed_only and len(active) == 2 and view.hide_finished):
        return f"No jobs with {', '.join(active)} — esc clears them one at a time."
    if view.text:
        return f'Nothing matches "{view.text}" — {keys.get("filter", "/")} edits it, esc clears it.'
    if view.release is not None:
        return (
            f"No jobs of release v{view.release} — {keys.get('releases', 'v')} picks "
            "another, esc shows all releases."
        )
    if view.failed_only:  # failed jobs never count as finished: hide-finished takes none
        return f"No failed jobs — {keys.get('failed_only', 'f')} or esc shows all."
    if view.hide_finished:
        return f"Every job has finished — {keys.get('hide_finished', 'h')} or esc shows them."
    return "No jobs in view."


def shown_keys(app: App[Any]) -> Mapping[str, str]:
    """The keys the hints name, as the keymap in force binds them ("/", "f", …)."""
    settings = getattr(app, "settings", None)
    force = keys_in_force(getattr(settings, "keymap", None) or {})
    return {
        name: app.get_key_display(Binding(force[name][0], ""))
        for name in DEFAULT_KEYS
        if force.get(name)
    }


class ViewControl:
    """Changes the view on the screen's behalf: each change is applied to the table, saved
    (``persist``), said in a short toast, and shown on the mode line (``changed``)."""

    def __init__(
        self,
        grid: JobGrid,
        total: Callable[[], int],
        *,
        persist: Callable[[], None],
        notify: Callable[[str], None],
        changed: Callable[[], None],
        keys: Callable[[], Mapping[str, str]] = lambda: DEFAULT_KEYS,
    ) -> None:
        self.grid = grid
        self.total = total
        self.persist = persist
        self.notify = notify
        self.changed = changed
        self._keys_of = keys
        self._keys: Mapping[str, str] | None = None

    def keys(self) -> Mapping[str, str]:
        """The keys the hints name (looked up once: the keymap is fixed for a run)."""
        if self._keys is None:
            self._keys = self._keys_of()
        return self._keys

    def modes(self, panel: bool = False) -> Modes:
        grid = self.grid
        return Modes(grid.view, len(grid.marked), grid.row_count, self.total(), panel)

    def _apply(self, toast: str = "", *, save: bool = True) -> None:
        if save:
            self.persist()
        if toast:
            self.notify(toast)
        self.changed()

    def describe(self, panel: bool = False) -> Text:
        """The mode line's text; also keeps the table's empty-view sentence current."""
        modes = self.modes(panel)
        keys = self.keys()
        empty = empty_reason(modes, keys)
        if empty != self.grid.empty_text:
            self.grid.empty_text = empty
            self.grid.refresh()
        return mode_line(modes, keys)

    # -- the settings -----------------------------------------------------------------------

    def toggle_failed_only(self) -> None:
        failed_only = not self.grid.view.failed_only
        self.grid.set_filter(failed_only=failed_only)
        self._apply("Failed jobs only." if failed_only else "All jobs.")

    def toggle_hide_finished(self) -> None:
        hidden = not self.grid.view.hide_finished
        self.grid.set_filter(hide_finished=hidden)
        self._apply("Finished jobs hidden." if hidden else "Finished jobs shown.")

    def set_text(self, text: str, *, save: bool = False) -> None:
        """The filter box changed (saved when kept or cleared, not at every key press)."""
        self.grid.set_filter(text=text)
        self._apply(save=save)

    def set_release(self, release: int | None) -> None:
        self.grid.set_filter(release=release)
        shown = "all releases" if release is None else f"v{release}"
        self._apply(f"Showing {shown}.")

    def sorted(self, label: str) -> None:
        """The sort changed (``s``, ``S`` or a header click)."""
        self._apply(f"Sorted by {label}.")

    # -- marks ------------------------------------------------------------------------------

    def mark(self) -> None:
        """``space``: mark or unmark the selected job, and go on to the next."""
        key = self.grid.selected_key
        if key is not None:
            self.grid.toggle_mark(key)
            self.grid.action_cursor(1)  # space, space, space marks a run of rows
            self.changed()

    def mark_all(self) -> None:
        keys = self.grid.row_keys
        self.grid.set_marks(keys)
        self.changed()
        self.notify(f"Marked {len(keys)} jobs in view.")

    def mark_failed(self) -> None:
        jobs = self.grid.tracker.jobs
        keys = [key for key in self.grid.row_keys if jobs[key].phase == "failed"]
        self.grid.set_marks(keys)
        self.changed()
        if keys:
            self.notify(f"Marked {len(keys)} failed jobs: press q to queue them again.")
        else:
            self.notify("No failed jobs in view.")

    # -- esc --------------------------------------------------------------------------------

    def back_out(self, close_panel: Callable[[], bool]) -> EscStep | None:
        """Undo the innermost mode (``close_panel`` closes an open panel, True if one was);
        which step it was, or None if nothing was left to undo."""
        if close_panel():
            self.changed()
            return "panel"
        step = escape_step(self.modes())
        if step == "text":
            self.set_text("", save=True)
        elif step == "release":
            self.set_release(None)
        elif step == "toggles":
            self.grid.set_filter(failed_only=False, hide_finished=False)
            self._apply("All jobs.")
        elif step == "marks":
            cleared = self.grid.clear_marks()
            self._apply(f"Cleared {cleared} marks.", save=False)
        return step
