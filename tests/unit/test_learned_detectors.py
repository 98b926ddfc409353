"""The learned detectors (emergency, self-harm): their arithmetic, their data and their place in the decision."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml
from sklearn.feature_extraction.text import TfidfVectorizer

from pump_assistant.triage import EMERGENCY, NONE, POSSIBLE, Triager
from pump_assistant.triage.decision import (
    EMERGENCY_VOTE,
    RULES_CHECKED_BELOW,
    SELF_HARM_ADDS_988,
    SELF_HARM_OVERRIDES_RULES,
    SELF_HARM_VOTE,
    decide,
)
from pump_assistant.triage.evaluation import retired_sets, set_statuses
from pump_assistant.triage.learned import LinearTextModel, fit, load_examples, load_retired_sets, terms
from pump_assistant.triage.replies import opening_line

ROOT = Path(__file__).resolve().parents[2]
BLIND = ROOT / "tests" / "heldout" / "blind"
CORPUS = [
    "I keep pressing the bolus button, not for the pain",
    "how often does the pump need a refill?",
    "the nurse could leave the reservoir extra full, I have plans for it",
    "Can I swim after the implant? Ça va, the wound is healed",
    "who programs the pump and how often",
    "I'm done with all of it, I want the pump to run dry",
]


def _vectors(count: int, width: int = 8, seed: int = 3) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(count, width)).astype(np.float32)


def test_terms_are_the_words_and_word_pairs_scikit_learn_reads():
    vectorizer = TfidfVectorizer(ngram_range=(1, 2)).fit(CORPUS)
    analyse = vectorizer.build_analyzer()
    for text in CORPUS:
        assert terms(text) == analyse(text)


def test_its_tfidf_equals_scikit_learns():
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), min_df=1, sublinear_tf=True).fit(CORPUS)
    width = len(vectorizer.vocabulary_)
    model = LinearTextModel(np.zeros(8, np.float32), vectorizer.vocabulary_, vectorizer.idf_, np.zeros(width), 0.0)
    text = "pressing the button the button again, not for the pain, the pump"
    columns, values = model.tfidf(text)
    expected = vectorizer.transform([text]).toarray()[0]
    mine = np.zeros(width)
    mine[columns] = values
    assert np.allclose(mine, expected)
    assert model.tfidf("zzz qqq") == ([], pytest.approx(np.zeros(0)))


def test_a_fitted_model_survives_the_trip_through_the_models_arrays():
    positives = [(text, vector) for text, vector in zip(CORPUS[::2], _vectors(3), strict=True)]
    negatives = [(text, vector) for text, vector in zip(CORPUS[1::2], _vectors(3, seed=4), strict=True)]
    model = fit(positives, negatives, c=10.0)
    again = LinearTextModel.from_arrays(dict(model.to_arrays("self_harm")), "self_harm")
    probe = _vectors(1, seed=9)[0]
    for text in (*CORPUS, "a message of words it never saw 💬"):
        assert again.probability(text, probe) == pytest.approx(model.probability(text, probe))
    # It learned its classes: each training example is on its own side.
    assert all(model.probability(t, v) > 0.5 for t, v in positives)
    assert all(model.probability(t, v) < 0.5 for t, v in negatives)
    assert LinearTextModel.from_arrays({"bank": np.zeros(1)}, "self_harm") is None


def test_its_examples_file_holds_indirect_thoughts_of_self_harm():
    examples = load_examples()
    assert len(examples) >= 300
    assert len(set(examples)) == len(examples)


@pytest.fixture(scope="module")
def triager(nlp):
    return Triager(nlp)


def _decide(triager, text, probability, intent=None, emergency=None):
    doc = triager.doc(text)
    return decide(doc.text, triager.rules.detect(doc), intent, None, None, None, probability, emergency)


def test_a_confident_self_harm_vote_is_a_possible_emergency_with_988(triager):
    text = "the nurse could leave the reservoir extra full this time, I have my own plans for it"
    result = _decide(triager, text, SELF_HARM_VOTE + 0.01)
    assert result.level == POSSIBLE
    assert result.self_harm and result.via_pump
    assert "self_harm" in result.categories
    assert "988" in opening_line(result)
    assert _decide(triager, text, SELF_HARM_VOTE - 0.01).level == NONE


def test_a_message_that_only_denies_self_harm_gets_no_vote(triager):
    text = "no thoughts of hurting myself at all, just wondering when my refill is due"
    assert _decide(triager, text, 0.99).level == NONE


def test_a_likely_self_harm_reading_adds_988_to_an_emergency_something_else_raised(triager):
    text = "he's very hard to wake up and his breathing is slow"
    below = _decide(triager, text, SELF_HARM_ADDS_988 - 0.05, {"name": "emergency", "confidence": 0.95})
    above = _decide(triager, text, SELF_HARM_ADDS_988 + 0.05, {"name": "emergency", "confidence": 0.95})
    assert above.level == EMERGENCY and above.self_harm
    assert below.level == EMERGENCY and not below.self_harm
    assert above.evidence["self_harm_probability"] == pytest.approx(SELF_HARM_ADDS_988 + 0.05, abs=1e-3)


def test_a_nearly_sure_self_harm_reading_adds_988_though_the_rules_set_the_words_aside(triager):
    # Raised by the fever and the stiff neck; the rules read the self-harm words as past. The
    # detector that has learnt how such words are meant adds 988 only when it is nearly sure.
    text = "fever 103 and a stiff neck since noon. years ago I wanted to end my life"
    sure = _decide(triager, text, SELF_HARM_OVERRIDES_RULES + 0.02)
    likely = _decide(triager, text, SELF_HARM_OVERRIDES_RULES - 0.05)
    assert sure.level == likely.level == EMERGENCY
    assert sure.self_harm and not likely.self_harm
    # A denial stays the writer's own word on it, however sure the detector.
    denied = "fever 103 and a stiff neck since noon. no thoughts of ending my life, none"
    assert not _decide(triager, denied, 0.99).self_harm


def test_the_classifier_and_the_emergency_model_together_raise_a_possible_emergency_over_a_denial(triager):
    text = "no fever, no stiff neck. the headache only comes when I stand and I don't have it lying down"
    unsure = {"name": "emergency", "confidence": 0.62}
    both = _decide(triager, text, 0.0, unsure, emergency=EMERGENCY_VOTE + 0.05)
    assert both.level == POSSIBLE and both.detectors["agreement"] == POSSIBLE
    # each alone gives way to the rules' reading
    assert "agreement" not in _decide(triager, text, 0.0, unsure, emergency=EMERGENCY_VOTE - 0.05).detectors
    assert "agreement" not in _decide(triager, text, 0.0, None, emergency=0.99).detectors


def test_a_confident_emergency_model_is_a_possible_emergency_but_never_over_a_denial(triager):
    text = "it's my mom, please, something is really wrong with her"
    assert _decide(triager, text, 0.1).level == NONE
    assert _decide(triager, text, 0.1, emergency=EMERGENCY_VOTE + 0.01).level == POSSIBLE
    assert _decide(triager, text, 0.1, emergency=EMERGENCY_VOTE - 0.01).level == NONE
    denied = "no chest pain, no trouble breathing and no fever today."
    assert _decide(triager, denied, 0.1, emergency=0.99).level == NONE


def _blind_sets():
    """Safety sets not marked **tuning**: still blind, never trained on."""
    statuses = set_statuses(BLIND)
    return [f"{name}.yml" for name in statuses if name.startswith("safety_") and name not in retired_sets(BLIND)]


def test_the_learned_detectors_train_on_retired_sets_only():
    retired = load_retired_sets()
    assert len(retired) >= 5000
    assert {r.emergency for r in retired} == {True, False} and any(r.self_harm for r in retired)
    trained = {" ".join(r.text.lower().split()) for r in retired} | {" ".join(t.lower().split()) for t in load_examples()}
    blind = _blind_sets()
    assert {"safety_af.yml", "safety_ag.yml"} <= set(blind)
    for name in blind:
        items = yaml.safe_load((ROOT / "tests" / "heldout" / "blind" / name).read_text(encoding="utf-8"))["items"]
        leaked = [i["text"] for i in items if " ".join(str(i["text"]).lower().split()) in trained]
        assert leaked == [], name


def test_a_full_emergency_only_the_rules_read_is_checked_down_to_a_possible_one(triager):
    # The rules hear "seizure"; the two learned readings hear a metaphor at a pharmacy counter.
    text = "the chemist joked the baclofen supply has had a seizure this month"
    assert triager.rules.detect(triager.doc(text)).level == EMERGENCY
    checked = _decide(triager, text, 0.0, {"name": "faq", "confidence": 0.9}, emergency=RULES_CHECKED_BELOW / 2)
    assert checked.level == POSSIBLE and checked.detectors["rules"] == POSSIBLE
    # the emergency model not sure enough it is ordinary, or the classifier hearing an emergency: it stands
    assert _decide(triager, text, 0.0, None, emergency=RULES_CHECKED_BELOW + 0.05).level == EMERGENCY
    assert _decide(triager, text, 0.0, {"name": "emergency", "confidence": 0.95}, emergency=0.01).level == EMERGENCY


@pytest.mark.parametrize(
    "text",
    [
        "his breathing rate is 6 a minute and he's grey",  # a vital sign read as a number
        "I'm going to kill myself tonight",  # thoughts of self-harm
    ],
)
def test_vital_signs_and_self_harm_stay_full_emergencies_whatever_the_models_read(triager, text):
    assert _decide(triager, text, 0.0, None, emergency=0.0).level == EMERGENCY
