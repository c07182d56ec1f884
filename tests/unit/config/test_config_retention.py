"""``finished_retention``: a top-level number of seconds that an account may override."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from cfdash.config import find_problems, load_settings

ENV = {"PROD_ACCESS": "access-value-123", "PROD_SECRET": "secret-value-456"}
ACCOUNTS = """
[accounts.production]
accountserviceid = 1
access_key_env = "PROD_ACCESS"
secret_key_env = "PROD_SECRET"
{production}

[accounts.staging]
accountserviceid = 2
access_key_env = "PROD_ACCESS"
secret_key_env = "PROD_SECRET"
"""


def test_an_hour_by_default(write_config: Callable[..., Path]) -> None:
    settings = load_settings(write_config(ACCOUNTS.format(production="")), ENV)
    assert settings.finished_retention == 3600
    assert {a.finished_retention for a in settings.accounts.values()} == {3600}


def test_top_level_value_with_an_account_override(write_config: Callable[..., Path]) -> None:
    text = "finished_retention = 600\n" + ACCOUNTS.format(production="finished_retention = 90.5")
    settings = load_settings(write_config(text), ENV)
    assert settings.finished_retention == 600
    assert settings.accounts["production"].finished_retention == 90.5
    assert settings.accounts["staging"].finished_retention == 600


@pytest.mark.parametrize("value", ["0", "-5", "inf", "nan", '"1h"'])
def test_a_bad_value_is_one_clear_problem(write_config: Callable[..., Path], value: str) -> None:
    path = write_config(ACCOUNTS.format(production=f"finished_retention = {value}"))
    problems = [str(problem) for problem in find_problems(path, ENV)]
    assert len(problems) == 1, problems
    assert "accounts.production.finished_retention" in problems[0]
    assert "number of seconds greater than 0" in problems[0]
