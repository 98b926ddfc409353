"""Keep phone numbers, e-mail addresses and patients' words out of the logs.

Installed as a filter on the root logger's handlers, so it also covers records
from Rasa, sanic and third-party libraries. What stays is what debugging needs:
which conversation (sender ids are opaque or masked), which intent, how long.
"""
from __future__ import annotations

import logging
import re

_PHONE = re.compile(r"(?<![\w/=-])\+?\(?\d[\d\s().-]{7,}\d(?![\w/])")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Rasa's debug lines quote the user's text: "Received user message 'my leg is numb' with intent ..."
_QUOTED_USER_TEXT = re.compile(r"(user message|text|utterance)(\s*[:=]?\s*)(['\"])(.*?)\3", re.IGNORECASE | re.DOTALL)


def redact(message: str) -> str:
    message = _QUOTED_USER_TEXT.sub(lambda m: f"{m.group(1)}{m.group(2)}[{len(m.group(4))} chars]", message)
    message = _EMAIL.sub("[email]", message)
    return _PHONE.sub(lambda m: "[phone]" if sum(c.isdigit() for c in m.group(0)) >= 7 else m.group(0), message)


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is the logging library's business
            return True
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def install(logger: logging.Logger | None = None) -> None:
    """Add the filter to every handler of ``logger`` (the root logger by default), once."""
    target = logger or logging.getLogger()
    for handler in target.handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
