"""The releases panel: one line per image version, and an "All releases" line that clears.

Each line reads without colour: ``v4242  7 jobs  ▶3 ◔1 ✖1 ✔2  ███▌░░░░░░  35%  eta 4m10s
3 failures  2 mirror · 5 machine`` — the state symbols are :data:`~cfdash.textfmt.STATE_SYMBOLS`
and the colours come from the theme's state variables (:func:`~cfdash.tui.themes.phase_styles`).

It is an :class:`~textual.widgets.OptionList`: up/down move, enter (or a click) posts
:class:`ReleasePanel.Chosen`, escape posts :class:`ReleasePanel.Closed`.  Given the screen's
:class:`~cfdash.tui.feed.TrackerFeed` it keeps itself up to date while shown; without one, feed
it with :meth:`ReleasePanel.update_releases`.  Only lines whose text changed are replaced, and
the highlight stays on the same release.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual.binding import BindingType
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from cfdash.engine.releases import Release
from cfdash.textfmt import STATE_SYMBOLS, eta_text, progress_bar
from cfdash.tui.bindings import bindings_for
from cfdash.tui.feed import TrackerChanged, TrackerFeed
from cfdash.tui.themes import phase_styles

__all__ = ["ReleasePanel"]

ALL_ID = "all"
_BAR_WIDTH = 10
#: The order of the state chips; ``done`` is complete + finished (both read ✔).
_CHIPS = (
    "running",
    "queued",
    "pending",
    "created",
    "failed",
    "squashed",
    "unknown",
    "done",
    "notlisted",
)
_DONE = ("complete", "finished")


def _option_id(release: Release) -> str:
    version = release.imageversionid
    return f"release-{version}" if version is not None else "release-none"


def _label(release: Release | None) -> str:
    if release is None:
        return "All releases"
    version = release.imageversionid
    return f"v{version}" if version is not None else "no release"


def _chip_counts(counts: dict[str, int]) -> list[tuple[str, int]]:
    """(phase, count) in chip order, with complete and finished folded into ``done``."""
    folded = dict(counts)
    done = sum(folded.pop(phase, 0) for phase in _DONE)
    if done:
        folded["done"] = done
    return [(phase, folded[phase]) for phase in _CHIPS if folded.get(phase)]


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


@dataclass(frozen=True, slots=True)
class _Line:
    """One line's column texts, before padding (chips carry their style)."""

    label: str
    jobs: str
    chips: list[tuple[str, str]]
    bar: str
    eta: str
    kinds: str
    failures: str
    in_flight: bool


class ReleasePanel(OptionList):
    """Releases rolled up from the tracked jobs; choosing one filters the table to it."""

    DEFAULT_CSS = """
    ReleasePanel {
        height: auto;
        max-height: 12;
        text-wrap: nowrap;
        text-overflow: ellipsis;
        border-title-color: $foreground;
        border-subtitle-color: $foreground-muted;
        /* A light cursor, so the state colours of the line under it stay readable. */
        & > .option-list--option-highlighted {
            background: $primary 15%; color: $foreground; text-style: bold;
        }
        &:focus > .option-list--option-highlighted {
            background: $primary 30%; color: $foreground; text-style: bold;
        }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = bindings_for("releases")

    @dataclass
    class Chosen(Message):
        """Enter on a line: filter the table to this release.

        ``imageversionid`` None means every release (the "All releases" line) — unless
        ``no_release`` is set, which is the line of jobs with no known image version yet.
        """

        imageversionid: int | None
        no_release: bool = False

        @property
        def everything(self) -> bool:
            return self.imageversionid is None and not self.no_release

    class Closed(Message):
        """Escape: the user is done with the panel."""

    def __init__(
        self,
        clock: Callable[[], float],
        *,
        feed: TrackerFeed | None = None,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.clock = clock
        self.feed = feed
        self.border_title = "Releases"
        self.border_subtitle = "enter filter · esc close"
        self._releases: list[Release] = []
        self._by_id: dict[str, Release] = {}
        #: What each option shows now, by option id: only changed lines are replaced.
        self._shown: dict[str, Text] = {}
        self._styles: dict[str, str] = {}

    # -- public API -------------------------------------------------------------------------

    @property
    def selected(self) -> Release | None:
        """The highlighted release; None on the "All releases" line."""
        option = self.highlighted_option
        return self._by_id.get(option.id or "") if option is not None else None

    def update_releases(self, releases: Sequence[Release]) -> None:
        """Show these releases (as :func:`~cfdash.engine.releases.rollup` orders them).

        Cheap enough for every tick: lines whose text is unchanged are left alone, and the
        highlight follows its release (to "All releases" if that release is gone).
        """
        self._releases = list(releases)
        self._by_id = {_option_id(release): release for release in self._releases}
        if self.is_mounted:
            self._redraw_lines()

    def show(self) -> None:
        """Show the panel, up to date."""
        self.display = True
        if self.feed is not None:
            self._tracker_changed(self.feed.current())

    def line_texts(self) -> list[str]:
        """The lines as plain text, top to bottom (what a test or a transcript reads)."""
        return [self._shown[option.id or ""].plain for option in self.options]

    # -- Textual ----------------------------------------------------------------------------

    def on_mount(self) -> None:
        self._styles = phase_styles(self.app.theme_variables)
        self.app.theme_changed_signal.subscribe(self, self._theme_changed)
        self._redraw_lines()
        self.highlighted = 0
        if self.feed is not None:
            self.feed.subscribe(self, self._tracker_changed)

    def _tracker_changed(self, change: TrackerChanged) -> None:
        if self.display:
            self.update_releases(change.census.releases())

    def _theme_changed(self, _theme: object) -> None:
        self._styles = phase_styles(self.app.theme_variables)
        self._shown.clear()  # every line takes the new colours
        self._redraw_lines()

    def action_close(self) -> None:
        self.post_message(self.Closed())

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        option_id = event.option.id or ALL_ID
        release = self._by_id.get(option_id)
        if release is None:
            self.post_message(self.Chosen(None))
        else:
            version = release.imageversionid
            self.post_message(self.Chosen(version, no_release=version is None))

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()  # an internal detail: Chosen is what the panel says

    # -- building lines ---------------------------------------------------------------------

    def _line(self, release: Release | None, now: float) -> _Line:
        if release is None:
            return self._all_line(now)
        return _Line(
            label=_label(release),
            jobs=_plural(release.total, "job"),
            chips=self._chips(release.counts),
            bar=progress_bar(round(release.progress), _BAR_WIDTH),
            eta=(
                f"eta {eta_text(release.latest_eta, now)}" if release.latest_eta is not None else ""
            ),
            kinds=f"{release.mirrors} mirror · {release.machines} machine",
            failures=_plural(release.failures, "failure") if release.failures else "",
            in_flight=release.in_flight,
        )

    def _all_line(self, now: float) -> _Line:
        releases = self._releases
        total = sum(release.total for release in releases)
        counts: dict[str, int] = {}
        for release in releases:
            for phase, count in release.counts.items():
                counts[phase] = counts.get(phase, 0) + count
        progress = sum(r.progress * r.total for r in releases) / total if total else 0.0
        etas = [r.latest_eta for r in releases if r.latest_eta is not None]
        failures = sum(release.failures for release in releases)
        return _Line(
            label=_label(None),
            jobs=_plural(total, "job"),
            chips=self._chips(counts),
            bar=progress_bar(round(progress), _BAR_WIDTH) if total else "",
            eta=f"eta {eta_text(max(etas), now)}" if etas else "",
            kinds=(
                f"{sum(r.mirrors for r in releases)} mirror · "
                f"{sum(r.machines for r in releases)} machine"
            ),
            failures=_plural(failures, "failure") if failures else "",
            in_flight=False,
        )

    def _chips(self, counts: dict[str, int]) -> list[tuple[str, str]]:
        chips = []
        for phase, count in _chip_counts(counts):
            symbol = STATE_SYMBOLS["complete" if phase == "done" else phase]
            style = self._styles.get("complete" if phase == "done" else phase, "")
            chips.append((f"{symbol}{count}", style))
        return chips

    def _redraw_lines(self) -> None:
        now = self.clock()
        entries: list[tuple[str, _Line]] = [(ALL_ID, self._line(None, now))]
        entries += [(_option_id(r), self._line(r, now)) for r in self._releases]
        lines = [line for _, line in entries]
        widths = {
            "label": max(cell_len(line.label) for line in lines),
            "jobs": max(cell_len(line.jobs) for line in lines),
            "chips": max(cell_len(" ".join(text for text, _ in line.chips)) for line in lines),
            "bar": max(cell_len(line.bar) for line in lines),
            "eta": max(cell_len(line.eta) for line in lines),
            "failures": max(cell_len(line.failures) for line in lines),
        }
        prompts = {option_id: self._prompt(line, widths) for option_id, line in entries}
        ids = list(prompts)
        if [option.id for option in self.options] == ids:
            for option_id, prompt in prompts.items():
                if self._shown.get(option_id) != prompt:
                    self.replace_option_prompt(option_id, prompt)
        else:
            current = self.highlighted_option
            keep = current.id if current is not None else ALL_ID
            self.set_options(Option(prompt, id=option_id) for option_id, prompt in prompts.items())
            self.highlighted = ids.index(keep) if keep in ids else 0
        self._shown = prompts

    def _prompt(self, line: _Line, widths: dict[str, int]) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(line.label.ljust(widths["label"]), style="bold" if line.in_flight else "")
        text.append("  ")
        text.append(line.jobs.rjust(widths["jobs"]), style="dim")
        text.append("  ")
        used = 0
        for index, (chip, style) in enumerate(line.chips):
            if index:
                text.append(" ")
                used += 1
            text.append(chip, style=style)
            used += cell_len(chip)
        text.append(" " * (widths["chips"] - used))
        if widths["bar"]:
            text.append("  ")
            text.append(line.bar.ljust(widths["bar"]))
        if widths["eta"]:
            text.append("  ")
            text.append(line.eta.ljust(widths["eta"]))
        if widths["failures"]:
            text.append("  ")
            text.append(line.failures, style=self._styles.get("failed", ""))
            text.append(" " * (widths["failures"] - cell_len(line.failures)))
        text.append("  ")
        text.append(line.kinds, style="dim")
        return text
