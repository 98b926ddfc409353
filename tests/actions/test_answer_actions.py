"""The answer actions: what a patient sees and what the tracker records."""
from __future__ import annotations

import json

from sqlalchemy import select

from actions.answers import ActionAnswerFaq, ActionAnswerFollowup, ActionFallback, ActionNotCovered
from actions.feedback import ActionRecordFeedback
from pump_assistant import services
from pump_assistant.storage.models import AnswerFeedback, UnansweredQuestion
from pump_assistant.vocabulary import Channel, Intent
from tests.actions.conftest import make_tracker


def slot_events(events):
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def test_a_clear_question_gets_the_registry_answer_with_source_and_audit_metadata(dispatcher, registry):
    tracker = make_tracker("how often do refills happen", ranking=[("refills", 0.93), ("battery", 0.03)])
    events = ActionAnswerFaq().run(dispatcher, tracker, {})
    answer = registry.answers["refills"]
    first = dispatcher.messages[0]
    assert first["text"].startswith(answer.text)
    assert "Source: Intrathecal Pump - Effective Pain Management" in first["text"]
    assert first["answer_id"] == "refills" and first["answer_version"] == answer.version
    titles = [b["title"] for b in first["buttons"]]
    assert titles == [registry.answers[r].title for r in answer.related]
    assert json.loads(first["buttons"][0]["payload"].split("/choose_topic", 1)[1]) == {"topic": answer.related[0]}
    assert dispatcher.messages[1]["response"] == "utter_feedback_prompt"
    assert slot_events(events) == {"last_answer_id": "refills", "last_answer_version": answer.version}


def test_sms_gets_the_short_form_and_no_feedback_prompt(dispatcher, registry):
    tracker = make_tracker("battery?", ranking=[("battery", 0.9)], channel=Channel.SMS)
    ActionAnswerFaq().run(dispatcher, tracker, {})
    assert len(dispatcher.messages) == 1
    assert dispatcher.messages[0]["text"].startswith(registry.answers["battery"].sms + "\n\nSource:")


def test_a_quick_reply_topic_wins_over_the_classifier(dispatcher):
    tracker = make_tracker(
        '/choose_topic{"topic":"trial_success"}',
        intent=Intent.CHOOSE_TOPIC,
        entities=[{"entity": "topic", "value": "trial_success"}],
    )
    ActionAnswerFaq().run(dispatcher, tracker, {})
    assert dispatcher.messages[0]["answer_id"] == "trial_success"


def test_two_close_low_topics_get_did_you_mean(dispatcher):
    tracker = make_tracker("how long is it", ranking=[("trial_duration", 0.41), ("hospital_stay", 0.38)])
    ActionAnswerFaq().run(dispatcher, tracker, {})
    message = dispatcher.messages[0]
    assert message["response"] == "utter_did_you_mean"
    payloads = [b["payload"] for b in message["buttons"]]
    assert payloads[:2] == ['/choose_topic{"topic":"trial_duration"}', '/choose_topic{"topic":"hospital_stay"}']
    assert "answer_id" not in message


def test_a_low_but_clear_winner_is_answered(dispatcher):
    tracker = make_tracker("pump", ranking=[("what_is_pump", 0.45), ("parts_and_placement", 0.1)])
    ActionAnswerFaq().run(dispatcher, tracker, {})
    assert dispatcher.messages[0]["answer_id"] == "what_is_pump"


def test_how_long_after_the_trial_answer_means_the_trial(dispatcher, registry):
    tracker = make_tracker("how long does it take?", intent=Intent.FOLLOWUP_DURATION, slots={"last_answer_id": "trial"})
    ActionAnswerFollowup().run(dispatcher, tracker, {})
    assert dispatcher.messages[0]["answer_id"] == registry.answers["trial"].followups["duration"]


def test_how_long_with_nothing_before_asks_which_topic(dispatcher):
    tracker = make_tracker("how long does it take?", intent=Intent.FOLLOWUP_DURATION)
    events = ActionAnswerFollowup().run(dispatcher, tracker, {})
    assert events == []
    assert dispatcher.messages[0]["response"] == "utter_ask_followup_topic"
    assert dispatcher.messages[0]["buttons"]


def test_not_covered_says_so_offers_the_care_team_and_is_recorded(dispatcher):
    tracker = make_tracker("will my insurance pay for it", intent=Intent.NOT_COVERED)
    ActionNotCovered().run(dispatcher, tracker, {})
    message = dispatcher.messages[0]
    assert message["response"] == "utter_not_covered"
    assert message["clinic_phone"] == "(555) 010-0199"
    with services.database().session() as session:
        rows = session.execute(select(UnansweredQuestion)).scalars().all()
    assert [(r.kind, r.text) for r in rows] == [("not_covered", "will my insurance pay for it")]
    assert rows[0].conversation != "patient-1"  # pseudonymised


def test_fallback_between_two_topics_offers_both(dispatcher):
    tracker = make_tracker(
        "the thing about the tube",
        intent=Intent.NLU_FALLBACK,
        intent_ranking=[{"name": Intent.NLU_FALLBACK, "confidence": 0.4}, {"name": Intent.FAQ, "confidence": 0.35}],
        ranking=[("parts_and_placement", 0.5), ("what_is_pump", 0.3)],
    )
    ActionFallback().run(dispatcher, tracker, {})
    assert dispatcher.messages[0]["clarify"] == ["parts_and_placement", "what_is_pump"]


def test_fallback_without_a_pump_topic_says_it_has_no_approved_information(dispatcher):
    tracker = make_tracker(
        "blorp",
        intent=Intent.NLU_FALLBACK,
        intent_ranking=[{"name": Intent.NLU_FALLBACK, "confidence": 0.4}, {"name": "greet", "confidence": 0.3}],
    )
    ActionFallback().run(dispatcher, tracker, {})
    assert dispatcher.messages[0]["response"] == "utter_not_covered"


def test_feedback_is_kept_with_the_answer_id_and_version(dispatcher):
    tracker = make_tracker(
        "/feedback_not_helpful",
        intent=Intent.FEEDBACK_NOT_HELPFUL,
        slots={"last_answer_id": "battery", "last_answer_version": 1},
        history=[{"event": "user", "text": "how long does the battery last"}],
    )
    ActionRecordFeedback().run(dispatcher, tracker, {})
    assert dispatcher.messages[0]["response"] == "utter_feedback_sorry"
    with services.database().session() as session:
        feedback = session.execute(select(AnswerFeedback)).scalars().one()
        unanswered = session.execute(select(UnansweredQuestion)).scalars().one()
    assert (feedback.answer_id, feedback.answer_version, feedback.helpful) == ("battery", 1, False)
    assert (unanswered.kind, unanswered.text) == ("not_helpful", "how long does the battery last")
