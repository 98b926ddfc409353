"""The SMS channel: numbered choices one per line, and a "1" after they expire is ordinary text.

Signed webhooks to SmsInput's blueprint with a stand-in assistant (tests/channels/conftest.py),
a fake Twilio sender, the real SQLite state and a clock the test moves.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import time
import urllib.parse

import pytest
from sanic import Sanic
from twilio.request_validator import RequestValidator

from pump_assistant import services
from pump_assistant.config import get_settings
from pump_assistant.rasa_ext.channels.sms import SmsInput, SmsOutput
from pump_assistant.sms.state import SmsState

TOKEN = "twilio-test-token"
WEBHOOK = "https://assistant.clinic.example/webhooks/sms/webhook"
PHONE = "+15550207777"
_names = itertools.count()
_sids = itertools.count(1)


class FakeTwilio:
    def __init__(self):
        self.sent: list[tuple[str, str]] = []

    async def send(self, to: str, body: str) -> str:
        self.sent.append((to, body))
        return f"SM{len(self.sent):032x}"


class Clock:
    def __init__(self):
        self.now = dt.datetime(2026, 3, 2, 14, 0)

    def __call__(self):
        return self.now


@pytest.fixture
def sms(channel_env, monkeypatch, assistant):
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", TOKEN)
    monkeypatch.setenv("TWILIO_WEBHOOK_URL", WEBHOOK)
    monkeypatch.setenv("SMS_CHOICES_TTL_MINUTES", "30")
    get_settings.cache_clear()
    clock, twilio = Clock(), FakeTwilio()
    channel = SmsInput()
    channel._state = SmsState(services.database(), get_settings().sms_choices_ttl_minutes, clock=clock)
    channel._api = twilio
    app = Sanic(f"sms_channel_test_{next(_names)}")
    app.blueprint(channel.blueprint(assistant), url_prefix="/webhooks/sms")
    app.ctx.assistant = assistant

    @app.before_server_stop
    async def let_the_reply_finish(app, _loop):
        deadline = time.monotonic() + 5
        while not app.ctx.assistant.received and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.05)

    return app, channel, clock, twilio


def text_in(app, body: str):
    params = {"From": PHONE, "To": "+15550001111", "Body": body, "MessageSid": f"SM{next(_sids):032x}", "NumMedia": "0"}
    signature = RequestValidator(TOKEN).compute_signature(WEBHOOK, params)
    _, resp = app.test_client.post(
        "/webhooks/sms/webhook",
        data=urllib.parse.urlencode(params),
        headers={"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature},
    )
    assert resp.status == 200
    return app.ctx.assistant.received.pop()


def send_choices(channel):
    buttons = [{"title": "Battery life", "payload": "/choose_topic{\"topic\":\"battery\"}"},
               {"title": "Refills", "payload": "/choose_topic{\"topic\":\"refills\"}"}]
    output = SmsOutput(channel._api, channel._state)
    asyncio.run(output.send_text_with_buttons(PHONE, "Did you mean one of these?", buttons))
    return buttons


def test_buttons_arrive_as_one_numbered_choice_per_line(sms):
    _, channel, _, twilio = sms
    send_choices(channel)
    assert twilio.sent == [(PHONE, "Did you mean one of these?\nReply with a number:\n1. Battery life\n2. Refills")]


def test_a_number_maps_to_the_choice_while_fresh_and_is_plain_text_after(sms):
    app, channel, clock, _ = sms
    buttons = send_choices(channel)
    clock.now += dt.timedelta(minutes=10)
    assert text_in(app, "2").text == buttons[1]["payload"]
    clock.now += dt.timedelta(minutes=31)  # 41 minutes after the list was sent
    message = text_in(app, "1")
    assert message.text == "1"  # ordinary text, not "Battery life"
