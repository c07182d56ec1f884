"""No colour at all in the mono theme: what reaches the terminal is bold, dim, reverse, underline.

``NO_COLOR`` chooses the mono theme (:func:`cfdash.tui.themes.choose_theme`).  Textual's own
answer to ``NO_COLOR`` is its ``Monochrome`` line filter, which turns every colour into a grey
— still a 256-colour or true-colour code (``38;5;250``).  Its other filter, ``NoColor``,
removes the colours and with them everything colour was saying: the cursor row, the
highlighted option, the input's cursor all vanish into the text around them.

:class:`Colourless` keeps what the colours said in the four attributes every terminal has.
It reads each segment's colours as the mono theme painted them (greys, chosen for this):

- a background lighter than its text (on a dark theme; darker on a light one) is a block —
  the cursor row, a badge, the palette's highlighted line — and is drawn **reverse**;
- text whose contrast with its background is below :data:`QUIET_BELOW` (7:1, WCAG's AAA
  line) is quiet — a placeholder, a hint — and is drawn **dim**;

then emits the terminal's default colours (SGR 39/49) in place of both.  Bold, underline,
italic and the rest pass through.  States never depended on colour: each has its own symbol
and word (``cfdash.textfmt.STATE_SYMBOLS``), and the mono theme adds bold and reverse.

:class:`ColourSwitch` decides per theme: in mono, Textual's filters without its greys plus
:class:`Colourless`; in any other theme, Textual's filters without its greys, so a theme the
user asked for with ``--theme`` (which outranks ``NO_COLOR``, as no-color.org asks) or picked
with ``t`` shows its own colours rather than greys.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from rich.color import Color as RichColor
from rich.segment import Segment
from rich.style import Style
from textual.color import Color
from textual.filter import LineFilter, Monochrome, NoColor
from textual.theme import Theme

from cfdash.config.colours import RGB, contrast_ratio, relative_luminance
from cfdash.tui.themes import NO_COLOR_THEME

__all__ = ["QUIET_BELOW", "ColourSwitch", "Colourless", "is_colourless"]

#: Text below this contrast with its background is drawn dim.  The mono theme keeps its
#: ordinary text above it (its dimmest, pending, is about 10:1) and its muted greys below.
QUIET_BELOW = 7.0

_DEFAULT = RichColor.default()


def is_colourless(theme_name: str) -> bool:
    """Whether ``theme_name`` is drawn without colour (the mono theme, chosen by NO_COLOR)."""
    return theme_name == NO_COLOR_THEME


def _rgb(colour: RichColor | None) -> RGB | None:
    if colour is None or colour.is_default:
        return None
    triplet = colour.get_truecolor()
    return (triplet.red, triplet.green, triplet.blue)


@lru_cache(4096)
def _restyle(style: Style, background: RGB, foreground: RGB, dark: bool) -> Style:
    """``style`` in default colours, with reverse and dim saying what its colours said."""
    text = _rgb(style.color) or foreground
    under = _rgb(style.bgcolor) or background
    if style.reverse:
        text, under = under, text  # what the eye sees
    lighter_beneath = relative_luminance(under) > relative_luminance(text)
    block = lighter_beneath if dark else relative_luminance(under) < relative_luminance(text)
    quiet = contrast_ratio(text, under) < QUIET_BELOW
    dim = True if quiet else None  # None: the style's own dim stands
    return style + Style(color=_DEFAULT, bgcolor=_DEFAULT, reverse=block, dim=dim)


class Colourless(LineFilter):
    """Colours out; reverse and dim in where the colours drew a block or quiet text."""

    def __init__(self, foreground: Color, dark: bool) -> None:
        super().__init__()
        self.foreground: RGB = foreground.rgb
        self.dark = dark

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        under, foreground, dark = background.rgb, self.foreground, self.dark
        return [
            Segment(text, style and _restyle(style, under, foreground, dark), control)
            for text, style, control in segments
        ]


class ColourSwitch:
    """The app's line filters for the theme in force; the mono filter is built once per theme."""

    def __init__(self) -> None:
        self._theme: Theme | None = None
        self._filter: Colourless | None = None

    def filters(self, textual_filters: Sequence[LineFilter], theme: Theme) -> list[LineFilter]:
        """``textual_filters`` without Textual's NO_COLOR greys; :class:`Colourless` in mono."""
        kept = [each for each in textual_filters if not isinstance(each, (Monochrome, NoColor))]
        if not is_colourless(theme.name):
            return kept
        if self._filter is None or self._theme is not theme:
            foreground = Color.parse(theme.to_color_system().generate()["foreground"])
            self._theme, self._filter = theme, Colourless(foreground, theme.dark)
        return [*kept, self._filter]
