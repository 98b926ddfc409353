"""One intake for every channel: REST, web chat and SMS refuse the same message for the same reason.

:func:`pump_assistant.inbound.admit` checks in one order (address rate, payload,
sender, sender rate, empty, too long); each channel only renders the refusal
in its transport. Here the three channels get the same messages and what the
patient (or the caller) sees is read back as the reason.
"""
from __future__ import annotations

import asyncio
import itertools
import json
import urllib.parse

import pytest
from sanic import Sanic
from twilio.request_validator import RequestValidator

from pump_assistant.config import get_settings
from pump_assistant.inbound import EMPTY_REPLY, MAX_MESSAGE_CHARS, TOO_LONG_REPLY, Admitted, Refusal, Refused, admit
from pump_assistant.ratelimit import TOO_MANY_MESSAGE, RateLimiter
from pump_assistant.rasa_ext.channels.rest import PatientRestInput
from pump_assistant.rasa_ext.channels.sms import NO_TEXT_REPLY, SmsInput
from pump_assistant.rasa_ext.channels.webchat import BOT_EVENT, WebChatInput

TOKEN = "intake-twilio-token"
WEBHOOK = "https://assistant.clinic.example/webhooks/sms/webhook"
LIMIT = 5  # RATE_LIMIT_PER_SENDER in tests/channels/conftest.py
BAD_REQUEST = "bad request"  # malformed or no usable sender: the caller's fault, shown as such
_names = itertools.count()
_sids = itertools.count(1)


class Rest:
    sender = "web-intake01"

    def __init__(self, assistant):
        self.app = Sanic(f"intake_rest_{next(_names)}")
        self.app.blueprint(PatientRestInput().blueprint(assistant), url_prefix="/webhooks/rest")

    def send(self, text, sender=None):
        body = json.dumps({"sender": self.sender if sender is None else sender, "message": text})
        _, resp = self.app.test_client.post("/webhooks/rest/webhook", data=body,
                                            headers={"Content-Type": "application/json"})
        if resp.status == 429:
            return Refusal.RATE_LIMITED
        if resp.status == 400:
            return BAD_REQUEST
        return {EMPTY_REPLY: Refusal.EMPTY, TOO_LONG_REPLY: Refusal.TOO_LONG}.get(resp.json[0]["text"])


class WebChat:
    sender = "0123456789abcdef"

    def __init__(self, assistant):
        self.channel = WebChatInput()
        self.channel.blueprint(assistant)
        self.emitted = []

        async def emit(event, data=None, room=None, **_):
            self.emitted.append((event, data))

        self.channel.sio.emit = emit

    def send(self, text, sender=None):
        self.emitted.clear()
        data = {"session_id": self.sender if sender is None else sender, "message": text}
        asyncio.run(self.channel.sio.handlers["/"]["user_uttered"]("socket-1", data))
        event, data = self.emitted[-1]
        if event == "error_message":
            return BAD_REQUEST
        return {TOO_MANY_MESSAGE: Refusal.RATE_LIMITED, EMPTY_REPLY: Refusal.EMPTY,
                TOO_LONG_REPLY: Refusal.TOO_LONG}.get(data["text"]) if event == BOT_EVENT else None


class Sms:
    sender = "+15550203333"

    def __init__(self, assistant):
        class FakeTwilio:
            sent = []

            async def send(self, to, body):
                self.sent.append(body)
                return "SM1"

        self.twilio = FakeTwilio()
        channel = SmsInput()
        channel._ready()
        channel._api = self.twilio
        self.app = Sanic(f"intake_sms_{next(_names)}")
        self.app.blueprint(channel.blueprint(assistant), url_prefix="/webhooks/sms")

        @self.app.before_server_stop
        async def let_replies_go(app, _loop):
            await asyncio.sleep(0.05)

    def send(self, text, sender=None):
        params = {"From": self.sender if sender is None else sender, "To": "+15550001111", "Body": text,
                  "MessageSid": f"SM{next(_sids):032x}"}
        signature = RequestValidator(TOKEN).compute_signature(WEBHOOK, params)
        self.twilio.sent.clear()
        _, resp = self.app.test_client.post(
            "/webhooks/sms/webhook", data=urllib.parse.urlencode(params),
            headers={"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature})
        if resp.status == 429:
            return Refusal.RATE_LIMITED
        if resp.status == 400:
            return BAD_REQUEST
        sent = self.twilio.sent[-1] if self.twilio.sent else None
        return {NO_TEXT_REPLY: Refusal.EMPTY, TOO_LONG_REPLY: Refusal.TOO_LONG}.get(sent)


@pytest.fixture(params=[Rest, WebChat, Sms], ids=["rest", "webchat", "sms"])
def channel(request, channel_env, monkeypatch, assistant):
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", TOKEN)
    monkeypatch.setenv("TWILIO_WEBHOOK_URL", WEBHOOK)
    get_settings.cache_clear()
    return request.param(assistant)


@pytest.mark.parametrize("text, alone", [("   ", Refusal.EMPTY), ("pump " * MAX_MESSAGE_CHARS, Refusal.TOO_LONG)])
def test_an_empty_or_overlong_message_over_the_rate_is_refused_for_the_rate_on_every_channel(
    channel, assistant, text, alone
):
    assert [channel.send(text) for _ in range(LIMIT)] == [alone] * LIMIT
    assert channel.send(text) == Refusal.RATE_LIMITED
    assert assistant.received == []


def test_an_empty_message_from_an_unusable_sender_is_refused_for_the_sender_on_every_channel(channel, assistant):
    assert channel.send("", sender="../../etc/passwd") == BAD_REQUEST
    assert assistant.received == []


# --- admit() itself -------------------------------------------------------------------


class Limiter(RateLimiter):
    def __init__(self, allowed: bool):
        super().__init__(1, 1)
        self.allowed, self.keys = allowed, []

    def check(self, key):
        from pump_assistant.ratelimit import Decision

        self.keys.append(key)
        return Decision(self.allowed, retry_after=0 if self.allowed else 7)


def test_admit_checks_in_one_order():
    closed, open_ = Limiter(False), Limiter(True)
    # The address's rate comes before anything is read.
    assert admit(None, None, address="1.2.3.4", per_address=closed, malformed="junk").reason is Refusal.RATE_LIMITED
    assert admit("web-1", "hi", address="1.2.3.4", per_address=open_, malformed="junk").reason is Refusal.MALFORMED
    assert admit("web-1", 42).reason is Refusal.MALFORMED
    assert admit("../x", "", per_sender=closed).reason is Refusal.BAD_SENDER
    refused = admit("web-1", "", per_sender=closed)
    assert (refused.reason, refused.sender, refused.retry_after) == (Refusal.RATE_LIMITED, "web-1", 7)
    assert admit("web-1", " \x00 ", per_sender=open_).reason is Refusal.EMPTY
    assert admit("web-1", "x" * (MAX_MESSAGE_CHARS + 1)).reason is Refusal.TOO_LONG
    assert admit("web-1", " hello\u200b ") == Admitted("web-1", "hello")
    assert closed.keys == ["1.2.3.4", "web-1"]


def test_a_refusal_carries_the_reply_the_patient_gets():
    assert Refused(Refusal.RATE_LIMITED).reply == TOO_MANY_MESSAGE
    assert Refused(Refusal.EMPTY).reply == EMPTY_REPLY
    assert Refused(Refusal.TOO_LONG).reply == TOO_LONG_REPLY
