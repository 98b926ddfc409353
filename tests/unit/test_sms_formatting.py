"""Replies as text messages: GSM-7, at most two segments each, cut between sentences."""
from __future__ import annotations

from pump_assistant.content.gsm import is_gsm7, sms_segments
from pump_assistant.sms.formatting import choice_for_reply, numbered_choices, split_for_sms, to_gsm7
from pump_assistant.vocabulary import Channel


def test_curly_quotes_and_dashes_become_gsm7():
    assert to_gsm7("It’s “fine” – really…") == "It's \"fine\" - really..."


def test_long_reply_is_split_between_sentences_within_two_segments():
    sentences = [f"Sentence number {i} says something useful about the pump." for i in range(12)]
    parts = split_for_sms(" ".join(sentences))
    assert len(parts) > 1
    for part in parts:
        assert sms_segments(part) <= 2 and is_gsm7(part)
        assert part.endswith(".")  # no sentence cut in half
    assert " ".join(parts) == " ".join(sentences)


def test_one_giant_sentence_is_cut_between_words():
    parts = split_for_sms("word " * 200)
    assert all(sms_segments(p) <= 2 for p in parts)
    assert all(not p.startswith(" ") and "wor d" not in p for p in parts)


def test_every_answer_fits_as_sms(registry):
    from pump_assistant.answering import render_answer

    for answer in registry.answers.values():
        reply = render_answer(registry, answer, channel=Channel.SMS)
        for part in split_for_sms(reply.text):
            assert is_gsm7(part) and sms_segments(part) <= 2, answer.id


def test_numbered_choices_map_back():
    listing, choices = numbered_choices([{"title": "Battery life", "payload": "/a"}, {"title": "Refills", "payload": "/b"}])
    assert listing == "Reply with a number:\n1. Battery life\n2. Refills"
    assert choice_for_reply("2", choices) == "/b"
    assert choice_for_reply(" 1. ", choices) == "/a"
    assert choice_for_reply("3", choices) is None
    assert choice_for_reply("2 weeks ago", choices) is None
