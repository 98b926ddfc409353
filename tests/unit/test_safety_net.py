"""The rule-based emergency safety net, on its own (no classifier involved)."""
from __future__ import annotations

import pytest

from pump_assistant.nlp.safety import SafetyNet, findings_summary
from tests.support.nlu import component_with_model, parsed_message


@pytest.fixture(scope="module")
def net(nlp):
    return SafetyNet.from_file(nlp)


def signs(net, nlp, text):
    return {finding.sign for finding in net.check_text(text)}


@pytest.mark.parametrize(
    "text, sign",
    [
        ("I can't breathe", "breathing"),
        ("Breathing is really hard right now", "breathing"),
        ("my husband is super drowsy and wont wake up", "overdose"),
        ("I think I overdosed", "overdose"),
        ("High fever and a stiff neck since yesterday", "meningitis"),
        ("worst headache of my life after the refill", "meningitis"),
        ("my legs suddenly went numb", "leg_weakness"),
        ("I can't feel my legs", "leg_weakness"),
        ("I lost control of my bladder today", "bladder_bowel"),
        ("she is having a seizure", "seizure"),
        ("Dad is confused and seeing things", "confusion"),
        ("she says she hears voices telling her things since yesterday", "confusion"),
        ("grandpa keeps talking to people who are not there", "confusion"),
        ("he sees bugs that crawl on the wall", "confusion"),
        ("the pump ran dry on friday and my legs are locked up and I'm burning up", "withdrawal"),
        ("my wound has been bleeding for two hours and the gauze is soaked", "bleeding"),
        ("there is a heaviness in the centre of my chest", "chest_pain"),
        ("a pressure that goes into my jaw and I feel sick", "chest_pain"),
        ("ache going down my left arm", "chest_pain"),
        ("missed my baclofen refill, now fever and itching everywhere", "withdrawal"),
        ("the incision won't stop bleeding", "bleeding"),
        ("my face and throat are swelling", "swelling"),
        ("I have chest pain", "chest_pain"),
        ("I want to kill myself", "self_harm"),
        ("honestly I don't want to be here anymore", "self_harm"),
    ],
)
def test_each_emergency_sign_is_found(net, nlp, text, sign):
    assert sign in signs(net, nlp, text)


@pytest.mark.parametrize(
    "text",
    [
        "no fever and no trouble breathing, just asking about my refill date",
        "I'm not having any chest pain",
        "is paralysis a risk of the pump?",
        "what are the signs of an overdose I should watch for?",
        "can the pump cause seizures?",
        "I'm confused about how the trial works",
        "how often is the pump refilled?",
        "my breathing is fine",
        "my refill is late next week, can I move the appointment?",
        "is a little blood on the bandage normal after a refill?",
        "is hearing loss a side effect of the pump?",
        "does a baclofen pump actually reduce spasms",
        "there's a new bump near my scar that wasn't there before",
    ],
)
def test_negated_and_general_mentions_are_not_emergencies(net, nlp, text):
    assert signs(net, nlp, text) == set()


def test_a_negation_does_not_reach_past_but(net, nlp):
    assert "breathing" in signs(net, nlp, "no fever but I can't breathe")


def test_self_harm_is_flagged_for_988(net, nlp):
    summary = findings_summary(net.check_text("I keep thinking about ending my life"))
    assert summary == {"emergency": True, "self_harm": True, "signs": ["self_harm"], "dismissed": []}


def test_case_does_not_matter(net, nlp):
    assert signs(net, nlp, "CANT BREATHE") == {"breathing"}


def _component(nlp):
    from pump_assistant.rasa_ext.safety_net import EmergencySafetyNet

    return component_with_model(EmergencySafetyNet, nlp)


def test_component_overrides_any_intent_when_a_sign_is_found(nlp):
    component, model = _component(nlp)
    message = parsed_message(nlp, "how often is the refill, also I can't breathe", "faq", [{"name": "faq", "confidence": 0.9}])
    component.process([message], model)
    assert message.get("intent") == {"name": "emergency", "confidence": 1.0}
    assert message.get("safety")["signs"] == ["breathing"]


def test_component_lets_a_negated_sign_fall_back_to_the_next_intent(nlp):
    component, model = _component(nlp)
    ranking = [{"name": "emergency", "confidence": 0.6}, {"name": "faq", "confidence": 0.3}]
    message = parsed_message(nlp, "no fever and no trouble breathing, when is my refill due", "emergency", ranking)
    component.process([message], model)
    assert message.get("intent")["name"] == "faq"


def test_component_keeps_a_classifier_emergency_it_cannot_explain_away(nlp):
    component, model = _component(nlp)
    ranking = [{"name": "emergency", "confidence": 0.7}, {"name": "faq", "confidence": 0.2}]
    message = parsed_message(nlp, "something is really wrong with my husband", "emergency", ranking)
    component.process([message], model)
    assert message.get("intent")["name"] == "emergency"
