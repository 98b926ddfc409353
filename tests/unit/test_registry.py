"""The answer registry: faithful to the clinic pages, complete, SMS-safe."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from pump_assistant.content.gsm import is_gsm7, sms_segments
from pump_assistant.content.registry import (
    RegistryError, content_problems, dose_statements, parse_registry, unsupported_quotes,
)

TOPICS_DOC = Path(__file__).resolve().parents[2] / "docs" / "topics.md"


def test_every_quote_appears_word_for_word_in_its_page(registry, settings):
    assert unsupported_quotes(registry, settings.seeds_dir) == []


def test_a_changed_quote_is_caught(registry, settings):
    # The check must be able to fail: alter one word of a real quote.
    answer = registry.answers["refills"]
    citation = answer.citations[0]
    tampered = citation.quotes[0].replace("refilled", "replaced", 1)
    assert tampered != citation.quotes[0]
    raw = yaml.safe_load(settings.registry_path.read_text())
    for item in raw["answers"]:
        if item["id"] == "refills":
            item["sources"][0]["quotes"][0] = tampered
    altered = parse_registry(raw)
    assert ("refills", citation.page, tampered) in unsupported_quotes(altered, settings.seeds_dir)


def test_every_topic_in_the_topic_map_has_an_answer(registry):
    faq_section = TOPICS_DOC.read_text().split("## FAQ topics", 1)[1].split("## Other intents", 1)[0]
    topic_ids = set(re.findall(r"^\| `([a-z_]+)` \|", faq_section, re.M))
    assert len(topic_ids) >= 22
    assert topic_ids == set(registry.answers)


def test_answers_are_versioned_reviewed_and_sourced(registry):
    for answer in registry.answers.values():
        assert answer.version >= 1
        assert answer.reviewed.year >= 2026
        assert registry.source_titles(answer), answer.id


@pytest.mark.parametrize("field", ["sms", "text"])
def test_answers_stay_in_gsm7(registry, field):
    offenders = {a.id: getattr(a, field) for a in registry.answers.values() if not is_gsm7(getattr(a, field))}
    assert offenders == {}


def test_sms_lead_fits_two_segments(registry):
    for answer in registry.answers.values():
        assert len(answer.sms) <= 320, answer.id
        assert sms_segments(answer.sms) <= 2, answer.id


def test_no_answer_states_a_dose(registry, settings):
    assert dose_statements(registry) == []
    assert content_problems(registry, settings.seeds_dir) == []


def test_a_stated_dose_is_caught(registry, settings):
    raw = yaml.safe_load(settings.registry_path.read_text())
    for item in raw["answers"]:
        if item["id"] == "refills":
            item["text"] = item["text"] + " Most patients get 0.5 mg a day."
    problems = content_problems(parse_registry(raw), settings.seeds_dir)
    assert problems == ["answer refills: states a dose ('0.5 mg')"]


def test_page_disagreements_are_stated_plainly(registry):
    for answer_id in ("anesthesia", "trial_duration"):
        text = registry.answers[answer_id].text.lower()
        assert "care team" in text, answer_id
        assert re.search(r"differ|disagree|different", text), answer_id
    anesthesia = registry.answers["anesthesia"].text.lower()
    assert "general" in anesthesia and ("local" in anesthesia or "sedation" in anesthesia)
    trial = registry.answers["trial_duration"].text.lower()
    assert "23" in trial and ("two to three days" in trial or "2 to 3 days" in trial)


def test_key_facts_the_clinic_promised(registry):
    facts = {
        "trial_success": ["50"],
        "refills": ["1 to 3 months"],
        "battery": ["5 to 7 years"],
        "recovery": ["5 days", "2 weeks"],
        "implant_procedure": ["30 minutes"],
        "hospital_stay": ["overnight"],
    }
    for answer_id, phrases in facts.items():
        text = registry.answers[answer_id].text
        for phrase in phrases:
            assert phrase in text, (answer_id, phrase)


def test_broken_registry_is_refused_with_every_problem_listed(registry, settings):
    raw = yaml.safe_load(settings.registry_path.read_text())
    raw["answers"][0]["sms"] = "A curly quote ’ costs money " + "x" * 400
    raw["answers"][1]["related"] = ["no_such_answer"]
    with pytest.raises(RegistryError) as error:
        parse_registry(raw)
    message = str(error.value)
    assert "outside GSM-7" in message and "max 320" in message and "no_such_answer" in message


def test_the_pages_live_in_the_checkout(registry, monkeypatch):
    from pump_assistant.config import PROJECT_ROOT, load_settings

    monkeypatch.delenv("PAGES_DIR", raising=False)
    pages = load_settings().seeds_dir
    assert pages.resolve().is_relative_to(PROJECT_ROOT.resolve())
    assert sorted(p.name for p in pages.glob("*.txt")) == sorted(s.file for s in registry.sources.values())
