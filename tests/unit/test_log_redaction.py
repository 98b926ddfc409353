from __future__ import annotations

import logging

import pytest

from pump_assistant import log_redaction
from pump_assistant.log_redaction import redact


@pytest.mark.parametrize(
    "line, secret",
    [
        ("SMS from +15551234567 failed", "+15551234567"),
        ("call back on (555) 123-4567 please", "123-4567"),
        ("contact jane.doe+pump@example.org", "jane.doe+pump@example.org"),
        ("Received user message 'my incision is leaking' with intent '{}'", "my incision is leaking"),
        ('user message: "I missed my refill"', "I missed my refill"),
    ],
)
def test_personal_details_are_redacted(line, secret):
    assert secret not in redact(line)


def test_what_debugging_needs_stays():
    line = "hand-off ticket 3f9c2a7e raised (reason=clinical, stored_now=True) in 42 ms, intent faq/refill 0.93"
    assert redact(line) == line


def test_the_filter_redacts_records_from_any_logger(caplog):
    handler = logging.StreamHandler()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        log_redaction.install()
        log_redaction.install()  # idempotent
        assert sum(isinstance(f, log_redaction.RedactingFilter) for f in handler.filters) == 1
        record = logging.LogRecord("rasa.core.processor", logging.INFO, __file__, 1, "text from %s", ("+15557654321",), None)
        assert handler.filter(record)
        assert "+15557654321" not in record.getMessage() and "[phone]" in record.getMessage()
    finally:
        root.removeHandler(handler)


@pytest.mark.parametrize(
    "line, secret",
    [
        ("POST /conversations/+15552220000/trigger_intent?output_channel=latest&token=secret123", "+15552220000"),
        ("POST /conversations/+15552220000/trigger_intent?output_channel=latest&token=secret123", "secret123"),
        ("From=%2B15552220000&To=%2B15550001111&Body=hi", "15552220000"),
        ("GET /conversations/5552220000/tracker", "5552220000"),
        ("sender=555-222-0000", "555-222-0000"),
        ("GET /api/handoffs?limit=5&access_token=tok-9f8e7d", "tok-9f8e7d"),
        ("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig", "eyJhbGciOiJIUzI1NiJ9"),
        ("headers {'X-Twilio-Signature': '0/KCTR6DLpKmkAf8muzZqo1nDgQ=', 'Host': 'x'}", "0/KCTR6DLpKmkAf8muzZqo1nDgQ="),
        ("X-Twilio-Signature: 0/KCTR6DLpKmkAf8muzZqo1nDgQ=", "0/KCTR6DLpKmkAf8muzZqo1nDgQ="),
        ("connecting to amqp://pump:hunter2@rabbit:5672/", "hunter2"),
        ('{"sender_id": "+447700900123", "parse_data_text": "me duele la espalda"}', "me duele la espalda"),
    ],
)
def test_sender_ids_and_tokens_are_redacted(line, secret):
    assert secret not in redact(line)
    assert redact(redact(line)) == redact(line)  # the factory and the filters may both pass over a record


def test_ids_and_timings_survive():
    line = "conversation 1b4e28ba-2fa1-11d2-883f-0016d3cca427, ticket 3f9c2a7e in 120 ms (status 200, 5120 bytes)"
    assert redact(line) == line


def test_a_handler_added_after_install_still_gets_redacted_records():
    log_redaction.install()
    seen = []

    class Collect(logging.Handler):
        def emit(self, record):
            seen.append((record.getMessage(), record.exc_text or ""))

    logger = logging.getLogger("tests.redaction.late")
    handler = Collect()
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        logger.info("texting %s with token=%s", "+15552220000", "secret123")
        try:
            raise RuntimeError("Twilio refused +15552220000")
        except RuntimeError:
            logger.exception("send failed")
    finally:
        logger.removeHandler(handler)
    assert seen and all("15552220000" not in m + t and "secret123" not in m + t for m, t in seen)
    assert "Twilio refused [phone]" in seen[1][1]


def test_sanic_access_records_lose_the_query_token():
    log_redaction.install()
    record = logging.LogRecord("sanic.access", logging.INFO, __file__, 1, "", None, None)
    record.request = "GET http://127.0.0.1:5005/conversations/+15552220000/tracker?token=secret123"
    record.host = "127.0.0.1:50000"
    assert logging.getLogger("sanic.access").filter(record)
    assert record.request == "GET http://127.0.0.1:5005/conversations/[phone]/tracker?token=[redacted]"
