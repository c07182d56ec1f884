"""The last guard between API text and the terminal: no control or direction character is drawn.

Rich strips only BEL, BS, VT, FF and CR from text; ESC, the C1 controls and the bidi overrides
pass through into the segments Textual writes, so a ``joberror`` such as
``\\x1b]2;PWNED\\x07\\x1b[2J`` retitled and cleared the user's terminal from the table, and a
region name could do the same from the fleets screen. Cells that show API text write it with
:func:`cfdash.safetext.safe_text` (visible escapes); this line filter, applied by the app to
every line of every widget, makes whatever a view forgot inert. The characters it removes are
zero cells wide (a lone surrogate, one cell, becomes U+FFFD), so no line changes its width.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.segment import Segment
from textual.color import Color
from textual.filter import LineFilter

from cfdash.safetext import UNSAFE

__all__ = ["Inert"]


def _replace(match) -> str:
    return "\ufffd" * cell_len(match.group())


class Inert(LineFilter):
    """Drops control, C1 and bidi characters from the text of non-control segments."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        search = UNSAFE.search
        if not any(search(text) for text, _style, control in segments if not control):
            return segments  # the common case: nothing to copy
        return [
            segment
            if segment.control or not search(segment.text)
            else Segment(UNSAFE.sub(_replace, segment.text), segment.style, None)
            for segment in segments
        ]
