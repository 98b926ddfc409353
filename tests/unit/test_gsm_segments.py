"""segments(): what a text costs by the real count (GSM-7 septets or UCS-2 code units)."""
from __future__ import annotations

import pytest

from pump_assistant.content.gsm import GSM7_EXTENSION, segments, septets, ucs2_units
from pump_assistant.sms import formatting


@pytest.mark.parametrize(
    "text, expected",
    [
        ("", 1),
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("a" * 306, 2),
        ("a" * 307, 3),
        ("a" * 459, 3),
        ("a" * 460, 4),
    ],
)
def test_gsm7_basic_is_160_alone_and_153_per_concatenated_segment(text, expected):
    assert segments(text) == expected


@pytest.mark.parametrize("char", list(GSM7_EXTENSION))
def test_each_extension_character_costs_two_septets(char):
    assert septets("a" + char) == 3
    assert segments("a" * 158 + char) == 1  # 160 septets
    assert segments("a" * 159 + char) == 2  # 161 septets: len() says 160, the phone says 2 segments
    assert segments(char * 80) == 1
    assert segments(char * 81) == 2


def test_form_feed_and_euro_are_extension_characters():
    assert septets("\f") == 2 and septets("€") == 2
    assert segments("€" * 76 + "a" * 153) == 2  # 152 + 153 septets


def test_an_escape_sequence_is_never_split_between_segments():
    # 152 basic septets, then "€" (2) would straddle the 153-septet boundary: it opens segment 2.
    assert segments("a" * 152 + "€" + "a" * 152) == 3
    assert segments("a" * 152 + "€" + "a" * 151) == 2


@pytest.mark.parametrize(
    "text, expected",
    [
        ("中" * 70, 1),
        ("中" * 71, 2),
        ("中" * 134, 2),
        ("中" * 135, 3),
        ("a" * 69 + "’", 1),  # one curly quote turns the whole text into UCS-2
        ("a" * 70 + "’", 2),
        ("a" * 133 + "’", 2),
        ("a" * 134 + "’", 3),
    ],
)
def test_ucs2_is_70_alone_and_67_per_concatenated_segment(text, expected):
    assert segments(text) == expected


def test_characters_outside_the_bmp_take_two_code_units():
    assert ucs2_units("😀") == 2 and ucs2_units("a😀中") == 4
    assert segments("😀" * 35) == 1  # 70 units
    assert segments("😀" * 34 + "ab") == 1
    assert segments("😀" * 35 + "a") == 2  # 71 units
    assert segments("😀" * 33 + "a" * 67) == 2  # 66 + 1 | 67 units
    # A surrogate pair is not split either: 33 emoji (66 units) fill a concatenated segment.
    assert segments("😀" * 66) == 2
    assert segments("😀" * 67) == 3


def test_formatting_exposes_the_same_count():
    assert formatting.segments is segments
