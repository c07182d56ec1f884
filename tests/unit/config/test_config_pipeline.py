"""Config for the newer operator and the pipeline: bearer accounts, images, stages, retention."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError

from cfdash.config import AccountSettings, ImageEntry, JobEntry, check_config, load_settings

WriteConfig = Callable[..., Path]

TOKEN = "tok-VERY-SECRET-0042"
ENV = {"RELEASE_TOKEN": TOKEN, "PROD_ACCESS": "ak-SECRET-1", "PROD_SECRET": "sk-SECRET-2"}
SECRETS = (TOKEN, "ak-SECRET-1", "sk-SECRET-2", "inline-SECRET-3")

GOOD = """
finished_retention = 900

[accounts.release]
accountserviceid = 24680
base_url = "https://api.multiplay.dev"
auth = "bearer"
token_env = "RELEASE_TOKEN"
images = [1001, { id = 1002, label = "EU build" }]
jobs = [
  5552001,
  { id = 91, stage = "update" },
  { id = 91, stage = "diff" },
  { id = 4244, stage = "version", label = "rollout" },
  { id = 5552002, stage = "install", mirroring = true },
]
finished_retention = 120

[accounts.production]
accountserviceid = 12345
access_key_env = "PROD_ACCESS"
secret_key_env = "PROD_SECRET"
"""


def check(write_config: WriteConfig, text: str, env: dict[str, str] | None = None):
    code, out = check_config(write_config(text), ENV if env is None else env)
    for secret in SECRETS:
        assert secret not in out
    return code, out.splitlines()


def test_a_bearer_account_with_images_and_stages_passes(write_config: WriteConfig):
    code, lines = check(write_config, GOOD)
    assert code == 0 and lines[0].endswith("(2 accounts)")


def test_what_the_settings_hold(write_config: WriteConfig):
    settings = load_settings(write_config(GOOD), ENV)
    release = settings.accounts["release"]
    assert release.auth == "bearer" and release.access_key is release.secret_key is None
    assert release.token == SecretStr(TOKEN) and TOKEN not in repr(release)
    assert release.images == (ImageEntry(id=1001), ImageEntry(id=1002, label="EU build"))
    assert [(job.stage, job.id) for job in release.jobs] == [
        ("install", 5552001),
        ("update", 91),
        ("diff", 91),
        ("version", 4244),
        ("install", 5552002),
    ]
    assert (settings.finished_retention, release.finished_retention) == (900, 120)
    production = settings.accounts["production"]
    assert production.auth == "basic" and production.token is None and production.images == ()
    assert production.finished_retention == 900


def test_the_defaults_keep_existing_configs_as_they_were(write_config: WriteConfig):
    text = '[accounts.p]\naccountserviceid = 1\naccess_key = "a1"\nsecret_key = "b2"\njobs = [7]\n'
    settings = load_settings(write_config(text), {})
    account = settings.accounts["p"]
    assert (account.auth, account.token, account.images) == ("basic", None, ())
    assert account.jobs == (JobEntry(id=7),) and account.jobs[0].stage == "install"
    assert settings.finished_retention == account.finished_retention == 3600


def test_a_token_command_is_run_like_a_key_command(write_config: WriteConfig):
    text = f"""
    [accounts.r]
    accountserviceid = 1
    auth = "bearer"
    token_command = "printf {TOKEN}"
    """
    settings = load_settings(write_config(text), {})
    assert settings.accounts["r"].token == SecretStr(TOKEN)


BEARER = '[accounts.r]\naccountserviceid = 1\nauth = "bearer"\n'
BASIC = '[accounts.r]\naccountserviceid = 1\naccess_key = "a1"\nsecret_key = "b2"\n'


@pytest.mark.parametrize(
    ("text", "key", "says"),
    [
        (
            BEARER + f'token = "{TOKEN}"\naccess_key = "inline-SECRET-3"\nsecret_key_env = "X"\n',
            "accounts.r.access_key",
            'expected no access or secret key when auth = "bearer"',
        ),
        (
            '[accounts.r]\naccountserviceid = 1\ntoken_env = "RELEASE_TOKEN"\n',
            "accounts.r.auth",
            'expected "bearer" for an account that gives token_env',
        ),
        (
            BASIC + f'auth = "basic"\ntoken = "{TOKEN}"\n',
            "accounts.r.auth",
            'got "basic"',
        ),
        (
            BEARER + f'token = "{TOKEN}"\ntoken_env = "RELEASE_TOKEN"\n',
            "accounts.r.token",
            "expected exactly one of token, token_env or token_command, got token and token_env",
        ),
        (BEARER, "accounts.r.token", "got none of them"),
        (BEARER + 'token_env = "UNSET"\n', "accounts.r.token_env", "not set"),
        (BEARER + 'token = "  "\n', "accounts.r.token", "expected the token, got an empty string"),
        (BEARER + "token = 42\n", "accounts.r.token", "got a number"),
        (BASIC + 'auth = "oauth"\n', "accounts.r.auth", 'expected "basic" or "bearer"'),
    ],
)
def test_each_misfit_is_one_sentence_naming_file_and_key(write_config, text, key, says):
    code, lines = check(write_config, text)
    assert code == 2 and len(lines) == 1, lines
    assert lines[0].startswith(f"{write_config(text)}: {key}: ")
    assert says in lines[0]


@pytest.mark.parametrize(
    ("entry", "key", "says"),
    [
        ('jobs = [{ id = 1, stage = "upload" }]', "jobs[0].stage", '"install", "update", "diff"'),
        (
            'jobs = [{ id = 1, stage = "diff", mirroring = false }]',
            "jobs[0].stage",
            "only installs are mirrored",
        ),
        (
            'jobs = [{ id = 1, stage = "update" }, { id = 1, stage = "update" }]',
            "jobs",
            "each update id once, but 1 is listed twice",
        ),
        ("jobs = [1, 1]", "jobs", "each job id once, but 1 is listed twice"),
        ("images = [5, { id = 5 }]", "images", "each image id once, but 5 is listed twice"),
        ("images = [0]", "images[0].id", "an image id (a whole number greater than 0)"),
        ('images = ["x"]', "images[0]", "an image id (a whole number) or a table"),
        ('images = [{ id = 1, lable = "x" }]', "images[0].lable", 'did you mean "label"?'),
        ("finished_retention = 0", "finished_retention", "finite number of seconds"),
        ("finished_retention = inf", "finished_retention", "got inf"),
    ],
)
def test_images_stages_and_retention_mistakes(write_config, entry, key, says):
    code, lines = check(write_config, BASIC + entry + "\n")
    assert code == 2 and len(lines) == 1, lines
    assert f": accounts.r.{key}: " in lines[0] and says in lines[0]


def test_top_level_retention_must_be_finite(write_config: WriteConfig):
    code, lines = check(write_config, "finished_retention = nan\n" + BASIC)
    assert code == 2 and lines[0].endswith(
        "finished_retention: expected a finite number of seconds greater than 0, got nan"
    )


def test_an_inline_token_in_a_readable_file_is_warned_about(write_config: WriteConfig):
    path = write_config(BEARER + f'token = "{TOKEN}"\n')
    path.chmod(0o644)
    settings = load_settings(path, {})
    assert any("holds inline secrets" in warning for warning in settings.warnings)


def test_account_settings_refuse_credentials_that_do_not_fit():
    base = {"name": "a", "accountserviceid": 1, "base_url": "https://x", "refresh_interval": 5}
    key = SecretStr("k")
    with pytest.raises(ValidationError):
        AccountSettings(**base, auth="bearer", access_key=key, secret_key=key, token=key)
    with pytest.raises(ValidationError):
        AccountSettings(**base, auth="bearer")
    with pytest.raises(ValidationError):
        AccountSettings(**base, access_key=key, secret_key=key, token=key)
    assert AccountSettings(**base, auth="bearer", token=key).token == key
