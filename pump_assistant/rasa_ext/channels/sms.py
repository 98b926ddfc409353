"""The project's Twilio SMS channel (``POST /webhooks/sms/webhook``).

Rasa 3.6's built-in Twilio channel checks no signature, blocks the event loop
while sending, sends each button as its own text exposing intent payloads, and
fails with a 500 on a picture-only message. This one:

* refuses a request without a valid ``X-Twilio-Signature`` (403);
* answers a repeated ``MessageSid`` once only;
* acknowledges the webhook at once with empty TwiML and replies asynchronously;
* turns buttons into a numbered list (one choice per line) and maps "1"/"2"
  back to the choice for ``SMS_CHOICES_TTL_MINUTES``; later it is plain text;
* keeps each text within two segments by the real GSM-7/UCS-2 count, cut
  between sentences, a "Source:" line kept whole;
* honours STOP / START / HELP;
* answers a message with no text politely.
"""

from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text
from urllib.parse import parse_qsl

from rasa.core.channels.channel import OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from twilio.request_validator import RequestValidator

from pump_assistant import services
from pump_assistant.config import get_settings
from pump_assistant.inbound import Refusal, Refused, admit
from pump_assistant.rasa_ext.channels.base import PatientChannel
from pump_assistant.ratelimit import RateLimiter
from pump_assistant.sms import SMS_CHANNEL
from pump_assistant.sms.formatting import choice_for_reply, numbered_choices, split_for_sms
from pump_assistant.sms.state import SmsState
from pump_assistant.sms.twilio_api import TwilioApi, TwilioSendError

logger = logging.getLogger(__name__)

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
STOP_WORDS = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"}
START_WORDS = {"START", "YES", "UNSTOP"}
HELP_WORDS = {"HELP", "INFO"}
NO_TEXT_REPLY = (
    "Thanks for your message. I can only read text, not pictures or files. "
    "Please type your question. If this is an emergency, call 911."
)
START_REPLY = "You will get messages from the clinic's pump assistant again. Reply STOP to stop."


def help_reply() -> str:
    phone = get_settings().clinic_phone_or_generic
    return (
        "This is the clinic's automated assistant for intrathecal pump questions. "
        f"For your own care, call {phone}. In an emergency, call 911. Reply STOP to stop messages."
    )


def _masked(phone: str) -> str:
    return phone[:-4].translate(str.maketrans("0123456789", "**********")) + phone[-4:] if len(phone) > 4 else "****"


class SmsOutput(OutputChannel):
    def __init__(self, api: TwilioApi, state: SmsState):
        self._api = api
        self._state = state

    @classmethod
    def name(cls) -> Text:
        return SMS_CHANNEL

    async def _send(self, recipient_id: Text, text: Text) -> None:
        if self._state.opted_out(recipient_id):
            logger.info("not texting %s: opted out", _masked(recipient_id))
            return
        for part in split_for_sms(text):
            try:
                await self._api.send(recipient_id, part)
            except TwilioSendError:
                logger.exception("SMS to %s failed", _masked(recipient_id))
                return

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self._send(recipient_id, text)

    async def send_text_with_buttons(
        self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]], **kwargs: Any
    ) -> None:
        listing, choices = numbered_choices(buttons)
        self._state.remember_choices(recipient_id, choices)
        await self._send(recipient_id, f"{text}\n{listing}")

    async def send_quick_replies(
        self, recipient_id: Text, text: Text, quick_replies: List[Dict[Text, Any]], **kwargs: Any
    ) -> None:
        await self.send_text_with_buttons(recipient_id, text, quick_replies)

    async def send_image_url(self, recipient_id: Text, image: Text, **kwargs: Any) -> None:
        await self._send(recipient_id, image)

    async def send_attachment(self, recipient_id: Text, attachment: Text, **kwargs: Any) -> None:
        await self._send(recipient_id, str(attachment))

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any) -> None:
        return None  # nothing a phone could show


class SmsInput(PatientChannel):
    channel_name = SMS_CHANNEL

    def __init__(self) -> None:
        self._state: Optional[SmsState] = None
        self._api: Optional[TwilioApi] = None
        self._per_sender: Optional[RateLimiter] = None

    def _ready(self) -> tuple[SmsState, TwilioApi]:
        if self._state is None or self._api is None:
            settings = get_settings()
            self._state = SmsState(services.database(), choices_ttl_minutes=settings.sms_choices_ttl_minutes)
            self._api = TwilioApi(
                settings.twilio_account_sid,
                settings.twilio_auth_token,
                settings.twilio_number,
                settings.twilio_api_base,
            )
        return self._state, self._api

    def get_output_channel(self) -> OutputChannel:
        state, api = self._ready()
        return SmsOutput(api, state)

    def _signature_valid(self, request: Request, params: Dict[str, str]) -> bool:
        settings = get_settings()
        signature = request.headers.get("X-Twilio-Signature", "")
        if not settings.twilio_auth_token or not signature:
            return False
        url = settings.twilio_webhook_url or request.url
        return RequestValidator(settings.twilio_auth_token).validate(url, params, signature)

    def _rate_limit(self) -> RateLimiter:
        # Per phone number only: every request comes from Twilio's addresses.
        if self._per_sender is None:
            self._per_sender = self.rate_limiter(get_settings().rate_limit_per_sender, "sms_sender")
        return self._per_sender

    @staticmethod
    def _parse(request: Request) -> tuple[Dict[str, str], Optional[tuple[int, str]]]:
        """Twilio's form parameters, and what makes the request malformed (status, message) if anything."""
        if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            return {}, (415, "expected a form-encoded Twilio request")
        try:
            # Blank values kept: Twilio signs every parameter, "Body=" included.
            return dict(parse_qsl(request.body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)), None
        except (UnicodeDecodeError, ValueError):
            return {}, (400, "expected a form-encoded Twilio request")

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        bp = self.new_blueprint("sms_webhook")

        @bp.post("/webhook")
        async def receive(request: Request):
            params, problem = self._parse(request)
            if problem is None and not self._signature_valid(request, params):
                return response.text("invalid or missing Twilio signature", status=403)
            sid = params.get("MessageSid") or ""
            if problem is None and not (params.get("From") and sid):
                problem = (400, "From and MessageSid are required")
            state, api = self._ready()
            twiml = response.text(EMPTY_TWIML, content_type="text/xml")
            if problem is None and not state.first_delivery(sid):
                return twiml  # Twilio's retry of a message already taken: neither counted nor answered again
            admitted = admit(
                params.get("From"), params.get("Body") or "", per_sender=self._rate_limit(), malformed=problem
            )
            output = SmsOutput(api, state)
            if isinstance(admitted, Refused):
                if admitted.reason is Refusal.MALFORMED:
                    return response.text(admitted.problem[1], status=admitted.problem[0])
                if admitted.reason is Refusal.BAD_SENDER:
                    return response.text("From and MessageSid are required", status=400)
                if admitted.reason is Refusal.RATE_LIMITED:
                    logger.warning("SMS from %s over the rate limit", _masked(admitted.sender or ""))
                    return response.text(admitted.reply, status=429, headers={"Retry-After": str(admitted.retry_after)})
                reply = NO_TEXT_REPLY if admitted.reason is Refusal.EMPTY else admitted.reply
                if admitted.sender:  # a refusal without one is BAD_SENDER, answered above
                    request.app.add_task(output.send_text_message(admitted.sender, reply))
                return twiml
            sender, text = admitted.sender, admitted.text
            keyword = text.upper()
            if keyword in STOP_WORDS:
                state.opt_out(sender)
                return twiml
            if keyword in START_WORDS and state.opted_out(sender):
                state.opt_in(sender)
                request.app.add_task(output.send_text_message(sender, START_REPLY))
                return twiml
            if keyword in HELP_WORDS:
                request.app.add_task(output.send_text_message(sender, help_reply()))
                return twiml
            choices = state.choices(sender)
            payload = choice_for_reply(text, choices) if choices else None
            message = UserMessage(
                payload or text,
                output,
                sender,
                input_channel=SMS_CHANNEL,
                metadata={"message_sid": sid},
            )
            request.app.add_task(self.hand_over(on_new_message, message, request.app))
            return twiml

        return bp
