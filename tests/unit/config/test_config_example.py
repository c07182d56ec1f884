"""config.example.toml is documentation that must keep working."""

from __future__ import annotations

from pathlib import Path

from cfdash.config import JobEntry, find_problems, load_settings

EXAMPLE = Path(__file__).resolve().parents[3] / "config.example.toml"
ENV = {
    "CFDASH_PRODUCTION_ACCESS_KEY": "prod-access",
    "CFDASH_PRODUCTION_SECRET_KEY": "prod-secret",
    "CFDASH_STAGING_ACCESS_KEY": "staging-access",
    "CFDASH_STAGING_SECRET_KEY": "staging-secret",
    "CFDASH_RELEASE_TOKEN": "release-token",
}


def test_example_has_no_problems() -> None:
    assert find_problems(EXAMPLE, ENV) == []


def test_example_loads_as_documented() -> None:
    settings = load_settings(EXAMPLE, ENV)
    assert set(settings.accounts) == {"production", "staging", "release"}
    production = settings.accounts["production"]
    assert production.refresh_interval == 3
    assert production.jobs == (
        JobEntry(id=5551001),
        JobEntry(id=5551002, mirroring=True, label="EU mirror"),
    )
    assert production.access_key.get_secret_value() == "prod-access"
    assert settings.keymap["queue"] == "q"
    assert settings.finished_retention == 3600
    release = settings.accounts["release"]
    assert release.auth == "bearer" and release.access_key is None
    assert release.token is not None and release.token.get_secret_value() == "release-token"
    assert [(image.id, image.label) for image in release.images] == [
        (1001, None),
        (1002, "EU build"),
    ]
    assert [(job.stage, job.id) for job in release.jobs] == [
        ("install", 5552001),
        ("update", 91),
        ("diff", 218595),
        ("version", 4244),
    ]
    assert release.finished_retention == 600
    assert production.finished_retention == 3600


def test_example_documents_every_key() -> None:
    from cfdash.config.schema import AccountConfig, ConfigFile, ImageEntry, JobEntry

    text = EXAMPLE.read_text(encoding="utf-8")
    keys = set(ConfigFile.model_fields) | set(AccountConfig.model_fields)
    keys |= set(JobEntry.model_fields) | set(ImageEntry.model_fields)
    missing = sorted(key for key in keys if key not in text)
    assert missing == []
