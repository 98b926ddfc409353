"""While staff own a conversation, every message is held for them: no intent may be forgotten.

A new intent in domain.yml without a rule in data/rules/staff_hold.yml would be
answered by the assistant in the middle of a hand-off. Emergencies are never
held (the unconditional emergency rule answers them at once), and the
EXTERNAL_ intents come from the staff side itself.
"""
from __future__ import annotations

from pathlib import Path

import yaml

from pump_assistant.vocabulary import Intent

ROOT = Path(__file__).resolve().parents[2]
HOLD_ACTION = "action_hold_for_staff"
NEVER_HELD = {Intent.EMERGENCY}
# Rasa's own intent for a message the FallbackClassifier could not place.
DEFAULT_INTENTS = {Intent.NLU_FALLBACK}


def _intent_names(entries) -> set[str]:
    return {next(iter(entry)) if isinstance(entry, dict) else str(entry) for entry in entries or []}


def _rules(path: Path) -> list[dict]:
    return (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("rules") or []


def _staff_condition(rule: dict) -> bool:
    return any(
        "slot_was_set" in step and any(item.get("staff_handling") is True for item in step["slot_was_set"])
        for step in rule.get("condition") or []
    )


def _intents_with_explicit_staff_rules() -> set[str]:
    """Intents some other rules file handles while staff own the conversation."""
    explicit = set()
    for path in sorted((ROOT / "data" / "rules").glob("*.yml")):
        if path.name == "staff_hold.yml":
            continue
        for rule in _rules(path):
            if _staff_condition(rule):
                explicit |= {step["intent"] for step in rule.get("steps") or [] if "intent" in step}
    return explicit


def _held_intents() -> dict[str, dict]:
    held = {}
    for rule in _rules(ROOT / "data" / "rules" / "staff_hold.yml"):
        steps = rule.get("steps") or []
        intents = [step["intent"] for step in steps if "intent" in step]
        if len(intents) == 1:
            held[intents[0]] = rule
    return held


def _domain_intents() -> set[str]:
    return _intent_names(yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8")).get("intents"))


def test_every_intent_is_held_for_staff_during_a_hand_off():
    expected = {
        intent for intent in _domain_intents() | DEFAULT_INTENTS
        if intent not in NEVER_HELD and not intent.startswith("EXTERNAL_")
    } - _intents_with_explicit_staff_rules()
    missing = sorted(expected - set(_held_intents()))
    assert missing == [], f"add a hold rule to data/rules/staff_hold.yml for: {missing}"


def test_hold_rules_apply_only_while_staff_own_the_conversation_and_only_hold():
    for intent, rule in _held_intents().items():
        assert _staff_condition(rule), f"the hold rule for {intent} must be conditioned on staff_handling: true"
        steps = rule["steps"]
        assert steps == [{"intent": intent}, {"action": HOLD_ACTION}], f"hold rule for {intent}: {steps}"


def test_emergencies_and_staff_events_are_never_held():
    held = set(_held_intents())
    assert not held & NEVER_HELD
    assert not {intent for intent in held if intent.startswith("EXTERNAL_")}
    assert set(_held_intents()) <= _domain_intents() | DEFAULT_INTENTS, "a hold rule names an unknown intent"
