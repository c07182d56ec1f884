"""How readable a theme is: the WCAG contrast of each kind of text against what it is drawn on.

The pairs are the ones the dashboard actually paints, resolved the way Textual resolves them
(the theme's colour system, then its own variables; ``auto 87%`` and ``#rrggbb 30%`` blended
over the background beneath):

- the job table (:mod:`cfdash.tui.widgets.job_grid`): ``$foreground`` on ``$surface`` and on
  the zebra rows' ``$surface-lighten-1``, its header row on ``$panel``, each state colour
  (:func:`cfdash.tui.themes.phase_styles`) on both row colours, the mark in ``$accent``, and
  the cursor row: ``$block-cursor-foreground`` on ``$block-cursor-background`` while the table
  has focus, the ``-blurred-`` pair while it has not;
- the header (:mod:`cfdash.tui.widgets.status_header`): text on ``$panel``, the badges
  (reversed, so ``$panel`` on ``$primary`` / ``$warning``) and the failed, stalled and ok words;
- the footer: keys and descriptions on ``$footer-background``;
- dim or muted text — dim cells, ``$text-muted``, ``$foreground-muted``, an input's
  placeholder (``$text-disabled``) — which the decisions allow at 3:1.  ``dim`` is measured as
  Textual draws it when it draws dim itself: the colour 66% of the way from the background.

A reversed state style (ops-wall's failed, drawn as a block) swaps the two colours, which
leaves the ratio the same, so it needs no case of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.color import Color

from cfdash.config.colours import contrast_ratio
from cfdash.config.themefile import STATES

if TYPE_CHECKING:
    from textual.theme import Theme

__all__ = ["DIM_FACTOR", "MUTED_MINIMUM", "TEXT_MINIMUM", "Contrast", "theme_contrast"]

#: WCAG 2 AA for normal text: all text, and the cursor row.
TEXT_MINIMUM = 4.5
#: Dim or muted text (hints, placeholders, quiet cells) — decisions.md "Contrast".
MUTED_MINIMUM = 3.0
#: How far dim text is from the background, as Textual's own dim filter draws it.
DIM_FACTOR = 0.66


@dataclass(frozen=True)
class Contrast:
    """One kind of text on one background, and the ratio it must reach."""

    element: str
    foreground: Color
    background: Color
    minimum: float

    @property
    def ratio(self) -> float:
        return contrast_ratio(self.foreground.rgb, self.background.rgb)

    @property
    def ok(self) -> bool:
        return self.ratio >= self.minimum


def theme_variables(theme: Theme) -> dict[str, str]:
    """The variables CSS sees for ``theme``, as ``App.get_css_variables`` builds them."""
    return {**theme.to_color_system().generate(), **theme.variables}


def paint(value: str, beneath: Color) -> Color:
    """The colour a CSS value comes out as when drawn over ``beneath``."""
    colour, _, alpha = value.strip().partition(" ")
    if colour == "transparent":
        return beneath
    solid = beneath.get_contrast_text(1.0) if colour == "auto" else Color.parse(colour)
    if alpha.strip():
        solid = solid.multiply_alpha(float(alpha.strip().rstrip("%")) / 100)
    return beneath + solid


def dimmed(colour: Color, background: Color) -> Color:
    """``colour`` drawn dim over ``background``."""
    return background.blend(colour, DIM_FACTOR)


def theme_contrast(theme: Theme) -> list[Contrast]:
    """Every pair the dashboard paints in ``theme``, with its minimum ratio."""
    from cfdash.tui.themes import phase_styles

    variables = theme_variables(theme)

    def var(name: str, beneath: Color) -> Color:
        return paint(variables[name], beneath)

    background = var("background", Color(0, 0, 0))
    surface = var("surface", background)
    zebra = var("surface-lighten-1", background)
    panel = var("panel", background)
    checks: list[Contrast] = []

    def check(element: str, fg: Color, bg: Color, minimum: float = TEXT_MINIMUM) -> None:
        checks.append(Contrast(element, fg, bg, minimum))

    check("table text", var("foreground", surface), surface)
    check("table text, zebra row", var("foreground", zebra), zebra)
    check("table header", var("foreground", panel), panel)
    styles = phase_styles(variables)
    for state in STATES:
        words = [word for word in styles[state].split() if word.startswith("#")]
        colour = words[0] if words else variables["foreground"]
        check(f"state {state}", paint(colour, surface), surface)
        check(f"state {state}, zebra row", paint(colour, zebra), zebra)
    check("mark", var("accent", surface), surface)
    cursor = var("block-cursor-background", surface)
    check("cursor row", var("block-cursor-foreground", cursor), cursor)
    blurred = var("block-cursor-blurred-background", surface)
    check("cursor row, table not focused", var("block-cursor-blurred-foreground", blurred), blurred)
    check("header text", var("foreground", panel), panel)
    check("header badge", panel, var("primary", panel))
    check("header warning badge", panel, var("warning", panel))
    check("header failed", var("error", panel), panel)
    check("header stalled", var("warning", panel), panel)
    check("header ok", var("success", panel), panel)
    footer = var("footer-background", background)
    key_background = var("footer-key-background", footer)
    check("footer key", var("footer-key-foreground", key_background), key_background)
    description_background = var("footer-description-background", footer)
    check(
        "footer description",
        var("footer-description-foreground", description_background),
        description_background,
    )
    check("dim text", dimmed(var("foreground", surface), surface), surface, MUTED_MINIMUM)
    check("muted text", var("text-muted", surface), surface, MUTED_MINIMUM)
    check("muted foreground", var("foreground-muted", surface), surface, MUTED_MINIMUM)
    check("placeholder", var("text-disabled", surface), surface, MUTED_MINIMUM)
    return checks
