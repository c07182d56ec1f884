"""Big digits for the ops wall: a 5×3 font scaled to any size, in block characters.

Textual's ``Digits`` widget is always three rows high, which is a footnote on a wall monitor
across the room.  Here a count is drawn as tall as the space allows: :func:`render` scales
each glyph of a 5-row, 3-column font (seven-segment shapes) to ``height`` rows.  Scaling is
not uniform: the font's bars and strokes keep about the thickness of a third of the glyph's
width while the spaces between them take the rest, as on a seven-segment display, so a tall
digit stays a digit rather than a heap of blocks.  Half blocks (``▀ ▄``) give two pixels per
row, which keeps the bars even at small heights.

:func:`fit` chooses the size: given how many tiles there are, how wide their numbers and
labels are and the room they have, it picks the number of tile rows that makes the digits
tallest.  Both are pure functions of their arguments (no Textual), so the wall's geometry is
tested without a screen.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["FONT", "MIN_HEIGHT", "TileLayout", "fit", "glyph_width", "render", "text_width"]

#: Each glyph: five rows of three pixels, ``#`` on.
FONT: dict[str, tuple[str, str, str, str, str]] = {
    "0": ("###", "# #", "# #", "# #", "###"),
    "1": ("  #", "  #", "  #", "  #", "  #"),
    "2": ("###", "  #", "###", "#  ", "###"),
    "3": ("###", "  #", " ##", "  #", "###"),
    "4": ("# #", "# #", "###", "  #", "  #"),
    "5": ("###", "#  ", "###", "  #", "###"),
    "6": ("###", "#  ", "###", "# #", "###"),
    "7": ("###", "  #", "  #", "  #", "  #"),
    "8": ("###", "# #", "###", "# #", "###"),
    "9": ("###", "# #", "###", "  #", "###"),
    "-": ("   ", "   ", "###", "   ", "   "),
    " ": ("   ", "   ", "   ", "   ", "   "),
}

#: A stroke's thickness, as a share of the glyph's width (a pixel row, half a cell, is about
#: as tall as a cell is wide, so bars and stems of as many pixels look equally heavy).
_STROKE = 0.3

#: Below this many rows a glyph is no longer legible: callers write the number plainly.
MIN_HEIGHT = 3
#: Narrower than this, a glyph loses its middle column (``0`` would fill in).
_MIN_WIDTH = 3
#: A glyph's width per row of height.  A cell is about twice as tall as it is wide, so 0.8
#: draws a digit about 2.5 times as tall as wide: a seven-segment display's shape, narrow
#: enough for three digits side by side in a tile on a 250-column wall.
_WIDTH_PER_ROW = 0.8

_HALVES = {(False, False): " ", (True, False): "▀", (False, True): "▄", (True, True): "█"}


def glyph_width(height: int) -> int:
    """The width a glyph of ``height`` rows is drawn at."""
    return max(_MIN_WIDTH, round(height * _WIDTH_PER_ROW))


def _gap(height: int) -> int:
    """Space between two glyphs: wider as they grow, so they don't run together."""
    return max(1, glyph_width(height) // 4)


def text_width(text: str, height: int) -> int:
    """How many columns :func:`render` needs for ``text`` at ``height`` rows."""
    if not text:
        return 0
    return len(text) * glyph_width(height) + (len(text) - 1) * _gap(height)


def _spans(size: int, stroke: int, strokes: int) -> list[int]:
    """Which font row (or column) each of ``size`` pixels shows: ``strokes`` strokes of
    ``stroke`` pixels with the spaces between them sharing the rest (the later ones first)."""
    gaps = strokes - 1
    space = size - strokes * stroke
    widths = []
    for index in range(strokes + gaps):
        if index % 2 == 0:
            widths.append(stroke)
        else:
            gap = index // 2
            widths.append(space // gaps + (1 if gap >= gaps - space % gaps else 0))
    return [index for index, width in enumerate(widths) for _ in range(width)]


def _strokes(height: int, width: int) -> tuple[list[int], list[int]]:
    """The font row of each pixel row, and the font column of each column."""
    stem = max(1, min(round(width * _STROKE), (width - 1) // 2))
    bar = max(1, min(stem, (2 * height - 2) // 3))
    return _spans(2 * height, bar, 3), _spans(width, stem, 2)


def render(text: str, height: int) -> list[str]:
    """``text`` (digits, ``+``, ``-``, spaces) drawn ``height`` rows high, one string a row.

    Every row has the same length, :func:`text_width`.  Raises ``ValueError`` for a height
    below 1 or a character the font lacks.
    """
    if height < 1:
        raise ValueError(f"height must be at least 1, got {height}")
    missing = sorted(set(text) - FONT.keys())
    if missing:
        raise ValueError(f"no glyph for {missing[0]!r}")
    width, gap = glyph_width(height), _gap(height)
    pixel_rows, columns = _strokes(height, width)
    lines = []
    for row in range(height):
        top, bottom = pixel_rows[2 * row], pixel_rows[2 * row + 1]
        pieces = []
        for char in text:
            glyph = FONT[char]
            pieces.append(
                "".join(
                    _HALVES[glyph[top][column] == "#", glyph[bottom][column] == "#"]
                    for column in columns
                )
            )
        lines.append((" " * gap).join(pieces))
    return lines


@dataclass(frozen=True, slots=True)
class TileLayout:
    """Tiles in ``rows`` rows of ``columns``, each ``tile_width`` wide, digits ``height`` high.

    ``height`` 0: no room for big digits; the numbers are written plainly.
    """

    columns: int
    rows: int
    tile_width: int
    height: int

    @property
    def tile_height(self) -> int:
        """Rows one tile takes: its label, its digits, and a blank row under them."""
        return 1 + max(1, self.height) + 1

    @property
    def total_height(self) -> int:
        return self.rows * self.tile_height


def fit(
    tiles: int, digits: int, label_width: int, width: int, height: int, *, cap: int = 40
) -> TileLayout:
    """The arrangement of ``tiles`` that draws their numbers tallest in ``width`` × ``height``.

    ``digits`` is the widest number's length; ``label_width`` the widest label.  Every tile
    is the same size, so equal counts look equal.  ``cap`` bounds the digits' height (a count
    twice the size of the screen's text helps nobody).  When even :data:`MIN_HEIGHT` does not
    fit, the layout has ``height`` 0 and one row of tiles (as many columns as fit).
    """
    tiles = max(1, tiles)
    best: TileLayout | None = None
    for rows in range(1, tiles + 1):
        columns = -(-tiles // rows)
        if rows > 1 and -(-tiles // (rows - 1)) == columns:
            continue  # the same columns as one row fewer: only taller bands, never wider
        tile_width = width // columns
        room = tile_width - 2  # a column of space either side of the number
        if room < label_width:
            continue
        rows_each = height // rows - 2  # less the label and the blank row
        size = min(cap, rows_each)
        while size >= MIN_HEIGHT and text_width("8" * digits, size) > room:
            size -= 1
        if size >= MIN_HEIGHT and (best is None or size > best.height):
            best = TileLayout(columns, rows, tile_width, size)
    if best is not None:
        return best
    columns = max(1, min(tiles, width // max(1, label_width + 2)))
    return TileLayout(columns, -(-tiles // columns), width // columns, 0)
