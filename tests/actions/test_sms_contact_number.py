"""An SMS patient asked for a phone number can answer "same": the number they text from."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from actions.handoff import ValidateHandoffContactForm
from pump_assistant.vocabulary import Channel, Intent
from tests.actions.conftest import make_tracker

DOMAIN = Path(__file__).resolve().parents[2] / "domain.yml"
SENDER = "+15550201234"


def sms_tracker(text, sender_id=SENDER, channel=Channel.SMS):
    tracker = make_tracker(text, intent=Intent.INFORM_CONTACT, channel=channel,
                           slots={"contact_consent": True, "contact_name": "Maria Lopez"})
    tracker.sender_id = sender_id  # the SMS channel's sender id is the From number
    return tracker


@pytest.mark.parametrize("reply", ["same", "SAME", "Same.", "the same", "this number", "This number please",
                                   "same number", "use this phone", "text me"])
def test_same_or_this_number_fills_the_slot_with_the_senders_number(dispatcher, reply):
    result = ValidateHandoffContactForm().validate_contact_phone(reply, dispatcher, sms_tracker(reply), {})
    assert result == {"contact_phone": SENDER}
    assert dispatcher.messages == []


def test_a_typed_number_still_wins_over_the_sender(dispatcher):
    result = ValidateHandoffContactForm().validate_contact_phone("555-201-3344", dispatcher, sms_tracker("555-201-3344"), {})
    assert result == {"contact_phone": "555-201-3344"}


def test_same_means_nothing_outside_sms(dispatcher):
    tracker = sms_tracker("same", sender_id="web-1234abcd", channel=Channel.REST)
    result = ValidateHandoffContactForm().validate_contact_phone("same", dispatcher, tracker, {})
    assert result == {"contact_phone": None}
    assert dispatcher.messages[0]["response"] == "utter_invalid_contact"


def test_no_number_is_invented_when_the_sender_is_not_a_phone_number(dispatcher):
    tracker = sms_tracker("same", sender_id="patient-1")
    result = ValidateHandoffContactForm().validate_contact_phone("same", dispatcher, tracker, {})
    assert result == {"contact_phone": None}


def test_the_phone_question_offers_this_number_by_sms_only():
    responses = yaml.safe_load(DOMAIN.read_text())["responses"]["utter_ask_contact_phone"]
    sms = [r["text"] for r in responses if r.get("channel") == "sms"]
    other = [r["text"] for r in responses if not r.get("channel")]
    assert sms and all("reply SAME" in text for text in sms)
    assert other and not any("SAME" in text for text in other)


def test_rasa_picks_the_sms_wording_for_the_sms_channel():
    import asyncio

    from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker

    domain = Domain.load(str(DOMAIN))
    nlg = TemplatedNaturalLanguageGenerator(domain.responses)
    tracker = DialogueStateTracker.from_events(SENDER, [], slots=domain.slots)
    by_sms = asyncio.run(nlg.generate("utter_ask_contact_phone", tracker, "sms"))
    by_web = asyncio.run(nlg.generate("utter_ask_contact_phone", tracker, "rest"))
    assert "reply SAME" in by_sms["text"]
    assert by_web["text"] == "What phone number (or email) should they use?"
