"""Answers as text messages: a short page name in the "Source:" line, a typical answer in two segments."""
from __future__ import annotations

import statistics
from collections import Counter

import pytest
import yaml

from pump_assistant.answering import render_answer, source_line
from pump_assistant.content.gsm import is_gsm7, segments
from pump_assistant.content.registry import SHORT_TITLE_MAX_CHARS, RegistryError, parse_registry
from pump_assistant.sms.formatting import split_for_sms
from pump_assistant.vocabulary import Channel


def test_every_page_has_a_short_title_for_sms(registry):
    shorts = [source.short_title for source in registry.sources.values()]
    assert all(shorts), "every page in content/answers.yml needs a short_title"
    assert len(set(s.lower() for s in shorts)) == len(shorts)
    for source in registry.sources.values():
        assert len(source.short_title) <= SHORT_TITLE_MAX_CHARS and is_gsm7(source.short_title)
        assert len(source.short_title) < len(source.title), source.id


def test_sms_source_line_uses_short_titles_and_the_web_keeps_full_ones(registry):
    answer = registry.answers["what_is_pump"]
    sms = render_answer(registry, answer, channel=Channel.SMS)
    web = render_answer(registry, answer, channel=Channel.REST)
    shorts = [registry.sources[c.page].short_title for c in answer.citations]
    fulls = [registry.sources[c.page].title for c in answer.citations]
    assert sms.text.endswith("\n\nSource: " + "; ".join(dict.fromkeys(shorts)))
    assert web.text.endswith("\n\nSource: " + "; ".join(dict.fromkeys(fulls)))
    assert source_line(registry, answer) == "Source: " + "; ".join(dict.fromkeys(fulls))
    assert source_line(registry, answer, "sms") == "Source: " + "; ".join(dict.fromkeys(shorts))
    # What staff see and what is recorded keeps the pages' real titles.
    assert sms.metadata["sources"] == web.metadata["sources"] == list(dict.fromkeys(fulls))


def test_each_sms_text_keeps_its_source_line_whole(registry):
    for answer in registry.answers.values():
        pieces = split_for_sms(render_answer(registry, answer, channel=Channel.SMS).text)
        source = [p for p in pieces if "Source:" in p]
        assert len(source) == 1, answer.id
        assert source[0].split("Source:", 1)[1].strip() == source_line(registry, answer, "sms").split(": ", 1)[1]


def _with_source(raw, index, **changes):
    raw = dict(raw, sources=[dict(s) for s in raw["sources"]])
    raw["sources"][index].update(changes)
    return raw


def test_the_registry_refuses_a_bad_short_title(settings):
    raw = yaml.safe_load(settings.registry_path.read_text())
    with pytest.raises(RegistryError, match="short_title is .* characters"):
        parse_registry(_with_source(raw, 0, short_title="A page name far too long for a text message"))
    with pytest.raises(RegistryError, match="outside GSM-7"):
        parse_registry(_with_source(raw, 0, short_title="Pump’s trial"))
    with pytest.raises(RegistryError, match="is also"):
        parse_registry(_with_source(raw, 1, short_title=raw["sources"][0]["short_title"]))
    # Without one, the full title is used.
    registry = parse_registry(_with_source(raw, 0, short_title=None))
    source = registry.sources[raw["sources"][0]["id"]]
    assert source.sms_title == source.title


def test_a_typical_answer_is_at_most_two_segments_by_sms(registry, record_property):
    """Every answer as a patient gets it by text (the sms form, the 911 line, the source line)."""
    counts = {
        answer.id: segments(render_answer(registry, answer, channel=Channel.SMS).text)
        for answer in registry.answers.values()
    }
    over = sorted(answer_id for answer_id, n in counts.items() if n > 2)
    buckets = Counter("1" if n == 1 else "2" if n == 2 else "3+" for n in counts.values())
    report = f"SMS segments per answer: {dict(sorted(buckets.items()))}; more than 2: {len(over)} {over}"
    print(report)
    record_property("sms_segments", report)
    assert statistics.median(counts.values()) <= 2, report
    # However long, no single text goes out above two segments.
    for answer in registry.answers.values():
        assert all(segments(p) <= 2 for p in split_for_sms(render_answer(registry, answer, channel=Channel.SMS).text))
