"""One duration style everywhere: the two largest units, the second always written.

Issue 16 found ``2m ago`` beside ``1m51s ago`` on one screen; every duration (ETA, ages,
stall reasons, retry countdowns) goes through :func:`cfdash.timefmt.duration`.
"""

from __future__ import annotations

import pytest

from cfdash.textfmt import age, eta_text, relative
from cfdash.timefmt import duration

T0 = 1_767_225_600.0


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        (0, "0s"),
        (0.9, "0s"),
        (45, "45s"),
        (59, "59s"),
        (60, "1m00s"),
        (111, "1m51s"),
        (120, "2m00s"),
        (605, "10m05s"),
        (3599, "59m59s"),
        (3600, "1h00m"),
        (3900, "1h05m"),
        (86_399, "23h59m"),
        (86_400, "1d00h"),
        (90_000, "1d01h"),
        (40 * 86_400, "40d00h"),
        (-5, "0s"),
    ],
)
def test_two_largest_units(seconds, shown):
    assert duration(seconds) == shown


def test_ages_countdowns_and_relative_times_read_alike():
    # The two durations the issue saw side by side: both in minutes and seconds now.
    assert age(T0 - 120, T0) == "2m00s ago"
    assert age(T0 - 111, T0) == "1m51s ago"
    assert eta_text(int(T0) + 125, T0) == "2m05s"
    assert eta_text(int(T0) - 120, T0) == "overdue 2m00s"
    assert relative(T0 + 300, T0) == "in 5m00s"
    assert relative(T0 - 3600, T0) == "1h00m ago"


def test_a_countdown_keeps_its_width_within_a_unit():
    assert {len(duration(s)) for s in range(600, 3600)} == {6}
    assert {len(duration(s)) for s in range(3600, 36_000)} == {5}
