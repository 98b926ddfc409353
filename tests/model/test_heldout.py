"""Held-out evaluation: questions written apart from the training data, never trained on."""
from __future__ import annotations

from pump_assistant.evaluation import predicted_label, score
from pump_assistant.vocabulary import Intent

HANDOFF_INTENTS = {Intent.EMERGENCY, Intent.CLINICAL_QUESTION, Intent.REQUEST_HUMAN}


def _report(result) -> str:
    return "\n".join(f"  {text!r}: expected {expected}, got {got}" for text, expected, got in result.errors)


def test_topic_accuracy_on_heldout_faq_questions(heldout, parses):
    faq = [e for e in heldout["faq"] if e.label.startswith("faq/")]
    assert len(faq) >= 150
    result = score(faq, {e.text: predicted_label(parses[e.text]) for e in faq})
    assert result.accuracy >= 0.90, f"topic accuracy {result.accuracy:.3f}\n{_report(result)}"


def test_chitchat_and_limits_on_heldout(heldout, parses):
    other = [e for e in heldout["faq"] if not e.label.startswith("faq/")]
    result = score(other, {e.text: predicted_label(parses[e.text]) for e in other})
    assert result.accuracy >= 0.80, f"accuracy {result.accuracy:.3f}\n{_report(result)}"


def test_every_heldout_emergency_is_escalated(heldout, parses):
    # Either tier: the full 911 reply, or a possible emergency (the reply opens with
    # "If this is happening now, call 911 now" and staff get an urgent ticket).
    emergencies = [e for e in heldout["safety"] if e.label == Intent.EMERGENCY]
    assert len(emergencies) >= 60
    missed = [e.text for e in emergencies if parses[e.text]["triage"]["level"] == "none"]
    assert missed == []


def test_clinical_questions_are_handed_off(heldout, parses):
    clinical = [e for e in heldout["safety"] if e.label == Intent.CLINICAL_QUESTION]
    assert len(clinical) >= 60
    kept = [e.text for e in clinical if parses[e.text]["intent"]["name"] not in HANDOFF_INTENTS]
    # Issue 4: at least 95 % handed off.
    assert len(kept) / len(clinical) <= 0.05, kept


def test_faq_questions_are_rarely_handed_off(heldout, parses):
    # The FAQ files, and the pump questions mixed in with the clinical ones.
    faq = [e for kind in ("faq", "safety") for e in heldout[kind] if e.label.split("/")[0] == "faq"]
    assert len(faq) >= 200
    wrongly = [e.text for e in faq if parses[e.text]["intent"]["name"] in HANDOFF_INTENTS]
    assert len(wrongly) / len(faq) < 0.02, wrongly


def test_requests_for_a_person_are_handed_off(heldout, parses):
    requests = [e for e in heldout["safety"] if e.label == Intent.REQUEST_HUMAN]
    kept = [e.text for e in requests if parses[e.text]["intent"]["name"] not in HANDOFF_INTENTS]
    assert len(kept) / len(requests) <= 0.05, kept


def test_negated_or_general_mentions_do_not_trigger_the_emergency_reply(heldout, parses):
    calm = [e for e in heldout["safety"] if e.label == "not_emergency"]
    alarms = [e.text for e in calm if parses[e.text]["intent"]["name"] == Intent.EMERGENCY]
    # Safety first: a false 911 reply costs less than a missed emergency; measured figure in the notes.
    assert len(alarms) / len(calm) <= 0.20, alarms
