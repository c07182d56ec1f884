"""Help names what the table shows: every stage letter the Job cell folds in, and a retry's
answer in the Queue column."""

from __future__ import annotations

from cfdash.tui.grid_layout import STAGE_LETTERS
from cfdash.tui.screens.help import COLUMN_HELP


def test_help_names_every_stage_letter_the_job_cell_shows():
    for stage, letter in STAGE_LETTERS.items():
        if letter:  # `v 4244` on the screen was unexplained
            assert f"{stage} ({letter})" in COLUMN_HELP["stage"]


def test_help_says_the_queue_column_also_shows_retries():
    assert "retried ✓" in COLUMN_HELP["queue"]
