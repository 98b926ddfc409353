"""The SMS channel with requests signed by twilio's RequestValidator; replies go to a fake Twilio."""
from __future__ import annotations

import itertools
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from twilio.request_validator import RequestValidator

from tests.integration.conftest import TWILIO_TOKEN

_numbers = itertools.count(1000)
_sids = itertools.count(1)


def new_number() -> str:
    return f"+1555020{next(_numbers):04d}"


def new_sid() -> str:
    return f"SM{next(_sids):032x}"


def post_sms(stack, params: dict, *, sign_url: str | None = None, signature: str | None = "auto", body_override=None):
    url = stack.env["TWILIO_WEBHOOK_URL"]
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if signature == "auto":
        signature = RequestValidator(TWILIO_TOKEN).compute_signature(sign_url or url, params)
    if signature is not None:
        headers["X-Twilio-Signature"] = signature
    data = urllib.parse.urlencode(body_override if body_override is not None else params).encode()
    request = urllib.request.Request(url, data=data, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def text_message(number: str, body: str, sid: str | None = None, **extra) -> dict:
    return {"From": number, "To": "+15550001111", "Body": body, "MessageSid": sid or new_sid(), "NumMedia": "0", **extra}


def test_signed_message_is_acknowledged_at_once_and_answered_by_text(stack, registry):
    number = new_number()
    status, body = post_sms(stack, text_message(number, "how often does the pump get refilled"))
    assert status == 200 and "<Response></Response>" in body
    sent = stack.twilio.wait_for(number)
    assert sent[0].startswith(registry.answers["refills"].sms)
    assert "Source:" in " ".join(sent)
    assert stack.twilio.sent[-1]["auth"].startswith("Basic ")


@pytest.mark.parametrize("case", ["tampered", "missing", "wrong_url"])
def test_bad_signatures_are_refused(stack, case):
    number = new_number()
    params = text_message(number, "hello")
    if case == "tampered":
        status, _ = post_sms(stack, params, body_override={**params, "Body": "something else"})
    elif case == "missing":
        status, _ = post_sms(stack, params, signature=None)
    else:
        status, _ = post_sms(stack, params, sign_url="https://evil.example/webhooks/sms/webhook")
    assert status == 403
    assert stack.twilio.wait_for(number, seconds=2) == []


def test_a_repeated_message_sid_is_answered_once(stack):
    number, sid = new_number(), new_sid()
    for _ in range(3):
        assert post_sms(stack, text_message(number, "hi", sid=sid))[0] == 200
    stack.twilio.wait_for(number)
    time.sleep(3)  # a reply may go out as several texts; let them all arrive
    first = stack.twilio.to(number)
    time.sleep(2)
    assert first and stack.twilio.to(number) == first
    assert sum("Reply with a number" in body for body in first) == 1


def test_stop_then_silence_then_start(stack):
    number = new_number()
    post_sms(stack, text_message(number, "STOP"))
    post_sms(stack, text_message(number, "how long does the battery last"))
    assert stack.twilio.wait_for(number, seconds=4) == []
    post_sms(stack, text_message(number, "START"))
    assert "again" in stack.twilio.wait_for(number)[0]
    post_sms(stack, text_message(number, "how long does the battery last"))
    assert len(stack.twilio.wait_for(number, count=2)) >= 2


def test_help_keyword(stack):
    number = new_number()
    post_sms(stack, text_message(number, "HELP"))
    assert "911" in stack.twilio.wait_for(number)[0]


def test_numbered_replies_map_back_to_the_choice(stack, registry):
    number = new_number()
    post_sms(stack, text_message(number, "what are the side effects of the pump"))
    sent = " ".join(stack.twilio.wait_for(number))
    assert "Reply with a number:" in sent and "/choose_topic" not in sent
    first_related = registry.answers["side_effects"].related[0]
    before = len(stack.twilio.to(number))
    post_sms(stack, text_message(number, "1"))
    after = stack.twilio.wait_for(number, count=before + 1)
    assert after[before].startswith(registry.answers[first_related].sms)


def test_a_picture_without_text_gets_a_polite_reply(stack):
    number = new_number()
    status, _ = post_sms(stack, text_message(number, "", NumMedia="1", MediaUrl0="https://example.com/x.jpg"))
    assert status == 200
    assert "only read text" in stack.twilio.wait_for(number)[0]


def test_a_request_that_is_not_a_form_gets_4xx_not_500(stack):
    request = urllib.request.Request(stack.env["TWILIO_WEBHOOK_URL"], data=b"[1,2", headers={"Content-Type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(request, timeout=10)
    assert 400 <= error.value.code < 500
