"""The chat widget's files, a demo clinic page that embeds it (under a strict CSP), and what a
widget reopening a conversation has not seen yet (GET /widget/api/conversation/<session_id>/messages)."""

from __future__ import annotations

import logging
import math
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sanic import Blueprint
from sanic.response import HTTPResponse, file, html, json

from pump_assistant.rasa_ext.channels.display_flags import display_flags
from pump_assistant.ratelimit import RateLimiter, rate_limiter
from pump_assistant.vocabulary import DisplayFlag
from webservice.rasa_client import RasaUnavailable

STATIC = Path(__file__).resolve().parent.parent / "static"
bp = Blueprint("widget")
logger = logging.getLogger(__name__)

# The widget's session id: 32 hex digits, from the socket server (uuid4().hex) or the widget itself (16 random
# bytes). It is the secret that reads the conversation, so nothing shorter or of another shape (an SMS number,
# a test sender) is ever looked up.
SESSION_ID = re.compile(r"[0-9a-f]{32}")
MAX_MESSAGES = 100
MAX_AFTER = 1e11  # seconds since the epoch, far beyond any real timestamp


def content_security_policy(rasa_url: str) -> str:
    parts = urlsplit(rasa_url)
    ws = ("wss" if parts.scheme == "https" else "ws") + f"://{parts.netloc}"
    return (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        f"connect-src 'self' {parts.scheme}://{parts.netloc} {ws}; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )


@bp.get("/widget.js")
async def widget_js(request) -> HTTPResponse:
    return await file(STATIC / "widget.js", mime_type="application/javascript", headers={"Cache-Control": "no-cache"})


@bp.get("/widget.css")
async def widget_css(request) -> HTTPResponse:
    return await file(STATIC / "widget.css", mime_type="text/css", headers={"Cache-Control": "no-cache"})


@bp.get("/static/demo.css")
async def demo_css(request) -> HTTPResponse:
    return await file(STATIC / "demo.css", mime_type="text/css")


@bp.get("/demo")
async def demo(request) -> HTTPResponse:
    rasa_url = request.app.ctx.settings.rasa_public_url
    page = (STATIC / "demo.html").read_text(encoding="utf-8").replace("__RASA_PUBLIC_URL__", rasa_url)
    return html(page, headers={"Content-Security-Policy": content_security_policy(rasa_url)})


def _cors(request) -> dict:
    """The widget on an allowed clinic page may read its conversation from another origin."""
    origin = request.headers.get("origin")
    if origin and origin in request.app.ctx.settings.allowed_origins:
        return {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}
    return {"Vary": "Origin"}


def _error(request, status: int, error: str, detail: str, **headers: str) -> HTTPResponse:
    return json({"error": error, "detail": detail}, status=status, headers={**_cors(request), **headers})


def _limiters(app) -> tuple[RateLimiter, RateLimiter]:
    limiters = getattr(app.ctx, "history_limiters", None)
    if limiters is None:
        settings = app.ctx.settings
        limiters = app.ctx.history_limiters = (
            rate_limiter(settings.rate_limit_per_ip, "widget_ip", settings.redis_url),
            rate_limiter(settings.rate_limit_per_sender, "widget_sender", settings.redis_url),
        )
    return limiters


def _timestamp(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    return float(value)


def display_messages(events: list, after: float = 0.0) -> list[dict]:
    """What the patient saw or would have seen, after a time: their typed words, the assistant's and staff's replies.

    Only display text: no button payloads ("/choose_topic{...}"), no intents, slots, actions or other internals.
    """
    shown: list[dict] = []
    for event in events:
        if not isinstance(event, dict):
            continue
        at = _timestamp(event.get("timestamp"))
        text = event.get("text")
        if at is None or at <= after or not isinstance(text, str) or not text.strip():
            continue
        if event.get("event") == "user":
            if text.startswith("/"):  # a button's payload or an external intent (staff joined, replied, ...)
                continue
            shown.append({"role": "user", "text": text, "timestamp": at})
        elif event.get("event") == "bot":
            meta = event.get("metadata")
            flags = display_flags(meta if isinstance(meta, dict) else {})
            message: dict = {"role": "bot", "text": text, "timestamp": at}
            if flags.get(DisplayFlag.FROM_STAFF) is True:
                message["role"] = "staff"
                message[DisplayFlag.STAFF_NAME] = str(flags.get(DisplayFlag.STAFF_NAME) or "Clinic staff")
            for flag in (DisplayFlag.URGENT, DisplayFlag.STAFF_JOINED, DisplayFlag.STAFF_LEFT):
                if flags.get(flag) is True:
                    message[flag] = True
            shown.append(message)
    return shown[-MAX_MESSAGES:]


@bp.get("/widget/api/conversation/<session_id:str>/messages")
async def conversation_messages(request, session_id: str) -> HTTPResponse:
    if not SESSION_ID.fullmatch(session_id):
        return _error(request, 400, "bad_request", "not a chat session id")
    raw_after = request.args.get("after", "0")
    try:
        after = float(raw_after)
    except (TypeError, ValueError):
        after = -1.0
    if not math.isfinite(after) or not 0 <= after <= MAX_AFTER:
        return _error(request, 400, "bad_request", "after must be a time in seconds since the epoch")
    by_ip, by_session = _limiters(request.app)
    address = request.remote_addr or request.ip or "unknown"
    for decision in (by_ip.check(address), by_session.check(session_id)):
        if not decision.allowed:
            return _error(
                request, 429, "too_many_requests", "try again later", **{"Retry-After": str(decision.retry_after)}
            )
    try:
        events = await request.app.ctx.rasa.conversation_events(session_id)
    except RasaUnavailable as exc:
        # Why, never which conversation or what was said.
        logger.warning("conversation history unavailable: %s", exc)
        return _error(request, 503, "unavailable", "the assistant is unavailable; try again later")
    return json(
        {"messages": display_messages(events, after)},
        headers={**_cors(request), "Cache-Control": "no-store"},
    )
