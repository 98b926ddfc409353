"""The REST channel (``POST /webhooks/rest/webhook``), hardened.

Rasa 3.6's ``RestInput`` answers an empty body or a JSON list with a 500 (it
calls ``.get`` on it), puts every request without a sender into one shared
"default" conversation, lets the caller pick the input channel, and passes a
100 kB message straight to NLU. This channel validates the payload, caps the
length before NLU, limits the rate per sender and per IP address, and never
leaves a message without a reply (:mod:`reply_guard`).
"""

from __future__ import annotations

import json
import logging
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request

from pump_assistant.config import get_settings
from pump_assistant.inbound import NOT_TEXT, Refusal, Refused, admit
from pump_assistant.rasa_ext.channels.base import PatientChannel
from pump_assistant.rasa_ext.channels.display_flags import display_flags
from pump_assistant.ratelimit import RateLimiter
from pump_assistant.vocabulary import Channel

logger = logging.getLogger(__name__)

# A request this large cannot be one honest question; refuse it before parsing.
MAX_BODY_BYTES = 256 * 1024


def _error(status: int, message: str, **headers: str) -> response.HTTPResponse:
    return response.json({"error": message}, status=status, headers=headers or None)


def client_address(request: Request) -> str:
    # remote_addr is set only when sanic is told to trust a proxy's forwarded headers.
    return request.remote_addr or request.ip or "unknown"


class FlaggedCollectingOutput(CollectingOutputChannel):
    """Rasa's collecting channel, keeping the display flags (an emergency reply is ``urgent``)."""

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        already = len(self.messages)
        await super().send_response(recipient_id, message)
        for collected in self.messages[already:]:
            collected.update(display_flags(message))


class PatientRestInput(PatientChannel):
    channel_name = Channel.REST

    def __init__(self) -> None:
        self.per_sender: Optional[RateLimiter] = None
        self.per_ip: Optional[RateLimiter] = None

    def _limits(self) -> tuple[RateLimiter, RateLimiter]:
        if self.per_sender is None or self.per_ip is None:
            settings = get_settings()
            self.per_sender = self.rate_limiter(settings.rate_limit_per_sender, "rest_sender")
            self.per_ip = self.rate_limiter(settings.rate_limit_per_ip, "rest_ip")
        return self.per_sender, self.per_ip

    def _parse(self, request: Request) -> tuple[dict, Optional[tuple[int, str]]]:
        """The JSON payload, and what makes it malformed (status, message) if anything."""
        if len(request.body or b"") > MAX_BODY_BYTES:
            return {}, (413, f"the request body is larger than {MAX_BODY_BYTES // 1024} kB")
        if not (request.content_type or "").lower().startswith("application/json"):
            return {}, (415, "send JSON with Content-Type: application/json")
        try:
            payload = json.loads(request.body or b"")
        except (ValueError, UnicodeDecodeError):
            return {}, (400, "the body is not valid JSON")
        if not isinstance(payload, dict):
            return {}, (400, 'the body must be a JSON object: {"sender": "...", "message": "..."}')
        if not isinstance(payload.get("metadata", {}), dict):
            return payload, (400, "metadata must be a JSON object")
        return payload, None

    @staticmethod
    def _refusal(refused: Refused) -> response.HTTPResponse:
        if refused.reason is Refusal.RATE_LIMITED:
            return _error(429, refused.reply, **{"Retry-After": str(refused.retry_after)})
        if refused.reason is Refusal.MALFORMED:
            return _error(400, "message must be a string") if refused.problem == NOT_TEXT else _error(*refused.problem)
        if refused.reason is Refusal.BAD_SENDER:
            return _error(
                400, "sender must be 1-64 letters, digits or . _ : @ + - (starting with a letter, digit or +)"
            )
        # Empty or too long: a reply the patient can act on, as the assistant's own.
        return response.json([{"recipient_id": refused.sender, "text": refused.reply}])

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        bp = self.new_blueprint("patient_rest_webhook")

        @bp.post("/webhook")
        async def receive(request: Request):
            per_sender, per_ip = self._limits()
            payload, problem = self._parse(request)
            admitted = admit(
                payload.get("sender"),
                payload.get("message"),
                per_sender=per_sender,
                address=client_address(request),
                per_address=per_ip,
                malformed=problem,
            )
            if isinstance(admitted, Refused):
                return self._refusal(admitted)
            sender, text = admitted.sender, admitted.text
            collector = FlaggedCollectingOutput()
            message = UserMessage(
                text, collector, sender, input_channel=self.name(), metadata=payload.get("metadata") or None
            )
            await self.hand_over(on_new_message, message, request.app)
            return response.json(collector.messages)

        return bp
