"""End to end through the REST channel: what a patient actually gets back."""
from __future__ import annotations

import re


DOSE = re.compile(r"\b\d+(\.\d+)?\s*(mg|mcg|micrograms?|milligrams?|ml|units?)\b", re.I)


def test_a_pump_question_gets_the_approved_answer_and_its_source(stack, registry):
    replies = stack.texts(stack.new_sender(), "how often does the pump have to be refilled?")
    assert replies[0].startswith(registry.answers["refills"].text)
    assert "Source: " in replies[0]


def test_the_answer_id_and_version_are_in_the_tracker(stack, registry):
    sender = stack.new_sender()
    stack.say(sender, "how long does the pump battery last")
    bot = [e for e in stack.tracker(sender)["events"] if e["event"] == "bot" and e.get("metadata", {}).get("answer_id")]
    assert bot[-1]["metadata"]["answer_id"] == "battery"
    assert bot[-1]["metadata"]["answer_version"] == registry.answers["battery"].version


def test_quick_replies_follow_an_answer(stack):
    messages = stack.say(stack.new_sender(), "what is the trial for a pain pump")
    buttons = [b["payload"] for m in messages for b in m.get("buttons", [])]
    assert any(p.startswith("/choose_topic") for p in buttons)
    # "Did this answer help?" names the answer it rates (see tests/actions/test_feedback_actions.py).
    assert any(p.startswith('/feedback_helpful{"rated_answer_id":') for p in buttons)


def test_how_long_right_after_the_trial_answer_means_the_trial(stack, registry):
    sender = stack.new_sender()
    stack.say(sender, "how is the pump trial done?")
    replies = stack.texts(sender, "how long does that take?")
    assert replies[0].startswith(registry.answers["trial_duration"].text)


def test_greeting_and_are_you_a_person(stack):
    sender = stack.new_sender()
    assert "automated assistant" in stack.texts(sender, "hello")[0]
    assert "not a person" in stack.texts(sender, "am I talking to a real human?")[0]


def test_uncovered_question_says_so_and_offers_the_care_team(stack):
    reply = stack.texts(stack.new_sender(), "will my insurance pay for the pump?")[0]
    assert "don't have approved information" in reply
    assert "(555) 010-0199" in reply


def test_unrelated_request_is_redirected(stack):
    reply = stack.texts(stack.new_sender(), "what's the weather going to be tomorrow?")[0]
    assert "only help with questions about intrathecal pain pumps" in reply


def test_an_emergency_gets_911_at_once_and_an_urgent_ticket(stack, tickets):
    sender = stack.new_sender()
    replies = stack.texts(sender, "my wife is super drowsy and her breathing is really slow")
    assert "Call 911 now" in replies[0]
    ticket = tickets.active_for(sender)
    assert ticket and ticket["urgency"] == "emergency" and ticket["reason"] == "emergency"


def test_self_harm_gets_988(stack):
    replies = stack.texts(stack.new_sender(), "honestly I just want to end my life")
    assert "988" in replies[0]


def test_clinical_question_is_handed_off_with_contact_form_then_held(stack, tickets):
    sender = stack.new_sender()
    replies = stack.texts(sender, "should I increase my morphine dose? the pain is worse this week")
    assert "needs one of our clinicians" in replies[0]
    assert not any(DOSE.search(r) for r in replies)
    ticket = tickets.active_for(sender)
    assert ticket["reason"] == "clinical" and ticket["urgency"] == "routine"
    assert "May our staff contact you" in " ".join(replies)
    assert "What name" in " ".join(stack.texts(sender, "yes"))
    assert "phone number" in " ".join(stack.texts(sender, "Maria Lopez"))
    assert "good time" in " ".join(stack.texts(sender, "555-201-3344"))
    assert "Thank you" in " ".join(stack.texts(sender, "mornings"))
    contact = tickets.get(ticket["id"])["contact"]
    assert contact == {"name": "Maria Lopez", "phone": "555-201-3344", "preferred_time": "mornings", "consent": True}
    # Staff own the conversation now: a general question is still answered from the pages, with
    # a line that staff will also reply, and it is on the ticket; a personal one is held for them...
    during = stack.texts(sender, "how often is the pump refilled?")
    assert "Source: " in " ".join(during) and "staff member will also reply" in during[-1]
    assert tickets.get(ticket["id"])["transcript"][-1]["text"] == "how often is the pump refilled?"
    held = stack.texts(sender, "can my next refill be at a higher dose?")
    assert "added this to your conversation for our staff" in held[0]
    assert not any(DOSE.search(r) for r in held)
    # ...but an emergency is still answered at once.
    assert "Call 911 now" in stack.texts(sender, "now I can't breathe")[0]


def test_a_long_conversation_still_hands_off_with_its_form_and_keeps_every_message(stack, tickets):
    # Past the 4 turns the dialogue engine sees (the tracker store's bounded history, history_turns).
    sender = stack.new_sender()
    questions = ["how often is the pump refilled?", "how long does the battery last?", "what is the trial?"] * 8
    for question in questions:
        assert "Source: " in " ".join(stack.texts(sender, question))
    replies = stack.texts(sender, "my incision is a bit red, should someone look at it?")
    assert "needs one of our clinicians" in replies[0]
    assert "What name" in " ".join(stack.texts(sender, "yes"))
    assert "phone number" in " ".join(stack.texts(sender, "Sam Lee"))
    assert "good time" in " ".join(stack.texts(sender, "555-201-9876"))
    assert "Thank you" in " ".join(stack.texts(sender, "after lunch"))
    ticket = tickets.get(tickets.active_for(sender)["id"])
    assert ticket["contact"]["name"] == "Sam Lee" and ticket["reason"] == "clinical"
    assert ticket["transcript"][-1]["text"] == "my incision is a bit red, should someone look at it?"
    # Every message is kept in the conversation store, not only the recent turns.
    user_texts = [e["text"] for e in stack.tracker(sender)["events"] if e["event"] == "user"]
    assert user_texts[: len(questions)] == questions and len(user_texts) == len(questions) + 5


def test_declining_contact_keeps_the_ticket(stack, tickets):
    sender = stack.new_sender()
    stack.texts(sender, "can someone from the clinic call me back?")
    replies = stack.texts(sender, "no")
    assert "That's fine" in " ".join(replies)
    ticket = tickets.active_for(sender)
    assert ticket["reason"] == "request" and ticket["contact"]["consent"] is False
