"""The binding table and keymap checks: pure functions, and ``cfdash config check`` on them."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from cfdash.config import check_config
from cfdash.keys import (
    BINDINGS,
    NAVIGATION,
    TABLE_KEYS,
    in_scope,
    keymap_issues,
    keys_in_force,
    normalize_key,
    normalize_keys,
    usable_keymap,
)


def test_ids_are_unique_and_the_defaults_never_clash():
    ids = [binding.id for binding in BINDINGS]
    assert len(ids) == len(set(ids)) and all(ids)
    assert keymap_issues({}) == []


def test_every_binding_says_what_it_does():
    for binding in BINDINGS + NAVIGATION:
        assert binding.action and binding.description and normalize_keys(binding.keys)
    # A dialog's ids are namespaced by it, so "escape" can mean one thing per dialog.
    for binding in BINDINGS:
        if binding.scope not in ("app", "main"):
            assert binding.id.startswith(f"{binding.scope}.")


def test_a_scope_is_its_rows_in_table_order():
    assert [b.id for b in in_scope("confirm")] == ["confirm.yes", "confirm.no"]
    assert [b.id for b in in_scope("main")][:3] == ["queue", "add", "remove"]
    assert all(b.scope == "table" and not b.id for b in in_scope("table"))


def test_the_tables_own_keys_come_from_its_bindings():
    moving = {key for b in NAVIGATION if b.action != "choose" for key in normalize_keys(b.keys)}
    assert moving == TABLE_KEYS >= {"up", "down", "j", "k"}


@pytest.mark.parametrize(
    ("key", "expected"),
    [("q", "q"), ("Q", "Q"), ("?", "question_mark"), ("/", "slash"), ("space", "space"),
     ("ctrl+r", "ctrl+r"), ("-", "minus"), ("@", "at"), ("question_mark", "question_mark")],
)  # fmt: skip
def test_keys_are_written_as_textual_writes_them(key, expected):
    assert normalize_key(key) == expected


def test_a_key_list_is_split_and_normalised():
    assert normalize_keys("escape, ?,q") == ("escape", "question_mark", "q")
    assert keys_in_force({"queue": "x,?"})["queue"] == ("x", "question_mark")
    assert keys_in_force({})["refresh"] == ("r",)


def test_an_unknown_id_is_reported_with_a_suggestion():
    [issue] = keymap_issues({"qeue": "x"})
    assert issue.id == "qeue"
    assert issue.got == 'an unknown id (did you mean "queue"?)'
    [issue] = keymap_issues({"launch_rockets": "x"})
    assert "binding ids: quit, help, queue" in issue.got


def test_a_remap_onto_another_bindings_key_clashes():
    [issue] = keymap_issues({"queue": "r"})
    assert issue.id == "queue"
    assert issue.got == '"r", which "refresh" already uses'
    assert usable_keymap({"queue": "r", "pause": "P"}) == {"pause": "P"}


def test_an_app_wide_key_clashes_with_the_dashboards():
    [issue] = keymap_issues({"add": "ctrl+q"})
    assert issue.got == '"ctrl+q", which "quit" already uses'
    [issue] = keymap_issues({"help": "t"})  # "?" moved onto the theme key
    assert issue.id == "help" and '"theme"' in issue.got


def test_two_remaps_onto_one_key_both_clash():
    issues = keymap_issues({"queue": "x", "add": "x"})
    assert [issue.id for issue in issues] == ["queue", "add"]
    assert usable_keymap({"queue": "x", "add": "x"}) == {}


def test_a_swap_is_no_clash():
    assert keymap_issues({"queue": "r", "refresh": "q"}) == []
    assert usable_keymap({"queue": "r", "refresh": "q"}) == {"queue": "r", "refresh": "q"}


def test_a_key_the_table_uses_is_refused():
    [issue] = keymap_issues({"queue": "down"})
    assert issue.got == '"down", which the table (moving the cursor) already uses'


def test_keys_in_a_dialog_do_not_clash_with_the_dashboards():
    # "q" closes the help and queues on the dashboard: different screens, no clash.
    assert keymap_issues({"help.close": "escape,q"}) == []


def test_dropping_a_remap_that_brings_back_a_clash_drops_that_too():
    # refresh -> q clashes only once queue's bad remap is dropped and queue is back on q.
    keymap = {"queue": "down", "refresh": "q"}
    assert usable_keymap(keymap) == {}


def test_keys_module_does_not_import_textual():
    code = "import sys, cfdash.keys; print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# -- config check ------------------------------------------------------------------------------

ACCOUNT = """
[accounts.production]
accountserviceid = 1
access_key = "a"
secret_key = "b"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(textwrap.dedent(text) + ACCOUNT, encoding="utf-8")
    path.chmod(0o600)
    return path


def test_config_check_reports_keymap_problems_with_file_key_and_expected(tmp_path):
    path = write(tmp_path, '[keymap]\nqueue = "r"\nqeue = "x"\n')
    code, text = check_config(path)
    assert code == 2
    lines = text.splitlines()
    assert lines == [
        f'{path}: keymap.queue: expected a key nothing else on the dashboard uses, got "r", '
        'which "refresh" already uses',
        f"{path}: keymap.qeue: expected the id of a binding, got an unknown id (did you mean "
        '"queue"?)',
    ]


def test_config_check_reports_the_keymap_with_other_mistakes(tmp_path):
    path = write(tmp_path, 'refresh_interval = "fast"\n[keymap]\nqeue = "x"\n')
    code, text = check_config(path)
    assert code == 2
    assert "refresh_interval" in text and "keymap.qeue" in text


def test_config_check_accepts_a_good_keymap(tmp_path):
    path = write(tmp_path, '[keymap]\nqueue = "z"\nrefresh = "ctrl+r"\n')
    assert check_config(path)[0] == 0


def test_config_check_names_an_unknown_theme(tmp_path):
    path = write(tmp_path, 'theme = "ops-wal"\n')
    code, text = check_config(path, themes=["cfdash-dark", "ops-wall"])
    assert code == 2
    assert text == (f'{path}: theme: expected a theme name (cfdash-dark, ops-wall), got "ops-wal"')
    assert check_config(path)[0] == 0  # without the list of themes it is not judged


def test_config_check_judges_keymap_and_theme_without_textual(tmp_path):
    path = write(tmp_path, 'theme = "ops-wal"\n[keymap]\nqueue = "r"\n')
    code = (
        "import sys; from cfdash.cli import main; "
        f"status = main(['config', 'check', '--config', {str(path)!r}]); "
        "print(status, 'textual' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["2", "False"]
    assert "theme: expected a theme name (cfdash-dark, cfdash-light, ops-wall, mono" in out.stderr
    assert "keymap.queue" in out.stderr
