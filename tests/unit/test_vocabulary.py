"""The project's words (pump_assistant.vocabulary) agree with the places that spell them too.

domain.yml and data/ name intents and responses, the channels name themselves, the
tickets store urgencies, reasons and statuses, the widget and console scripts read display
flags, urgencies, ticket and draft statuses and answer kinds: a word renamed in one place
and not the other fails here.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from pump_assistant.rasa_ext.channels.display_flags import FLAG_BY_RESPONSE
from pump_assistant.storage import inbox, insights, tickets
from pump_assistant.triage.levels import URGENCY_BY_LEVEL
from pump_assistant.vocabulary import (
    ACTIVE_TICKET_STATUSES,
    TICKET_REASON_BY_INTENT,
    AnswerKind,
    Channel,
    DisplayFlag,
    DraftStatus,
    Intent,
    TicketReason,
    TicketStatus,
    Urgency,
)

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "webservice" / "static"


def domain() -> dict:
    return yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))


def domain_intents() -> set[str]:
    return {next(iter(i)) if isinstance(i, dict) else i for i in domain()["intents"]}


def test_every_intent_the_code_names_is_in_the_domain():
    rasa_own = {Intent.NLU_FALLBACK}
    assert {str(i) for i in Intent if i not in rasa_own} <= domain_intents()


def test_the_staff_notices_are_responses_of_the_domain():
    assert set(FLAG_BY_RESPONSE) <= set(domain()["responses"])
    assert set(FLAG_BY_RESPONSE.values()) == {DisplayFlag.STAFF_JOINED, DisplayFlag.STAFF_LEFT}


def test_members_are_their_strings_in_json():
    assert json.dumps({"urgency": Urgency.EMERGENCY, Channel.SMS: [TicketReason.CLINICAL]}) == (
        '{"urgency": "emergency", "sms": ["clinical"]}'
    )
    assert f"/{Intent.FEEDBACK_HELPFUL}" == "/feedback_helpful"


def test_the_stores_use_the_vocabulary_most_urgent_first():
    assert tickets.URGENCIES == inbox.URGENCIES == ("emergency", "urgent", "routine")
    assert tickets.REASONS == ("emergency", "clinical", "request")
    assert inbox.CHANNELS == ("webchat", "sms", "rest", "cmdline", "unknown")
    assert set(URGENCY_BY_LEVEL.values()) == set(Urgency)
    assert set(TICKET_REASON_BY_INTENT.values()) == set(TicketReason)


def test_the_stores_use_the_vocabulary_for_statuses_in_the_order_a_ticket_moves():
    assert tickets.STATUSES == inbox.STATUSES == ("open", "claimed", "resolved")
    assert tickets.ACTIVE_STATUSES == ACTIVE_TICKET_STATUSES == ("open", "claimed")
    assert set(inbox.STATUS_FILTERS) == {*TicketStatus, "active", "all"}
    assert insights.DRAFT_STATUSES == tuple(DraftStatus) == ("pending", "approved", "rejected")


def test_the_channels_name_themselves_from_the_vocabulary():
    from pump_assistant.rasa_ext.channels.rest import PatientRestInput
    from pump_assistant.rasa_ext.channels.sms import SmsInput
    from pump_assistant.rasa_ext.channels.webchat import WebChatInput

    assert {PatientRestInput.name(), SmsInput.name(), WebChatInput.name()} == {Channel.REST, Channel.SMS, Channel.WEBCHAT}


ENUMS = {
    "DisplayFlag": DisplayFlag,
    "Urgency": Urgency,
    "Channel": Channel,
    "Intent": Intent,
    "TicketStatus": TicketStatus,
    "AnswerKind": AnswerKind,
    "DraftStatus": DraftStatus,
}
SCRIPTS = ("widget.js", "desk.js")


def script_vocabulary(name: str) -> tuple[dict, str]:
    """The script's one VOCABULARY block (JSON-shaped), and the script without it."""
    source = (STATIC / name).read_text(encoding="utf-8")
    match = re.search(r"var VOCABULARY = (\{.*?\n  \});\n", source, re.S)
    assert match, f"{name} has no `var VOCABULARY = {{...}};` block"
    return json.loads(match[1]), source[: match.start()] + source[match.end() :]


@pytest.mark.parametrize("name", SCRIPTS)
def test_each_script_spells_the_words_it_uses_as_the_enums_do(name):
    vocabulary, _ = script_vocabulary(name)
    for enum_name, members in vocabulary.items():
        enum = ENUMS[enum_name]
        assert members == {member: enum[member].value for member in members}, f"{name}: {enum_name} differs"
        if enum is not Intent:  # all of it, in the enum's order (urgencies: most urgent first)
            assert list(members) == [member.name for member in enum], f"{name}: {enum_name} is not the whole enum"


@pytest.mark.parametrize("name", SCRIPTS)
def test_no_script_compares_with_a_vocabulary_word_outside_its_block(name):
    vocabulary, rest = script_vocabulary(name)
    words = {value for members in vocabulary.values() for value in members.values()}
    for word in words:
        assert not re.search(rf'[=!]==?\s*"{word}"|"{word}"\s*[=!]==?', rest), f"{name} compares with \"{word}\""
        assert f'["{word}"' not in rest and f'{word}: "' not in rest, f"{name} lists \"{word}\" outside VOCABULARY"


def test_the_widget_reads_every_display_flag_and_matches_no_staff_notice_by_its_words():
    _, widget = script_vocabulary("widget.js")
    # staff_name is for other clients: a staff reply's text already opens with the name.
    for flag in (DisplayFlag.URGENT, DisplayFlag.FROM_STAFF, DisplayFlag.STAFF_JOINED, DisplayFlag.STAFF_LEFT):
        assert f"FLAG.{flag.name}" in widget, f"widget.js does not read the {flag} flag"
    responses = domain()["responses"]
    for response in FLAG_BY_RESPONSE:
        for variant in responses[response]:
            words = variant["text"].split(".")[0][:25]
            assert words not in widget, f"widget.js matches {response} by its words"


def test_the_console_knows_every_urgency_and_status_and_its_filters_offer_the_vocabulary():
    vocabulary, desk = script_vocabulary("desk.js")
    assert "[URGENCY.EMERGENCY, URGENCY.URGENT, URGENCY.ROUTINE]" in desk  # the counts, most urgent first
    assert "[STATUS.OPEN, STATUS.CLAIMED, STATUS.RESOLVED]" in desk  # the counts, in the order a ticket moves
    for enum in (TicketStatus, AnswerKind, DraftStatus):
        assert enum.__name__ in vocabulary, f"desk.js has no {enum.__name__} in its VOCABULARY"
    page = (STATIC / "desk.html").read_text(encoding="utf-8")
    filters = (("f-urgency", Urgency, set()), ("f-channel", Channel, set()), ("f-status", TicketStatus, {"active", "all"}))
    for select, enum, others in filters:
        options = re.search(rf'<select id="{select}".*?</select>', page, re.S)[0]
        values = [v for v in re.findall(r'<option value="([^"]*)"', options) if v]  # "" is "Any"
        assert set(values) <= {str(member) for member in enum} | others, f"desk.html's {select} offers {values}"
        if enum is not Channel:
            assert [v for v in values if v not in others] == [str(member) for member in enum]


def test_the_answer_rule_answers_in_answer_kinds(registry):
    from pump_assistant.answering import choose_answer

    first, second = list(registry.answers)[:2]

    def kind(*confidences: float) -> AnswerKind:
        keys = [f"faq/{first}", f"faq/{second}"]
        ranking = [{"intent_response_key": k, "confidence": c} for k, c in zip(keys, confidences, strict=False)]
        parse = {"response_selector": {"faq": {"ranking": ranking}}}
        return choose_answer(parse, registry, answer_confidence=0.7, ambiguity_margin=0.3).kind

    kinds = [kind(), kind(0.45, 0.4), kind(0.95, 0.05)]
    assert kinds == [AnswerKind.UNKNOWN, AnswerKind.CLARIFY, AnswerKind.ANSWER]
    assert all(type(k) is AnswerKind for k in kinds)
