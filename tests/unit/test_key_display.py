"""How keys and paths are written for people: one notation for keys, paths never broken
inside a name."""

from __future__ import annotations

import pytest

from cfdash.keynames import key_display
from cfdash.keys import BINDINGS, normalize_keys
from cfdash.textfmt import path_lines


@pytest.mark.parametrize(
    ("key", "shown"),
    [
        ("ctrl+a", "ctrl+a"),
        ("ctrl+p", "ctrl+p"),
        ("ctrl+shift+up", "ctrl+shift+↑"),
        ("question_mark", "?"),
        ("slash", "/"),
        ("full_stop", "."),
        ("euro_sign", "€"),
        ("escape", "esc"),
        ("enter", "enter"),
        ("space", "space"),
        ("pageup", "pgup"),
        ("f5", "f5"),
        ("R", "R"),
        ("q", "q"),
        ("not_a_name_at_all", "not_a_name_at_all"),
    ],
)
def test_key_display(key, shown):
    assert key_display(key) == shown


def test_every_default_key_is_written_without_a_caret():
    for binding in BINDINGS:
        for key in normalize_keys(binding.keys):
            assert "^" not in key_display(key), binding.id


def test_a_path_breaks_only_after_a_separator_and_never_in_its_name():
    path = "/root/.local/share/cfdash/exports/cfdash-20261128-130912.csv"
    assert path_lines(path, 40) == [
        "/root/.local/share/cfdash/exports/",
        "cfdash-20261128-130912.csv",
    ]
    assert path_lines(path, 20) == [
        "/root/.local/share/",
        "cfdash/exports/",
        "cfdash-20261128-130912.csv",  # wider than 20, and still whole
    ]
    assert "".join(path_lines(path, 5)) == path
    assert path_lines("view.csv", 40) == ["view.csv"]
    assert path_lines(r"C:\Users\me\view.csv", 10) == ["C:\\Users\\", "me\\", "view.csv"]
