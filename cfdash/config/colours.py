"""Which colour strings Textual accepts, without importing Textual.

``cfdash config check`` judges theme files, and the core never imports Textual (start-up
time, and the rule that the core runs without a UI).  So the colour grammar of
``textual.color.Color.parse`` is kept here: its named colours and its pattern for ``#rgb``,
``rgb()`` and ``hsl()`` forms.  A test compares both with the installed Textual, so a
Textual upgrade that changes them fails loudly rather than letting the two drift.
"""

from __future__ import annotations

import re

__all__ = ["COLOUR_NAMES", "COLOUR_PATTERN", "is_colour"]

# Textual's named colours, in its order (``textual._color_constants.COLOR_NAME_TO_RGB``).
_TEXTUAL_NAMES = """
    transparent ansi_black ansi_red ansi_green ansi_yellow ansi_blue ansi_magenta ansi_cyan
    ansi_white ansi_bright_black ansi_bright_red ansi_bright_green ansi_bright_yellow
    ansi_bright_blue ansi_bright_magenta ansi_bright_cyan ansi_bright_white black silver
    gray white maroon red purple fuchsia green lime olive yellow navy blue teal aqua orange
    aliceblue antiquewhite aquamarine azure beige bisque blanchedalmond blueviolet brown
    burlywood cadetblue chartreuse chocolate coral cornflowerblue cornsilk crimson cyan
    darkblue darkcyan darkgoldenrod darkgray darkgreen darkgrey darkkhaki darkmagenta
    darkolivegreen darkorange darkorchid darkred darksalmon darkseagreen darkslateblue
    darkslategray darkslategrey darkturquoise darkviolet deeppink deepskyblue dimgray
    dimgrey dodgerblue firebrick floralwhite forestgreen gainsboro ghostwhite gold goldenrod
    greenyellow grey honeydew hotpink indianred indigo ivory khaki lavender lavenderblush
    lawngreen lemonchiffon lightblue lightcoral lightcyan lightgoldenrodyellow lightgray
    lightgreen lightgrey lightpink lightsalmon lightseagreen lightskyblue lightslategray
    lightslategrey lightsteelblue lightyellow limegreen linen magenta mediumaquamarine
    mediumblue mediumorchid mediumpurple mediumseagreen mediumslateblue mediumspringgreen
    mediumturquoise mediumvioletred midnightblue mintcream mistyrose moccasin navajowhite
    oldlace olivedrab orangered orchid palegoldenrod palegreen paleturquoise palevioletred
    papayawhip peachpuff peru pink plum powderblue rosybrown royalblue saddlebrown salmon
    sandybrown seagreen seashell sienna skyblue slateblue slategray slategrey snow
    springgreen steelblue tan thistle tomato turquoise violet wheat whitesmoke yellowgreen
    rebeccapurple
"""
#: Every colour name Textual accepts: its table, plus the terminal's own default.
COLOUR_NAMES: frozenset[str] = frozenset(_TEXTUAL_NAMES.split()) | {"ansi_default"}

#: ``textual.color.RE_COLOR``, character for character.
COLOUR_PATTERN = re.compile(
    r"""^
\#([0-9a-fA-F]{3})$|
\#([0-9a-fA-F]{4})$|
\#([0-9a-fA-F]{6})$|
\#([0-9a-fA-F]{8})$|
rgb\(\s*(-?\d+\.?\d*\s*,\s*-?\d+\.?\d*\s*,\s*-?\d+\.?\d*)\s*\)$|
rgba\(\s*(-?\d+\.?\d*\s*,\s*-?\d+\.?\d*\s*,\s*-?\d+\.?\d*\s*,\s*-?\d+\.?\d*)\s*\)$|
hsl\(\s*(-?\d+\.?\d*\s*,\s*-?\d+\.?\d*%\s*,\s*-?\d+\.?\d*%)\s*\)$|
hsla\(\s*(-?\d+\.?\d*\s*,\s*-?\d+\.?\d*%\s*,\s*-?\d+\.?\d*%\s*,\s*-?\d+\.?\d*)\s*\)$
""",
    re.VERBOSE,
)


def is_colour(text: str) -> bool:
    """Whether ``textual.color.Color.parse(text)`` would succeed."""
    return text in COLOUR_NAMES or COLOUR_PATTERN.match(text) is not None
