"""The wall's big digits: a 5×3 font scaled to any height, and the tiles sized to fit."""

from __future__ import annotations

import pytest

from cfdash.bigdigits import FONT, MIN_HEIGHT, fit, glyph_width, render, text_width

DIGITS = "0123456789"


@pytest.mark.parametrize("height", [1, 2, 3, 5, 8, 15, 24, 40])
def test_every_row_is_as_wide_as_promised(height):
    lines = render("1234567890", height)
    assert len(lines) == height
    assert {len(line) for line in lines} == {text_width("1234567890", height)}
    assert set("".join(lines)) <= set(" ▀▄█")


@pytest.mark.parametrize("height", range(MIN_HEIGHT, 41))
def test_every_digit_differs_from_every_other_at_every_legible_height(height):
    drawn = {digit: tuple(render(digit, height)) for digit in DIGITS}
    assert len(set(drawn.values())) == len(DIGITS)


def test_three_rows_draw_the_font_with_half_blocks():
    assert render("8", 3) == ["█▀█", "█▀█", "█▄█"]
    assert render("0", 3) == ["█▀█", "█ █", "█▄█"]
    assert render("1", 3) == ["  █", "  █", "  █"]


def test_a_tall_digit_keeps_thin_strokes_and_open_counters():
    """At 15 rows an "8" is a frame with a bar, not a heap of blocks: the strokes are a third of
    the width at most, and the spaces inside are wider and taller than the strokes."""
    lines = render("8", 15)
    width = glyph_width(15)
    stem = len(lines[5]) - len(lines[5].lstrip("█"))  # the left stroke, in a row between bars
    assert 1 <= stem <= width // 3
    assert lines[5][stem : width - stem].strip() == ""  # open in the middle
    assert lines[0] == "█" * width  # the top bar spans the glyph
    blank_rows = [row for row in lines if row[stem : width - stem].strip() == ""]
    assert len(blank_rows) >= 2 * stem // 2 + 2  # the counters are taller than a stroke is wide


def test_digits_grow_with_the_height_asked_for():
    widths = [glyph_width(height) for height in range(MIN_HEIGHT, 40)]
    assert widths == sorted(widths) and widths[-1] > widths[0]


def test_bad_input_is_refused_in_one_sentence():
    with pytest.raises(ValueError, match="no glyph for 'x'"):
        render("1x", 5)
    with pytest.raises(ValueError, match="at least 1"):
        render("1", 0)
    assert render("", 5) == [""] * 5
    assert set(FONT) >= set(DIGITS + "- ")


def test_a_wall_of_250_by_60_gets_digits_a_quarter_of_its_height():
    # The tiles' share of 60 rows, less the title, the account lines and the footer.
    for digits in (1, 2, 3, 4):
        layout = fit(7, digits, 10, 250, 50)
        assert layout.height >= 15, (digits, layout)
        assert layout.total_height <= 50
        assert layout.columns * layout.tile_width <= 250
        assert text_width("8" * digits, layout.height) <= layout.tile_width - 2


def test_more_tiles_or_wider_numbers_choose_more_rows_of_tiles():
    one_digit = fit(7, 1, 10, 250, 50)
    four_digits = fit(7, 4, 10, 250, 50)
    assert one_digit.rows == 1 and one_digit.columns == 7
    assert four_digits.rows > 1


def test_80_by_24_still_draws_big_digits_within_the_width():
    layout = fit(7, 2, 10, 80, 14)
    assert layout.height >= MIN_HEIGHT
    assert layout.columns * layout.tile_width <= 80 and layout.tile_width - 1 >= 10


def test_no_room_falls_back_to_plain_numbers():
    layout = fit(7, 2, 10, 80, 3)
    assert layout.height == 0
    assert layout.columns * (10 + 2) <= 80
    assert layout.rows * layout.columns >= 7
