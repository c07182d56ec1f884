"""The scrubber's shortcut: a job that moved keeps its last verdict only while its text and
the secrets stay the same."""

from __future__ import annotations

import pytest

from cfdash.api.models import StatusItem
from cfdash.engine.scrub import ItemScrubber
from cfdash.redact import REDACTOR, forget_secrets

SECRET = "s3cr3t-value-for-scrub-tests"


@pytest.fixture(autouse=True)
def _no_secrets_left():
    forget_secrets()
    yield
    forget_secrets()


def item(progress: int, error: str | None = None, **extra: object) -> StatusItem:
    return StatusItem.model_validate(
        {"jobid": 7, "jobprogress": progress, "jobstateid": 4, "joberror": error, **extra}
    )


def test_a_job_whose_text_did_not_change_is_not_copied():
    scrub = ItemScrubber()
    scrub([item(10, "slow mirror")])
    moved = item(11, "slow mirror")
    assert scrub([moved])[0] is moved


def test_text_that_turns_secret_while_the_job_moves_is_blanked():
    REDACTOR.register(SECRET)
    scrub = ItemScrubber()
    scrub([item(10, "slow mirror")])
    out = scrub([item(11, f"echo {SECRET}")])[0]
    assert out.joberror == "echo ***" and out.progress == 11


def test_an_extra_field_that_turns_secret_is_blanked():
    REDACTOR.register(SECRET)
    scrub = ItemScrubber()
    scrub([item(10, None, note="fine")])
    out = scrub([item(11, None, note=f"key {SECRET}")])[0]
    assert out.__pydantic_extra__["note"] == "key ***"


def test_a_secret_registered_later_is_found_in_text_seen_clean_before():
    scrub = ItemScrubber()
    scrub([item(10, f"echo {SECRET}")])  # not a secret yet: clean
    REDACTOR.register(SECRET)
    out = scrub([item(11, f"echo {SECRET}")])[0]
    assert out.joberror == "echo ***"


def test_an_item_handed_back_with_its_secret_keeps_its_one_blanked_copy():
    REDACTOR.register(SECRET)
    scrub = ItemScrubber()
    held = item(10, f"echo {SECRET}")
    first = scrub([held, item(5, "fine")])[0]
    again = scrub([held])[0]
    assert first.joberror == "echo ***" and again is first
