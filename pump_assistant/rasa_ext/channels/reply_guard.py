"""No silence: every message a patient sends gets a reply, even when a part is down.

When the action server is unreachable, Rasa logs the failed action and answers
nothing; an emergency would then get no 911 advice. The channels hand each
message to :func:`handle_with_reply_guard`: if the turn produced no reply (or
failed), the patient gets a safe message with the clinic's number and the
emergency advice, and what they wrote is kept as a ticket for staff whenever
the assistant had understood it as needing a person (or could not tell).
"""

from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import OutputChannel, UserMessage

from pump_assistant import services
from pump_assistant.config import get_settings
from pump_assistant.storage.tickets import TicketDraft
from pump_assistant.vocabulary import TICKET_REASON_BY_INTENT, TicketReason

logger = logging.getLogger(__name__)


def safe_reply() -> str:
    phone = get_settings().clinic_phone_or_generic
    return (
        "I'm sorry, I can't answer right now. If this is an emergency, call 911 now "
        "(or 988 if you are having thoughts of suicide or self-harm). "
        f"For anything else, please call the clinic at {phone}."
    )


class CountingOutput(OutputChannel):
    """Passes every bot message on to the real channel and counts them."""

    def __init__(self, inner: OutputChannel):
        self.inner = inner
        self.sent = 0

    def name(self) -> Text:  # the wrapped channel's name, per instance
        return self.inner.name()

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        self.sent += 1
        await self.inner.send_response(recipient_id, message)


async def _intent_of_last_turn(agent: Any, sender_id: str) -> Optional[str]:
    if agent is None or getattr(agent, "tracker_store", None) is None:
        return None
    try:
        tracker = await agent.tracker_store.retrieve(sender_id)
    except Exception:
        logger.warning("conversation store unavailable while replying safely")
        return None
    if tracker is None:
        return None
    return (tracker.latest_message.intent or {}).get("name") if tracker.latest_message else None


def _keep_for_staff(message: UserMessage, reason: str) -> None:
    try:
        draft = TicketDraft(
            sender_id=message.sender_id,
            channel=message.input_channel or "unknown",
            reason=reason,
            trigger_message=message.text or "",
            transcript=[{"role": "patient", "text": message.text or ""}],
        )
        ticket_id, stored = services.tickets().raise_ticket(draft)
        logger.info("kept an unanswered message as ticket %s (reason=%s, stored_now=%s)", ticket_id, reason, stored)
    except Exception:
        logger.exception("could not keep an unanswered message for staff")


async def handle_with_reply_guard(
    on_new_message: Callable[[UserMessage], Awaitable[Any]], message: UserMessage, agent: Any = None
) -> bool:
    """Handle ``message``; returns True when the assistant answered, False when the safe reply stood in."""
    counting = CountingOutput(message.output_channel)
    message.output_channel = counting
    try:
        await on_new_message(message)
    except Exception:
        logger.exception("handling a message from conversation %s failed", message.sender_id[-4:])
    if counting.sent:
        return True
    logger.warning("no reply for a message in conversation ...%s: sending the safe reply", message.sender_id[-4:])
    try:
        await counting.inner.send_response(message.sender_id, {"text": safe_reply()})
    except Exception:
        logger.exception("could not send the safe reply")
    intent = await _intent_of_last_turn(agent, message.sender_id)
    # Unknown intent (the conversation store itself failed): keep the words, a person decides.
    reason = TICKET_REASON_BY_INTENT.get(intent or "", None if intent else TicketReason.REQUEST)
    if reason:
        _keep_for_staff(message, reason)
    return False
