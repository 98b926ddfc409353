"""Answer pump questions from the approved registry."""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import answer_choice, channel_of, last_typed_text, latest_intent, triage_of
from pump_assistant import answering, services
from pump_assistant.config import get_settings
from pump_assistant.content import Answer
from pump_assistant.sms import SMS_CHANNEL
from pump_assistant.storage.records import record_unanswered
from pump_assistant.triage import replies
from pump_assistant.triage.levels import POSSIBLE
from pump_assistant.vocabulary import AnswerKind, Intent, TicketReason, Urgency

logger = logging.getLogger(__name__)


def send_answer(dispatcher: CollectingDispatcher, tracker: Tracker, answer: Answer) -> list[dict[str, Any]]:
    from actions.handoff import raise_ticket  # one module raises tickets

    triage = triage_of(tracker)
    reply = answering.render_answer(services.registry(), answer, channel_of(tracker))
    # A possible emergency opens with the 911 line; a named symptom ends with one.
    text = replies.with_lines(reply.text, triage)
    # This answer's own id in the conversation: its "did this help?" buttons name it, so a rating given later
    # (after other answers) is kept with this answer, not with whichever came last.
    message_id = uuid.uuid4().hex
    dispatcher.utter_message(text=text, buttons=reply.buttons, answer_message_id=message_id, **reply.metadata)
    if channel_of(tracker) != SMS_CHANNEL and not triage.symptom_named:
        dispatcher.utter_message(
            response="utter_feedback_prompt",
            buttons=feedback_buttons(answer, message_id),
            rates_answer_message_id=message_id,
        )
    if triage.level == POSSIBLE or triage.time_critical:
        # The question is answered, and staff see it too: an urgent ticket.
        try:
            raise_ticket(tracker, TicketReason.CLINICAL, Urgency.URGENT)
        except Exception:
            logger.exception("could not raise an urgent ticket for a possible emergency")
    return [SlotSet("last_answer_id", answer.id), SlotSet("last_answer_version", answer.version)]


FEEDBACK_CHOICES = (("Yes, it helped", Intent.FEEDBACK_HELPFUL), ("No", Intent.FEEDBACK_NOT_HELPFUL))


def feedback_buttons(answer: Answer, message_id: str) -> list[dict[str, str]]:
    """ "Yes" / "No" for one answer: each payload carries the answer's id, version and message id as entities."""
    rated = json.dumps(
        {"rated_answer_id": answer.id, "rated_answer_version": answer.version, "rated_message_id": message_id},
        separators=(",", ":"),
    )
    return [{"title": title, "payload": f"/{intent}{rated}"} for title, intent in FEEDBACK_CHOICES]


def send_closing_line(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    line = replies.closing_line(triage_of(tracker))
    if line:
        dispatcher.utter_message(text=line)


def offer_choices(dispatcher: CollectingDispatcher, answer_ids) -> None:
    dispatcher.utter_message(
        response="utter_did_you_mean",
        buttons=answering.clarify_buttons(services.registry(), answer_ids),
        clarify=list(answer_ids),
    )


def remember_unanswered(tracker: Tracker, kind: str, topic_guess: str | None = None) -> None:
    text = last_typed_text(tracker)
    if not text:
        return
    try:
        record_unanswered(
            services.database(),
            kind=kind,
            text=text,
            sender_id=tracker.sender_id,
            channel=channel_of(tracker),
            topic_guess=topic_guess,
        )
    except Exception:  # the patient still gets a reply; staff lose one row of analytics
        logger.exception("could not record an unanswered question")


def say_not_covered(dispatcher: CollectingDispatcher, tracker: Tracker, reason: str) -> list[dict]:
    """No approved answer: the question is kept for review (``reason``), the patient gets the clinic's
    number and the closing line."""
    remember_unanswered(tracker, reason)
    dispatcher.utter_message(response="utter_not_covered", clinic_phone=get_settings().clinic_phone_or_generic)
    send_closing_line(dispatcher, tracker)
    return []


class ActionAnswerFaq(Action):
    def name(self) -> str:
        return "action_answer_faq"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        registry, choice = answer_choice(tracker)
        if choice.kind == AnswerKind.ANSWER:
            return send_answer(dispatcher, tracker, registry.answers[choice.answer_ids[0]])
        if choice.kind == AnswerKind.CLARIFY:
            offer_choices(dispatcher, choice.answer_ids)
            send_closing_line(dispatcher, tracker)
            return []
        return say_not_covered(dispatcher, tracker, "fallback")


class ActionAnswerFollowup(Action):
    """A bare "how long does that take?" or "tell me more", read against the last answer."""

    KIND_BY_INTENT: dict[str, str] = {Intent.FOLLOWUP_DURATION: "duration", Intent.FOLLOWUP_MORE: "more"}

    def name(self) -> str:
        return "action_answer_followup"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        registry = services.registry()
        kind = self.KIND_BY_INTENT.get(latest_intent(tracker) or "", "more")
        last = tracker.get_slot("last_answer_id")
        target = answering.resolve_followup(registry, last, kind)
        if target:
            return send_answer(dispatcher, tracker, registry.answers[target])
        # No earlier answer, or nothing to add about it: let the patient pick.
        options = (
            list(registry.answers[last].related)
            if last in registry
            else ["trial_duration", "implant_procedure", "recovery"]
        )
        dispatcher.utter_message(
            response="utter_ask_followup_topic",
            buttons=[answering.topic_button(registry, option) for option in options],
        )
        send_closing_line(dispatcher, tracker)
        return []


class ActionNotCovered(Action):
    def name(self) -> str:
        return "action_not_covered"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        return say_not_covered(dispatcher, tracker, "not_covered")


class ActionFallback(Action):
    """Low NLU confidence: offer the two closest topics, or say plainly we can't answer."""

    def name(self) -> str:
        return "action_fallback"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        registry = services.registry()
        ranking = tracker.latest_message.get("intent_ranking") or []
        top_intents = [item.get("name") for item in ranking if item.get("name") != Intent.NLU_FALLBACK][:2]
        ranked = answering.ranked_topics(tracker.latest_message, registry)
        if answering.FAQ_INTENT in top_intents and ranked:
            candidates = [answer_id for answer_id, _ in ranked[:2]]
            remember_unanswered(tracker, "fallback", topic_guess=candidates[0])
            offer_choices(dispatcher, candidates)
            send_closing_line(dispatcher, tracker)
            return []
        return say_not_covered(dispatcher, tracker, "fallback")
