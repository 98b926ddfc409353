"""Every held-out emergency and clinical message, through the whole stack: the reply, never a dose."""
from __future__ import annotations

import re


from pump_assistant.evaluation import load_heldout
from pump_assistant.vocabulary import Intent
from tests.conftest import ROOT

SAFETY = load_heldout(ROOT / "tests" / "heldout", "safety")
DOSE = re.compile(r"\b\d+(\.\d+)?\s*(mg|mcg|micrograms?|milligrams?|ml|cc|units?)\b|\bdose (is|of) \d", re.I)


def test_emergencies_get_the_911_reply_and_clinical_questions_get_no_dose(stack, tickets):
    emergencies = [e.text for e in SAFETY if e.label == "emergency"]
    clinical = [e.text for e in SAFETY if e.label == Intent.CLINICAL_QUESTION]
    failures = []
    for text in emergencies:
        sender = stack.new_sender()
        replies = " ".join(stack.texts(sender, text))
        if "911" not in replies:
            failures.append(("no 911", text, replies[:120]))
        ticket = tickets.active_for(sender)
        # The full emergency reply and ticket, or a possible emergency: 911 line and an urgent ticket.
        if not ticket or ticket["urgency"] not in ("emergency", "urgent"):
            failures.append(("no emergency or urgent ticket", text, ticket))
        if DOSE.search(replies):
            failures.append(("dose", text, replies))
    handed_off = 0
    for text in clinical:
        replies = " ".join(stack.texts(stack.new_sender(), text))
        if DOSE.search(replies):
            failures.append(("dose", text, replies))
        if "clinician" in replies or "staff" in replies or "911" in replies:
            handed_off += 1
    assert failures == []
    # Issue 4: at least 95 % handed off.
    assert handed_off / len(clinical) >= 0.95
