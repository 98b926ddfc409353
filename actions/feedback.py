"""Keep a patient's rating of an answer with that answer's id and version.

The rating belongs to the answer whose "did this help?" buttons were pressed, which is not always the latest
one: a patient may scroll up and press "No" under an earlier answer. Each button's payload names its answer
(``rated_message_id``, ``rated_answer_id``, ``rated_answer_version`` entities, see actions/answers.py), and the
answer is looked up by its message id in this conversation. A rating that names no answer (typed "that
helped", or a button from before answers carried their id) goes to the latest answer, as before.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import remember_unanswered
from actions.conversation import channel_of
from pump_assistant import services
from pump_assistant.config import get_settings
from pump_assistant.storage.records import record_feedback, record_unanswered
from pump_assistant.vocabulary import Intent

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RatedAnswer:
    answer_id: str
    version: int
    question: str | None = None  # what the patient typed before that answer, when the tracker still has it
    named: bool = False  # the rating's button named this answer (else: the latest answer)


def _entities(tracker: Tracker) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for entity in tracker.latest_message.get("entities") or []:
        if isinstance(entity, dict) and entity.get("entity") and entity["entity"] not in found:
            found[entity["entity"]] = entity.get("value")
    return found


def _version(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        version = int(value)
    except (TypeError, ValueError):
        return None
    return version if version >= 1 else None


def _question_before(events: list[dict[str, Any]], index: int) -> str | None:
    for event in reversed(events[:index]):
        if event.get("event") == "user":
            text = event.get("text") or ""
            if text and not text.startswith("/"):
                return text
    return None


def rated_answer(tracker: Tracker) -> RatedAnswer | None:
    """The answer this rating is about (see the module's docstring), or None when there is none."""
    named = _entities(tracker)
    message_id = named.get("rated_message_id")
    if isinstance(message_id, str) and message_id:
        events = list(tracker.events)
        for index in range(len(events) - 1, -1, -1):
            event = events[index]
            meta = event.get("metadata") if event.get("event") == "bot" else None
            if isinstance(meta, dict) and meta.get("answer_message_id") == message_id:
                version = _version(meta.get("answer_version"))
                if meta.get("answer_id") and version is not None:
                    return RatedAnswer(str(meta["answer_id"]), version, _question_before(events, index), named=True)
        # Not in the tracker any more (a long conversation's history is bounded): the button's own words,
        # if they name an answer the clinic has.
        answer_id, version = named.get("rated_answer_id"), _version(named.get("rated_answer_version"))
        registry = services.registry()
        if isinstance(answer_id, str) and answer_id in registry and version is not None:
            if version <= registry.answers[answer_id].version:
                return RatedAnswer(answer_id, version, named=True)
        logger.warning("a rating named an answer this conversation does not have; kept with the latest answer")
    answer_id = tracker.get_slot("last_answer_id")
    version = _version(tracker.get_slot("last_answer_version"))
    if answer_id and version is not None:
        return RatedAnswer(str(answer_id), version)
    return None


class ActionRecordFeedback(Action):
    def name(self) -> str:
        return "action_record_feedback"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        helpful = (tracker.latest_message.get("intent") or {}).get("name") == Intent.FEEDBACK_HELPFUL
        rated = rated_answer(tracker)
        if rated:
            try:
                record_feedback(
                    services.database(),
                    answer_id=rated.answer_id,
                    answer_version=rated.version,
                    helpful=helpful,
                    sender_id=tracker.sender_id,
                    channel=channel_of(tracker),
                )
            except Exception:
                logger.exception("could not record feedback")
        if helpful:
            dispatcher.utter_message(response="utter_feedback_thanks")
        else:
            topic = rated.answer_id if rated else None
            if rated and rated.named:
                # The question that answer was given to, not whatever was typed last (nothing if it is gone).
                try:
                    if rated.question:
                        record_unanswered(
                            services.database(),
                            kind="not_helpful",
                            text=rated.question,
                            sender_id=tracker.sender_id,
                            channel=channel_of(tracker),
                            topic_guess=topic,
                        )
                except Exception:
                    logger.exception("could not record an unanswered question")
            else:
                remember_unanswered(tracker, "not_helpful", topic_guess=topic)
            dispatcher.utter_message(
                response="utter_feedback_sorry", clinic_phone=get_settings().clinic_phone_or_generic
            )
        return []
