"""Keep a patient's rating of an answer with that answer's id and version."""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import remember_unanswered
from actions.conversation import channel_of
from pump_assistant import services
from pump_assistant.config import get_settings
from pump_assistant.storage.records import record_feedback

logger = logging.getLogger(__name__)


class ActionRecordFeedback(Action):
    def name(self) -> Text:
        return "action_record_feedback"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict]:
        helpful = (tracker.latest_message.get("intent") or {}).get("name") == "feedback_helpful"
        answer_id = tracker.get_slot("last_answer_id")
        version = tracker.get_slot("last_answer_version")
        if answer_id and version is not None:
            try:
                record_feedback(
                    services.database(),
                    answer_id=answer_id,
                    answer_version=int(version),
                    helpful=helpful,
                    sender_id=tracker.sender_id,
                    channel=channel_of(tracker),
                )
            except Exception:
                logger.exception("could not record feedback")
        if helpful:
            dispatcher.utter_message(response="utter_feedback_thanks")
        else:
            remember_unanswered(tracker, "not_helpful", topic_guess=answer_id)
            dispatcher.utter_message(response="utter_feedback_sorry", clinic_phone=get_settings().clinic_phone_or_generic)
        return []
