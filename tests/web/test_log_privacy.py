"""No phone number and no token reaches a log: real requests through sanic, real log records.

The web service and the SMS channel each run in sanic's test client with the
access log on. A plain handler (added after the services installed redaction,
so it has no filter of its own) collects every record of the root logger and
sanic's loggers, which under Rasa do not propagate; each record is checked:
its message, its formatted traceback, and every extra field (sanic's access
log keeps the requested URL, query string included, in ``request``).
"""
from __future__ import annotations

import itertools
import logging
import time
import urllib.parse

import pytest
from sanic import Sanic
from twilio.request_validator import RequestValidator

from pump_assistant import services
from pump_assistant.config import get_settings
from pump_assistant.loopback import Request, serve_json
from pump_assistant.rasa_ext.channels.sms import SmsInput

PHONE = "+15552220000"
SECRET = "secret123"
TWILIO_TOKEN = "log-privacy-twilio-auth-token"
FORBIDDEN = (PHONE, "15552220000", "5552220000", "555-222-0000", SECRET, TWILIO_TOKEN)
LOGGERS = ("", "sanic.access", "sanic.error", "sanic.root")
_names = itertools.count()


class Collected(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        parts = [record.getMessage(), record.exc_text or ""]
        if record.exc_info and not record.exc_text:
            parts.append(logging.Formatter().formatException(record.exc_info))
        parts += [str(value) for key, value in vars(record).items() if key not in ("msg", "args", "exc_info")]
        self.lines.append(" | ".join(parts))


@pytest.fixture
def collected():
    handler = Collected()
    saved = {}
    for name in LOGGERS:
        logger = logging.getLogger(name)
        saved[name] = logger.level
        logger.setLevel(logging.DEBUG)
        logger.addHandler(handler)
    try:
        yield handler
    finally:
        for name in LOGGERS:
            logging.getLogger(name).removeHandler(handler)
            logging.getLogger(name).setLevel(saved[name])


def assert_nothing_leaked(collected: Collected) -> None:
    assert collected.records, "nothing was logged: the test would prove nothing"
    for line in collected.lines:
        for secret in FORBIDDEN:
            assert secret not in line, f"{secret!r} leaked into a log record: {line[:500]}"


def access_lines(collected: Collected) -> list[str]:
    return [getattr(r, "request", "") for r in collected.records if r.name == "sanic.access"]


# -- the web service ----------------------------------------------------------


def test_web_service_access_log_and_app_logs_keep_no_token_or_number(app, auth, collected):
    client = app.test_client
    on = {"server_kwargs": {"access_log": True, "auto_reload": False}}
    _, resp = client.get(f"/api/handoffs?status=open&token={SECRET}", headers=auth, **on)
    assert resp.status == 200
    _, resp = client.get(f"/api/handoffs?token={SECRET}", headers={"Authorization": f"Bearer {SECRET}"}, **on)
    assert resp.status == 401
    # A sender id in a path, percent-encoded or not, as a scanner or a mistyped link would send it.
    _, resp = client.get(f"/api/handoffs/{PHONE}?token={SECRET}", headers=auth, **on)
    assert resp.status == 404
    _, resp = client.get(f"/api/handoffs/%2B15552220000?sender={urllib.parse.quote(PHONE)}&token={SECRET}", headers=auth, **on)
    assert resp.status == 404
    _, resp = client.get(f"/health?token={SECRET}&phone=555-222-0000", **on)
    assert resp.status == 200
    # The app's own loggers, as a staff reply that Rasa cannot take would log.
    logging.getLogger("webservice.handoff_service").warning(
        "staff reply to %s not delivered: POST http://rasa:5005/conversations/%s/trigger_intent?token=%s",
        PHONE, PHONE, SECRET,
    )

    requests = access_lines(collected)
    assert len(requests) >= 5, "sanic's access log was not captured"
    assert any("/api/handoffs?status=open&token=[redacted]" in r for r in requests)
    assert any("/api/handoffs/[phone]" in r for r in requests)
    assert_nothing_leaked(collected)


# -- the SMS channel ----------------------------------------------------------


class FakeTwilio:
    """Twilio's Messages API refusing the number, the way it says so (the number in its message)."""

    def __init__(self):
        self.server = serve_json(self._answer)
        self.url = self.server.url

    @staticmethod
    def _answer(request: Request):
        number = request.form().get("To")
        return 400, {"code": 21211, "message": f"The 'To' number {number} is not a valid phone number.", "status": 400}


class RasaLikeAssistant:
    """Stands in for Rasa: logs what Rasa's processor logs about a message, then replies."""

    def __init__(self):
        self.received = []
        self.finished = 0

    async def __call__(self, message):
        self.received.append(message)
        processor = logging.getLogger("rasa.core.processor")
        processor.debug(f"Starting a new session for conversation ID '{message.sender_id}'.")
        processor.debug("Received user message '%s' from %s", message.text, message.sender_id)
        try:
            await message.output_channel.send_response(message.sender_id, {"text": "The pump is refilled every few months."})
        finally:
            self.finished += 1


@pytest.fixture
def twilio():
    fake = FakeTwilio()
    yield fake
    fake.server.close()


@pytest.fixture
def sms_app(tmp_path, monkeypatch, twilio):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'sms.db'}")
    monkeypatch.setenv("OUTBOX_DIR", str(tmp_path / "outbox"))
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", "AC" + "0" * 32)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", TWILIO_TOKEN)
    monkeypatch.setenv("TWILIO_NUMBER", "+15550001111")
    monkeypatch.setenv("TWILIO_API_BASE", twilio.url)
    monkeypatch.setenv("TWILIO_WEBHOOK_URL", "https://assistant.clinic.example/webhooks/sms/webhook")
    get_settings.cache_clear()
    services.clear()
    assistant = RasaLikeAssistant()
    app = Sanic(f"log_privacy_sms_{next(_names)}")
    app.blueprint(SmsInput().blueprint(assistant), url_prefix="/webhooks/sms")
    app.ctx.assistant = assistant

    @app.before_server_stop
    async def let_the_reply_finish(app, _loop):
        import asyncio

        deadline = time.monotonic() + 10
        while app.ctx.assistant.finished < len(app.ctx.assistant.received) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.1)

    yield app
    get_settings.cache_clear()
    services.clear()


def signed_post(app, params: dict, token_in_url: bool = False):
    url = "https://assistant.clinic.example/webhooks/sms/webhook"
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(url, params)
    path = "/webhooks/sms/webhook" + (f"?token={SECRET}" if token_in_url else "")
    _, resp = app.test_client.post(
        path,
        data=urllib.parse.urlencode(params),
        headers={"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature},
        server_kwargs={"access_log": True, "auto_reload": False},
    )
    return resp


def test_sms_webhook_logs_keep_no_number_signature_or_token(sms_app, collected):
    params = {
        "From": PHONE,
        "To": "+15550001111",
        "Body": "Mi bomba está pitando, ¿qué hago? 🙏",
        "MessageSid": "SM" + "1" * 32,
        "NumMedia": "0",
    }
    resp = signed_post(sms_app, params)
    assert resp.status == 200 and "<Response></Response>" in resp.text
    assert [m.sender_id for m in sms_app.ctx.assistant.received] == [PHONE]
    assert sms_app.ctx.assistant.finished == 1
    # A forged request, and one with a token in its query string.
    forged = {**params, "MessageSid": "SM" + "2" * 32}
    _, resp = sms_app.test_client.post(
        f"/webhooks/sms/webhook?token={SECRET}",
        data=urllib.parse.urlencode(forged),
        headers={"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl"},
        server_kwargs={"access_log": True, "auto_reload": False},
    )
    assert resp.status == 403

    messages = [r.getMessage() for r in collected.records]
    # What was logged is there, without the details: the processor's lines and the refused text.
    assert any("Starting a new session for conversation ID '[phone]'" in m for m in messages)
    assert any(r.name == "pump_assistant.rasa_ext.channels.sms" and "failed" in r.getMessage() for r in collected.records)
    assert any("[redacted]" in r for r in access_lines(collected))
    assert_nothing_leaked(collected)
    assert all("está pitando" not in line for line in collected.lines)
