"""base_url: http(s) only, and plain http only for loopback unless the account allows it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from cfdash.config import find_problems, load_settings

WriteConfig = Callable[..., Path]
ACCOUNT = """
[accounts.production]
accountserviceid = 12345
access_key_env = "PROD_ACCESS"
secret_key_env = "PROD_SECRET"
"""
GOOD_ENV = {"PROD_ACCESS": "access-value-123", "PROD_SECRET": "secret-value-456"}


def only_message(path: Path) -> str:
    found = [str(problem) for problem in find_problems(path, GOOD_ENV)]
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8642", "http://127.1.2.3", "http://[::1]:8642/", "http://localhost:80"],
)
def test_plain_http_is_fine_for_loopback(write_config: WriteConfig, url: str) -> None:
    path = write_config(ACCOUNT + f'base_url = "{url}"\n')
    assert load_settings(path, GOOD_ENV).accounts["production"].base_url == url.rstrip("/")


def test_plain_http_elsewhere_is_refused(write_config: WriteConfig) -> None:
    path = write_config(ACCOUNT + 'base_url = "http://api.example.com"\n')
    assert only_message(path) == (
        f"{path}: accounts.production.base_url: expected an https:// URL (plain http:// is only "
        "accepted for 127.0.0.1, ::1 or localhost, unless the account sets "
        'allow_insecure_http = true), got "http://api.example.com"'
    )


def test_plain_http_allowed_when_the_account_says_so(write_config: WriteConfig) -> None:
    path = write_config(ACCOUNT + 'base_url = "http://10.0.0.5:8080"\nallow_insecure_http = true\n')
    account = load_settings(path, GOOD_ENV).accounts["production"]
    assert account.allow_insecure_http is True
    assert account.base_url == "http://10.0.0.5:8080"


@pytest.mark.parametrize("url", ["ftp://example.com", "example.com", "https://", "https://h:x/"])
def test_base_url_must_be_http_or_https(write_config: WriteConfig, url: str) -> None:
    path = write_config(ACCOUNT + f'base_url = "{url}"\n')
    assert "accounts.production.base_url: expected an http:// or https:// URL" in only_message(path)


def test_credentials_in_a_url_are_not_repeated(write_config: WriteConfig) -> None:
    path = write_config(ACCOUNT + 'base_url = "http://user:hunter2@api.example.com"\n')
    message = only_message(path)
    assert "hunter2" not in message
    assert 'got "http://…@api.example.com"' in message


def test_bad_allow_insecure_http_is_reported_once(write_config: WriteConfig) -> None:
    path = write_config(ACCOUNT + 'base_url = "http://h.example"\nallow_insecure_http = "yes"\n')
    assert [p.key for p in find_problems(path, GOOD_ENV)] == [
        "accounts.production.allow_insecure_http"
    ]
