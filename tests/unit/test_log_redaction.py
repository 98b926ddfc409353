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
