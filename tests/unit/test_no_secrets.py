"""Secrets never reach the screen, the log, error text or a crash message."""

from __future__ import annotations

import base64
import logging

import pytest
from pydantic import SecretStr

from cfdash.demo import demo_settings
from cfdash.engine.session import build_engine
from cfdash.logs import RedactingFilter, setup_logging
from cfdash.sim import Fault, FaultKind

ACCESS = "AKIA-TOPSECRET-ACCESS"
SECRET = "TOPSECRET-SECRET-KEY"
#: Each secret, and the Basic credentials as they travel (base64), must never appear.
FORBIDDEN = (
    ACCESS,
    SECRET,
    base64.b64encode(f"{ACCESS}:{SECRET}".encode()).decode(),
    base64.b64encode(ACCESS.encode()).decode(),
    base64.b64encode(SECRET.encode()).decode(),
)


def assert_clean(text: str) -> None:
    for secret in FORBIDDEN:
        assert secret not in text


def settings_with_secrets(served):
    settings = demo_settings(served.base_url)
    accounts = {
        name: account.model_copy(
            update={"access_key": SecretStr(ACCESS), "secret_key": SecretStr(SECRET)}
        )
        if name == "staging"
        else account
        for name, account in settings.accounts.items()
    }
    return settings.model_copy(update={"accounts": accounts})


@pytest.fixture
def log_file(tmp_path):
    path = setup_logging(tmp_path / "log", "DEBUG")
    yield path
    logging.getLogger("cfdash").handlers.clear()


async def test_log_and_errors_never_hold_a_secret(served, log_file):
    engine = build_engine(settings_with_secrets(served), clock=served.clock)
    try:
        events = await engine.poll_all()  # staging's keys are rejected: 401
        for kind in (FaultKind.NOT_JSON, FaultKind.HTTP_502, FaultKind.DROP_CONNECTION):
            served.sim.faults.add(Fault(kind, endpoint="status", count=1))
            events += await engine.poll_all()
        texts = [str(e.error) + repr(e.error) for e in events if e.error is not None]
        texts += [engine.health(name).summary for name in engine.accounts]
        texts += [repr(engine.link(name).client) for name in engine.accounts]
        texts.append(repr(settings_with_secrets(served)))
    finally:
        await engine.aclose()
    logged = log_file.read_text()
    assert "staging" in logged and "status=401" in logged  # the failures were logged
    for text in [*texts, logged]:
        assert_clean(text)


def test_redacting_filter_blanks_authorization_headers():
    record = logging.LogRecord(
        "cfdash",
        logging.INFO,
        __file__,
        1,
        "headers=%s",
        ({"Authorization": "Basic QUtJQTpz"},),
        None,
    )
    RedactingFilter().filter(record)
    assert "QUtJQTpz" not in record.getMessage() and "***" in record.getMessage()


async def test_screen_never_shows_a_secret(served):
    from cfdash.tui.wiring import build_app

    app = build_app(settings_with_secrets(served), clock=served.clock, poll=False, tick=False)
    async with app.run_test(size=(160, 40)) as pilot:
        await app.engine.poll_all()
        await pilot.pause()
        await pilot.press("question_mark")
        screen = app.export_screenshot()
        assert "credentials rejected" in app.main.header.build().plain
    assert_clean(screen)


async def test_a_crash_is_one_sentence_with_the_log_path(served, log_file, monkeypatch, capsys):
    from cfdash.tui.wiring import build_app

    app = build_app(settings_with_secrets(served), clock=served.clock, poll=False, tick=False)

    def explode() -> None:
        raise RuntimeError(f"boom {SECRET}")

    monkeypatch.setattr(app.main, "action_refresh", explode)
    with pytest.raises(RuntimeError):
        async with app.run_test(size=(120, 30)) as pilot:
            await pilot.press("r")
            await pilot.pause()
    shown = "".join(capsys.readouterr().err.splitlines())
    assert shown.startswith("cfdash stopped: unexpected error: RuntimeError")
    assert str(log_file) in shown
    assert_clean(shown)
    assert "Traceback" in log_file.read_text()
