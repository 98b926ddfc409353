"""Keep phone numbers, e-mail addresses, tokens and patients' words out of the logs.

:func:`install` covers every logger of the process, whoever configured it:

* a log-record factory redacts each record's message (and the traceback of a
  logged exception) the moment it is created, so no handler, whenever added
  (Rasa's, sanic's, a log file, pytest's), ever sees the original text;
* a filter on the root logger's handlers and on sanic's loggers also redacts
  the extra fields a record carries (sanic's access log puts the requested URL,
  query string included, in ``request``, outside the message).

What is redacted: phone numbers (E.164, percent-encoded E.164 as in a URL or a
form body, US formats; also where they are a sender id in a URL path or a
query string), e-mail addresses, quoted user text, and secrets: ``token=`` and
similar query-string or form parameters, ``Authorization`` and
``X-Twilio-Signature`` headers, ``Bearer`` tokens, passwords in URLs. What
stays is what debugging needs: which conversation (sender ids are opaque or
masked), which intent, how long.
"""

from __future__ import annotations

import logging
import re

_PHONE = re.compile(r"(?<![\w/=-])\+?\(?\d[\d\s().-]{7,}\d(?![\w/])")
# A sender id in a URL path or a form/query value: "/conversations/+15552220000/tracker", "From=%2B15552220000".
_E164 = re.compile(r"(?:\+|%2[bB])[1-9]\d{7,14}(?!\d)")
# US numbers, also right after "/" or "=": 555-222-0000, (555) 222-0000, 1 555 222 0000, 5552220000.
# Area code and exchange start with 2-9, so epoch timestamps (17xxxxxxxx) are left alone.
_US_PHONE = re.compile(
    r"(?<![\w.])(?:(?:\+|%2[bB])?1[\s.-]?)?(?:\([2-9]\d{2}\)\s?|[2-9]\d{2}[\s.-]?)[2-9]\d{2}[\s.-]?\d{4}(?!\w)"
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Rasa's debug lines quote the user's text: "Received user message 'my leg is numb' with intent ...";
# its JSON logs too: "parse_data_text": "my leg is numb".
_QUOTED_USER_TEXT = re.compile(
    r"(user message|text|utterance)(['\"]?\s*[:=]?\s*)(['\"])(.*?)\3", re.IGNORECASE | re.DOTALL
)
_ALREADY_COUNTED = re.compile(r"\[\d+ chars\]")
# Secrets. A password in a URL: amqp://guest:secret@host/
_URL_CREDENTIALS = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^\s/:@\[]+:[^\s/@]+@")
# A quoted field, as in a dict or JSON: 'X-Twilio-Signature': 'abc=', "token": "...".
_SECRET_FIELD = re.compile(
    r"(?i)(['\"](?:[\w-]*token|[\w-]*signature|(?:proxy-)?authorization|[\w-]*password|[\w-]*secret|api_?key|cookie)"
    r"['\"]\s*:\s*)(['\"])((?:\\.|(?!\2).)*)\2"
)
# A header line: "Authorization: Bearer abc", "X-Twilio-Signature: abc=".
_SECRET_HEADER = re.compile(
    r"(?i)\b((?:proxy-)?authorization|x-twilio-signature|x-api-key)(\s*:\s*)(?:(bearer|basic|token|digest)\s+)?[^\s'\",;]+"
)
_COOKIE_HEADER = re.compile(r"(?i)\b((?:set-)?cookie)(\s*:\s*)(?!['\"])[^\r\n]+")
# A query-string or form parameter: ?token=abc&..., signature=..., password=...
_SECRET_PARAM = re.compile(
    r"(?i)(?<![\w-])((?:access_|auth_|api_|refresh_|id_|session_|csrf_)?token|signature|sig|api_?key|secret|password|passwd)"
    r"=[^&\s'\"#,;)}\[\]]+"
)
_BEARER = re.compile(r"(?i)\b(bearer)\s+[A-Za-z0-9._~+/=-]+")
REDACTED = "[redacted]"


def _redact_secrets(message: str) -> str:
    message = _URL_CREDENTIALS.sub(lambda m: f"{m.group(1)}{REDACTED}@", message)
    message = _SECRET_FIELD.sub(lambda m: f"{m.group(1)}{m.group(2)}{REDACTED}{m.group(2)}", message)
    message = _SECRET_HEADER.sub(
        lambda m: f"{m.group(1)}{m.group(2)}{m.group(3) + ' ' if m.group(3) else ''}{REDACTED}", message
    )
    message = _COOKIE_HEADER.sub(lambda m: f"{m.group(1)}{m.group(2)}{REDACTED}", message)
    message = _SECRET_PARAM.sub(lambda m: f"{m.group(1)}={REDACTED}", message)
    return _BEARER.sub(lambda m: f"{m.group(1)} {REDACTED}", message)


def _quoted_user_text(m: re.Match) -> str:
    if _ALREADY_COUNTED.fullmatch(m.group(4)):
        return m.group(0)
    return f"{m.group(1)}{m.group(2)}{m.group(3)}[{len(m.group(4))} chars]{m.group(3)}"


def redact(message: str) -> str:
    message = _QUOTED_USER_TEXT.sub(_quoted_user_text, message)
    message = _redact_secrets(message)
    message = _EMAIL.sub("[email]", message)
    message = _E164.sub("[phone]", message)
    message = _US_PHONE.sub("[phone]", message)
    return _PHONE.sub(lambda m: "[phone]" if sum(c.isdigit() for c in m.group(0)) >= 7 else m.group(0), message)


# Attributes every LogRecord has; anything else on a record came from ``extra=``.
_STANDARD_ATTRS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


def _redact_message(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except Exception:  # a malformed record is the logging library's business
        return
    redacted = redact(message)
    if redacted != message:
        record.msg, record.args = redacted, None
    if record.exc_info and not record.exc_text:
        # The formatter reuses exc_text: an exception's text can hold a URL with a token or a number.
        try:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        except Exception:
            pass
    elif record.exc_text:
        record.exc_text = redact(record.exc_text)


def _redact_extras(record: logging.LogRecord) -> None:
    for key, value in list(vars(record).items()):
        if key not in _STANDARD_ATTRS and isinstance(value, str):
            redacted = redact(value)
            if redacted != value:
                setattr(record, key, redacted)


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        _redact_message(record)
        _redact_extras(record)
        return True


def _install_record_factory() -> None:
    previous = logging.getLogRecordFactory()
    if getattr(previous, "redacting", False):
        return

    def redacting_factory(*args, **kwargs) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        _redact_message(record)
        return record

    redacting_factory.redacting = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(redacting_factory)


# sanic's loggers have handlers of their own and, under Rasa, do not propagate to the root logger.
SANIC_LOGGERS = ("sanic.access", "sanic.error", "sanic.root", "sanic.server")


def _add_filter(target: logging.Filterer) -> None:
    if not any(isinstance(f, RedactingFilter) for f in target.filters):
        target.addFilter(RedactingFilter())


def install(logger: logging.Logger | None = None) -> None:
    """Redact every record of the process from now on; idempotent.

    With ``logger``, its handlers get the filter too (the root logger's always do).
    """
    _install_record_factory()
    targets = [logging.getLogger()] + ([logger] if logger is not None else [])
    for name in SANIC_LOGGERS:
        sanic_logger = logging.getLogger(name)
        _add_filter(sanic_logger)  # records logged here, whatever handlers are added later
        targets.append(sanic_logger)
    for target in targets:
        for handler in target.handlers:
            _add_filter(handler)
