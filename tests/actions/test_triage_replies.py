"""What a reply carries from the triage decision: the 911 lines, the on-call line, the ticket's urgency."""
from __future__ import annotations

import pytest

from actions.answers import ActionAnswerFaq, ActionFallback, ActionNotCovered
from actions.handoff import ActionEmergency, ActionHandoff, ActionSubmitContact
from pump_assistant import services
from pump_assistant.answering import SAFETY_NOTE
from pump_assistant.triage.replies import POSSIBLE_LINE, POSSIBLE_SELF_HARM_LINE, SYMPTOM_LINE
from pump_assistant.vocabulary import Intent
from tests.actions.conftest import make_tracker

ALWAYS_CLOSED = "Mon 00:00-00:01"


def with_triage(tracker, **triage):
    tracker.latest_message["triage"] = {"level": "none", "symptom_named": False, "time_critical": False, **triage}
    return tracker


def slots(events):
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def texts(dispatcher):
    return [m.get("text") or m.get("response") for m in dispatcher.messages]


def test_a_possible_emergency_opens_with_the_911_line_and_raises_an_urgent_ticket(dispatcher):
    tracker = with_triage(make_tracker("how are refills done? my legs feel kind of weak lately",
                                       ranking=[("refills", 0.92)]), level="possible", symptom_named=True)
    ActionAnswerFaq().run(dispatcher, tracker, {})
    first = dispatcher.messages[0]["text"]
    assert first.startswith(POSSIBLE_LINE)
    assert first.endswith(SYMPTOM_LINE)
    tickets = services.tickets().list()
    assert [(t["urgency"], t["reason"]) for t in tickets] == [("urgent", "clinical")]
    assert tickets[0]["trigger_message"] == "how are refills done? my legs feel kind of weak lately"


def test_a_possible_emergency_hand_off_opens_with_911_and_988_where_self_harm_was_mentioned(dispatcher):
    tracker = with_triage(make_tracker("what's the point of any of this", intent=Intent.CLINICAL_QUESTION),
                          level="possible", self_harm=True)
    events = ActionHandoff().run(dispatcher, tracker, {})
    assert dispatcher.messages[0]["text"] == POSSIBLE_SELF_HARM_LINE and "988" in POSSIBLE_SELF_HARM_LINE
    assert dispatcher.messages[0]["urgent"] is True
    assert dispatcher.messages[1]["response"] == "utter_handoff_clinical"
    assert services.tickets().get(slots(events)["handoff_ticket_id"])["urgency"] == "urgent"


@pytest.mark.parametrize("action, tracker_args", [
    (ActionNotCovered, {"text": "my incision itches, what cream is good", "intent": Intent.NOT_COVERED}),
    (ActionFallback, {"text": "numbness thing??", "intent": Intent.NLU_FALLBACK}),
    (ActionHandoff, {"text": "can I take ibuprofen for the pain at my wound", "intent": Intent.CLINICAL_QUESTION}),
])
def test_fault9_every_reply_to_a_message_naming_a_symptom_ends_with_the_911_line(dispatcher, action, tracker_args):
    tracker = with_triage(make_tracker(**tracker_args), symptom_named=True)
    action().run(dispatcher, tracker, {})
    assert texts(dispatcher)[-1] == SYMPTOM_LINE


def test_a_reply_to_a_message_without_a_symptom_has_no_911_line(dispatcher):
    tracker = with_triage(make_tracker("how often is the pump refilled", ranking=[("refills", 0.95)]))
    ActionAnswerFaq().run(dispatcher, tracker, {})
    assert all(SYMPTOM_LINE not in (t or "") for t in texts(dispatcher))


@pytest.mark.parametrize("answer_id", ["side_effects", "risks", "recovery"])
def test_fault9_answers_about_symptoms_and_complications_end_with_the_911_line(dispatcher, answer_id):
    tracker = with_triage(make_tracker("what could go wrong", ranking=[(answer_id, 0.95)]))
    ActionAnswerFaq().run(dispatcher, tracker, {})
    body = dispatcher.messages[0]["text"].split("\n\nSource:")[0]
    assert body.endswith(SAFETY_NOTE)


def test_fault9_after_hours_a_pump_alarm_gets_the_on_call_line_never_when_we_open(dispatcher, monkeypatch):
    monkeypatch.setenv("CLINIC_HOURS", ALWAYS_CLOSED)
    monkeypatch.setenv("CLINIC_TIMEZONE", "UTC")
    monkeypatch.setenv("CLINIC_ONCALL_PHONE", "+1 555 010 0911")
    services.clear()
    tracker = with_triage(make_tracker("my pump alarm keeps beeping", intent=Intent.CLINICAL_QUESTION), time_critical=True)
    events = ActionHandoff().run(dispatcher, tracker, {})
    assert any("+1 555 010 0911" in (t or "") and "911" in (t or "") for t in texts(dispatcher))
    assert services.tickets().get(slots(events)["handoff_ticket_id"])["urgency"] == "urgent"
    # ... and the contact form's closing message says the same, not "when we open".
    done = make_tracker("after 6", intent=Intent.INFORM_CONTACT,
                        slots={**slots(events), "contact_consent": True, "contact_name": "Ana",
                               "contact_phone": "+15552220000", "contact_time": "after 6"})
    closing = type(dispatcher)()
    ActionSubmitContact().run(closing, done, {})
    assert "+1 555 010 0911" in closing.messages[0]["text"]
    assert closing.messages[0].get("response") != "utter_contact_saved_closed"


def test_fault8_harm_through_the_pump_gets_911_and_988(dispatcher):
    tracker = make_tracker("I want to overdose on my pump", intent=Intent.EMERGENCY, intent_confidence=1.0)
    with_triage(tracker, level="emergency", self_harm=True, via_pump=True, signs=["self_harm"])
    ActionEmergency().run(dispatcher, tracker, {})
    assert dispatcher.messages[0]["response"] == "utter_emergency_self_harm_pump"


def test_the_emergency_pump_self_harm_reply_names_911_and_988(domain_responses):
    text = domain_responses["utter_emergency_self_harm_pump"][0]["text"]
    assert "911" in text and "988" in text


@pytest.fixture
def domain_responses():
    import yaml
    from tests.conftest import ROOT

    return yaml.safe_load((ROOT / "domain.yml").read_text())["responses"]


def test_an_emergency_written_in_spanish_gets_the_911_reply_and_the_same_lines_in_spanish(dispatcher):
    from pump_assistant.triage.language import SPANISH_EMERGENCY_LINE

    tracker = with_triage(make_tracker("Mi esposo está convulsionando en el piso y no responde", intent=Intent.EMERGENCY),
                          level="emergency", language="es", categories=["seizure"])
    events = ActionEmergency().run(dispatcher, tracker, {})
    assert dispatcher.messages[0]["response"] == "utter_emergency"
    assert SPANISH_EMERGENCY_LINE in dispatcher.messages[1]["text"] and dispatcher.messages[1]["urgent"] is True
    services.drain()  # the ticket is written just after the reply
    assert services.tickets().get(slots(events)["handoff_ticket_id"])["urgency"] == "emergency"


def test_an_emergency_in_english_gets_no_second_language(dispatcher):
    tracker = with_triage(make_tracker("my husband is having a seizure and won't stop shaking", intent=Intent.EMERGENCY),
                          level="emergency", categories=["seizure"])
    ActionEmergency().run(dispatcher, tracker, {})
    assert [m.get("response") for m in dispatcher.messages] == ["utter_emergency"]
