"""What the job table's lines go through on their way to the compositor, without Textual's
``StylesCache``: the app's line filters, and the test of whether that way is open.

Textual draws each line of a widget through its ``StylesCache`` (border, padding, tint,
opacity, hatch) and then through each of the app's line filters, making a new ``Strip`` at
every step, for every line, every frame. The job table has none of those styles, so
``JobGrid`` hands over lines it drew and filtered itself (:func:`plain` says when it may),
and keeps them until their row changes.
"""

from __future__ import annotations

from typing import NamedTuple

from rich.segment import Segment
from textual.color import Color
from textual.filter import ANSIToTruecolor, LineFilter
from textual.strip import Strip
from textual.widget import Widget

from cfdash.tui.colourless import Colourless
from cfdash.tui.inert import Inert

__all__ = ["CELLWISE", "Look", "plain"]

#: Filters that map each segment on its own, never looking at its neighbours: a line through
#: them is the same as its cells through them one by one, so a row redraws only the cells
#: that changed. A filter not named here makes every line go through whole.
CELLWISE: tuple[type[LineFilter], ...] = (ANSIToTruecolor, Inert, Colourless)


class Look(NamedTuple):
    """The app's line filters (the ``Inert`` guard among them) and the widget's background
    they are applied against."""

    filters: tuple[LineFilter, ...]
    background: Color
    #: Every filter is one of :data:`CELLWISE`.
    cellwise: bool

    @classmethod
    def of(cls, filters: tuple[LineFilter, ...], background: Color) -> Look:
        cellwise = all(isinstance(each, CELLWISE) for each in filters)
        return cls(filters, background, cellwise)

    def apply(self, segments: list[Segment]) -> list[Segment]:
        """``segments`` through every filter, in order."""
        for each in self.filters:
            segments = each.apply(segments, self.background)
        return segments

    def finish(self, segments: list[Segment], cell_length: int) -> Strip:
        """``segments`` through every filter as one ``Strip`` (Textual makes one per filter)."""
        return Strip(self.apply(segments), cell_length)


def plain(widget: Widget) -> bool:
    """Whether Textual's ``StylesCache`` would add nothing to ``widget``'s own lines but their
    length: no border, padding or outline, no tint, hatch, opacity or text opacity, no link
    under the mouse. Then the widget may hand the compositor its lines as they are."""
    styles = widget.styles
    return (
        not any(styles.gutter)
        and not any(edge for edge, _ in styles.outline)
        and not styles.tint.a
        and styles.text_opacity == 1.0
        and not (styles.has_rule("hatch") and styles.hatch != "none")
        and widget.opacity == 1.0
        and not (widget.auto_links and widget.hover_style._link_id)
    )
