"""A rating is kept with the answer whose "did this help?" buttons were pressed, not with the latest answer."""
from __future__ import annotations

import pytest
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.answers import ActionAnswerFaq
from actions.feedback import ActionRecordFeedback
from pump_assistant import services
from pump_assistant.storage.models import AnswerFeedback, UnansweredQuestion
from pump_assistant.vocabulary import Intent
from tests.actions.conftest import make_tracker
from tests.conftest import ROOT

BOT_DATA_KEYS = ("elements", "quick_replies", "buttons", "attachment", "image", "custom")


def bot_events(messages: list[dict], at: float) -> list[dict]:
    """The bot events Rasa stores for an action's messages: what is not text or display data is metadata."""
    events = []
    for i, message in enumerate(messages):
        message = dict(message)
        text = message.pop("text", None)
        data = {key: message.pop(key, None) for key in BOT_DATA_KEYS}
        events.append({"event": "bot", "text": text, "data": data, "metadata": message, "timestamp": at + i / 10})
    return events


@pytest.fixture(scope="module")
def parse_payload():
    """Rasa's own reading of a button payload ("/intent{entities}") against the project's domain."""
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader
    from rasa.shared.nlu.training_data.message import Message

    domain = Domain.load(str(ROOT / "domain.yml"))

    def parse(payload: str) -> dict:
        message = YAMLStoryReader.unpack_regex_message(Message(data={"text": payload}), domain)
        return {"intent": message.get("intent")["name"], "entities": message.get("entities") or []}

    return parse


def answer(question: str, topic: str, history: list[dict], at: float) -> tuple[list[dict], dict]:
    """The patient asks, action_answer_faq answers: the conversation's events afterwards, and the slots it set."""
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(question, ranking=[(topic, 0.95)], history=history)
    events = ActionAnswerFaq().run(dispatcher, tracker, {})
    slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    asked = tracker.events[-1] | {"timestamp": at}
    return [*history, asked, *bot_events(dispatcher.messages, at + 0.01)], slots


def feedback_buttons(events: list[dict], answer_id: str) -> dict[str, str]:
    """The "did this help?" buttons that follow the answer answer_id: {title: payload}."""
    for i, event in enumerate(events):
        if event["event"] == "bot" and event["metadata"].get("answer_id") == answer_id:
            prompt = events[i + 1]
            assert prompt["metadata"]["response"] == "utter_feedback_prompt"
            return {b["title"]: b["payload"] for b in prompt["data"]["buttons"]}
    raise AssertionError(f"no answer {answer_id}")


def press(parse_payload, payload: str, events: list[dict], slots: dict) -> CollectingDispatcher:
    parsed = parse_payload(payload)
    tracker = make_tracker(payload, intent=parsed["intent"], intent_confidence=1.0, entities=parsed["entities"],
                           slots=slots, history=events, channel="socketio")
    dispatcher = CollectingDispatcher()
    assert ActionRecordFeedback().run(dispatcher, tracker, {}) == []
    return dispatcher


def stored():
    with services.database().session() as session:
        feedback = [(f.answer_id, f.answer_version, f.helpful) for f in session.execute(select(AnswerFeedback)).scalars()]
        unanswered = [(u.kind, u.text, u.topic_guess) for u in session.execute(select(UnansweredQuestion)).scalars()]
    return feedback, unanswered


REFILLS_Q = "¿How often is the pump refilled? My mother’s appointment card — the one from the hospital in São Paulo — says “every 3 months” 💊"
BATTERY_Q = "and how long does the battery last before it has to be replaced? " + "I read different things online. " * 20


def test_no_on_an_older_answer_is_kept_with_that_answer_not_the_latest(registry, parse_payload):
    events, _ = answer(REFILLS_Q, "refills", [], at=1_700_000_000.0)
    events, slots = answer(BATTERY_Q, "battery", events, at=1_700_000_060.0)
    assert slots["last_answer_id"] == "battery"  # the latest answer is the battery one

    older = feedback_buttons(events, "refills")
    assert set(older) == {"Yes, it helped", "No"}
    refills_message = next(e for e in events if e.get("metadata", {}).get("answer_id") == "refills")["metadata"]["answer_message_id"]
    parsed = parse_payload(older["No"])
    assert parsed["intent"] == Intent.FEEDBACK_NOT_HELPFUL
    assert {e["entity"]: e["value"] for e in parsed["entities"]} == {
        "rated_answer_id": "refills",
        "rated_answer_version": registry.answers["refills"].version,
        "rated_message_id": refills_message,
    }

    dispatcher = press(parse_payload, older["No"], events, slots)
    assert dispatcher.messages[0]["response"] == "utter_feedback_sorry"
    feedback, unanswered = stored()
    assert feedback == [("refills", registry.answers["refills"].version, False)]
    # The question the rated answer was given to, not the latest one typed.
    assert unanswered == [("not_helpful", REFILLS_Q, "refills")]

    # And "Yes" under the latest answer is kept with the latest.
    press(parse_payload, feedback_buttons(events, "battery")["Yes, it helped"], events, slots)
    feedback, _ = stored()
    assert feedback[1] == ("battery", registry.answers["battery"].version, True)


def test_each_answer_has_its_own_message_id(parse_payload):
    events, _ = answer("how often is the pump refilled", "refills", [], at=1_700_000_000.0)
    events, _ = answer("how often is the pump refilled, again?", "refills", events, at=1_700_000_100.0)
    ids = [e["metadata"]["answer_message_id"] for e in events if e["event"] == "bot" and e["metadata"].get("answer_id")]
    assert len(ids) == 2 and len(set(ids)) == 2
    prompts = [e for e in events if e["event"] == "bot" and e["metadata"].get("response") == "utter_feedback_prompt"]
    assert [p["metadata"]["rates_answer_message_id"] for p in prompts] == ids


def test_an_answer_gone_from_a_long_conversations_history_is_rated_by_the_buttons_words(registry, parse_payload):
    events, _ = answer("how often is the pump refilled", "refills", [], at=1_700_000_000.0)
    no = feedback_buttons(events, "refills")["No"]
    events, slots = answer("how long does the battery last", "battery", events, at=1_700_000_060.0)
    # The tracker the action server gets keeps a window of the latest events: the refills answer is gone.
    recent = [e for e in events if e.get("timestamp", 0) >= 1_700_000_060.0]
    press(parse_payload, no, recent, slots)
    feedback, unanswered = stored()
    assert feedback == [("refills", registry.answers["refills"].version, False)]
    assert unanswered == []  # its question is gone too; nothing wrong is recorded in its place


def test_a_button_naming_an_answer_the_clinic_does_not_have_rates_the_latest(registry, parse_payload):
    events, slots = answer("how long does the battery last", "battery", [], at=1_700_000_000.0)
    forged = '/feedback_helpful{"rated_answer_id":"not_an_answer","rated_answer_version":7,"rated_message_id":"' + "0" * 32 + '"}'
    press(parse_payload, forged, events, slots)
    assert stored()[0] == [("battery", registry.answers["battery"].version, True)]


def test_a_newer_version_than_the_registry_has_is_not_believed(registry, parse_payload):
    events, slots = answer("how long does the battery last", "battery", [], at=1_700_000_000.0)
    version = registry.answers["refills"].version + 1
    forged = '/feedback_helpful{"rated_answer_id":"refills","rated_answer_version":%d,"rated_message_id":"%s"}' % (version, "f" * 32)
    press(parse_payload, forged, events, slots)
    assert stored()[0] == [("battery", registry.answers["battery"].version, True)]
