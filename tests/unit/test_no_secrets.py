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


# -- side doors (issue 17): the service echoes the credentials back ---------------------------

ECHO_ACCESS = "ak-prod-4f1c2e"
ECHO_SECRET = "sk-9e8d7c6b5a4f3e2d1"
ECHO_BASIC = base64.b64encode(f"{ECHO_ACCESS}:{ECHO_SECRET}".encode()).decode()
assert ECHO_BASIC.endswith("=")  # the padded form differs from the unpadded one
#: Every form the echoed credentials may take; no text leaving cfdash may hold any of them.
ECHO_FORMS = (
    ECHO_ACCESS,
    ECHO_SECRET,
    ECHO_BASIC,
    ECHO_BASIC.rstrip("="),
    ECHO_BASIC[:8],  # an excerpt cut short must not leave the start of the pair either
)


def assert_no_echo(text: str) -> None:
    for form in ECHO_FORMS:
        assert form not in text, f"{form!r} leaked in: {text[:500]!r}"


def _sent_credentials(request) -> str:
    return request.headers.get("Authorization", "").removeprefix("Basic ")


def _job(**fields):
    base = {"jobid": 7001, "jobstateid": 4, "jobprogress": 50, "mirroring": True}
    return {**base, **fields}


#: What the fake service answers to the status call, by case.
ECHOES = {
    # The header: an error envelope under HTTP 200 quoting the Basic credentials.
    "envelope": lambda creds: (
        200,
        {"success": False, "error_message": f"rejected credentials {creds}"},
    ),
    "envelope-unpadded": lambda creds: (
        200,
        {"success": False, "error_message": f"rejected credentials {creds.rstrip('=')}"},
    ),
    # A long message: the 120-character excerpt cuts the pair in the middle.
    "envelope-cut": lambda creds: (
        200,
        {"success": False, "error_message": "x" * 100 + " rejected " + creds},
    ),
    "forbidden": lambda creds: (401, {"error": True, "error_message": f"Forbidden: Basic {creds}"}),
    "html-500": lambda creds: (500, f"<pre>Authorization: Basic {creds}</pre>"),
    "not-json": lambda creds: (200, f"<html>debug: auth={creds}</html>"),
    # A job whose error quotes the account's own secret, raw and encoded.
    "joberror": lambda creds: (
        200,
        {
            "installs": [
                _job(
                    jobstateid=6,
                    joberror=f"mount failed: key {ECHO_SECRET} / header {creds}",
                    machine=f"gs-{ECHO_ACCESS}",
                    extra_note=[f"Basic {creds}"],
                )
            ]
        },
    ),
}


@pytest.fixture
async def echo_server():
    """A fake Clanforge over real HTTP whose answers quote the Authorization it was sent."""
    import json

    from aiohttp import web

    mode = {"name": "envelope"}

    async def status(request):
        code, body = ECHOES[mode["name"]](_sent_credentials(request))
        if isinstance(body, str):
            return web.Response(status=code, text=body, content_type="text/html")
        return web.Response(status=code, text=json.dumps(body), content_type="application/json")

    app = web.Application()
    app.router.add_get("/cfp/v1/imageinstall/status", status)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}", mode
    finally:
        await runner.cleanup()


def echo_settings(base_url: str):
    from cfdash.config.schema import AccountSettings, Settings

    account = AccountSettings(
        name="prod",
        accountserviceid=77,
        base_url=base_url,
        access_key=SecretStr(ECHO_ACCESS),
        secret_key=SecretStr(ECHO_SECRET),
        refresh_interval=5.0,
        track_all=True,
        connect_timeout=2.0,
        read_timeout=2.0,
    )
    return Settings(path=None, accounts={"prod": account})


@pytest.fixture(autouse=True)
def fresh_registry():
    """Each test proves the code registers the keys itself, not that a test before it did."""
    from cfdash.redact import forget_secrets

    forget_secrets()
    yield
    forget_secrets()


@pytest.mark.parametrize("case", sorted(ECHOES))
async def test_echoed_credentials_reach_neither_status_json_nor_the_log(
    echo_server, log_file, case
):
    import io
    import json

    from cfdash.headless.status import run_status

    base_url, mode = echo_server
    mode["name"] = case
    out, err = io.StringIO(), io.StringIO()
    code = await run_status(echo_settings(base_url), as_json=True, out=out, err=err)
    shown = out.getvalue() + err.getvalue()
    data = json.loads(out.getvalue())
    if case == "joberror":
        assert code == 0
        (job,) = data["jobs"]
        assert job["error"].startswith("mount failed: key *** / header ***")
        assert job["fields"]["extra_note"] == ["Basic ***"]
    else:
        assert code == 3 and data["accounts"]["prod"]["error"]  # the failure is still told
    assert_no_echo(shown)
    assert_no_echo(log_file.read_text())


async def test_the_header_shows_the_rejection_without_the_credentials(echo_server, log_file):
    """The issue's `rejected credentials YWstcHJv…` in the dashboard's header."""
    from cfdash.tui.wiring import build_app

    base_url, mode = echo_server
    mode["name"] = "envelope-cut"
    app = build_app(echo_settings(base_url), poll=False, tick=False)
    async with app.run_test(size=(200, 40)) as pilot:
        await app.engine.poll_all()
        await pilot.pause()
        header = app.main.header.build().plain
        screen = app.export_screenshot()
    assert "rejected" in header
    assert_no_echo(header)
    assert_no_echo(screen)
    assert_no_echo(log_file.read_text())


async def test_a_joberror_with_the_secret_is_blanked_in_csv_and_events(echo_server, tmp_path):
    from cfdash.engine.events import EventLog, TransitionWatcher
    from cfdash.engine.session import build_engine
    from cfdash.export import export_csv

    base_url, mode = echo_server
    mode["name"] = "joberror"
    engine = build_engine(echo_settings(base_url))
    watcher = TransitionWatcher()
    try:
        ECHOES["running"] = lambda creds: (200, {"installs": [_job()]})
        mode["name"] = "running"
        await engine.poll_all()
        watcher.prime(engine.tracker)
        mode["name"] = "joberror"
        (done,) = await engine.poll_all()
    finally:
        del ECHOES["running"]
        await engine.aclose()
    transitions = watcher.look(engine.tracker, done.changes, now=1_767_225_600.0)
    assert [t.to_phase for t in transitions] == ["failed"]
    events = EventLog(tmp_path / "events.jsonl")
    events.append(transitions)
    csv_path = export_csv(engine.tracker.jobs.values(), tmp_path / "view.csv", now=0)
    for text in (csv_path.read_text(), events.path.read_text(), transitions[0].describe()):
        assert "mount failed: key ***" in text
        assert_no_echo(text)


def test_a_crash_message_never_holds_a_registered_secret(capsys, monkeypatch):
    from cfdash import cli
    from cfdash.redact import register_basic_auth

    register_basic_auth(ECHO_ACCESS, ECHO_SECRET)

    def explode(args):
        raise RuntimeError(f"boom {ECHO_BASIC}")

    monkeypatch.setattr(cli, "_run_config", explode)
    assert cli.main(["config", "check"]) == 1
    err = capsys.readouterr().err
    assert "unexpected error: RuntimeError: boom ***" in err
    assert_no_echo(err)


# -- the registry itself ----------------------------------------------------------------------


def test_every_form_of_a_registered_pair_is_blanked():
    from cfdash.redact import Redactor

    redactor = Redactor()
    redactor.register_basic_auth(ECHO_ACCESS, ECHO_SECRET)
    slashed = base64.b64encode(b"\xff\xef" * 9).decode()  # a secret whose base64 holds "/"
    redactor.register(slashed)
    texts = {
        f"key={ECHO_SECRET}": "key=***",
        f"Basic {ECHO_BASIC}!": "Basic ***!",
        f"[{ECHO_BASIC.rstrip('=')}]": "[***]",
        f"json: {slashed.replace('/', '//')}": None,  # not a form: left as it is
        f"json: {slashed.replace('/', chr(92) + '/')}": "json: ***",
        f"cut: {ECHO_BASIC[:9]}…": "cut: ***…",
        f"raw: {base64.b64encode(ECHO_SECRET.encode()).decode()}": "raw: ***",
    }
    for text, expected in texts.items():
        assert redactor.redact(text) == (text if expected is None else expected)


def test_a_bearer_token_or_any_secret_string_can_be_registered():
    from cfdash.redact import Redactor

    redactor = Redactor()
    token = "eyJhbGciOiJIUzI1NiJ9.payload.sig"
    redactor.register(token)
    assert redactor.redact(f"Bearer {token} failed") == "Bearer *** failed"
    assert redactor.redact("unregistered Authorization: Bearer abc.def") == (
        "unregistered Authorization: ***"
    )


def test_very_short_secrets_are_not_registered():
    """Blanking every "ab" would garble all text; a two-letter key protects nothing anyway."""
    from cfdash.redact import Redactor

    redactor = Redactor()
    redactor.register("ab")
    assert redactor.redact("abc cab") == "abc cab"
    assert not redactor.forms


def test_a_cut_off_start_shorter_than_four_characters_is_left():
    from cfdash.redact import Redactor

    redactor = Redactor()
    redactor.register(ECHO_SECRET)
    assert redactor.redact("sk-…") == "sk-…"
    assert redactor.redact("x sk-9e…") == "x ***…"
