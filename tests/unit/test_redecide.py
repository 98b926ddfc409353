"""bench/redecide.py: a rule change re-decided over stored votes, and its figures."""
from __future__ import annotations

from tests.support.scripts import load_script


def _redecide():
    return load_script("bench/redecide.py", "redecide_under_test")


def _row(text, expect, category, self_harm=False, **evidence):
    item = {"text": text, "expect": expect, "category": category, "self_harm": self_harm}
    return {"item": item, "evidence": evidence, "language": None}


def test_stored_votes_are_re_decided_with_the_rules_and_counted_per_set():
    redecide = _redecide()
    votes = {
        "safety_tuning": [
            _row("he is not breathing and his lips are blue", "emergency", "overdose"),
            _row("I've decided to end my life tonight, I have the pills ready", "emergency", "self_harm", True),
            _row("no fever, no stiff neck, just asking when my refill is due", "harmless", "denied"),
            # the classifier's stored vote counts as the triage counts it: sure, and nothing the rules dismissed
            _row("something is really wrong with my husband", "emergency", "mixed",
                 classifier_intent="emergency", classifier_confidence=0.95),
        ]
    }
    decisions = redecide.decide_all(votes)
    levels = [d["level"] for d in decisions["safety_tuning"]]
    assert levels == ["emergency", "emergency", "none", "emergency"]
    assert decisions["safety_tuning"][1]["self_harm"]
    assert redecide.figures(votes, decisions)["safety_tuning"] == (
        "recall 3/3, full 3, 988 1/1, harmless full 0/1, either 0/1"
    )
