from pump_assistant.content.gsm import is_gsm7, non_gsm7_characters, sms_segments


def test_plain_text_is_one_segment_up_to_160():
    assert sms_segments("a" * 160) == 1
    assert sms_segments("a" * 161) == 2
    assert sms_segments("a" * 306) == 2
    assert sms_segments("a" * 307) == 3


def test_curly_quote_switches_to_ucs2():
    text = "It’s fine"
    assert not is_gsm7(text)
    assert non_gsm7_characters(text) == {"’"}
    assert sms_segments("’" + "a" * 70) == 2


def test_extension_characters_cost_two():
    assert is_gsm7("[x]")
    assert sms_segments("[" * 80) == 1
    assert sms_segments("[" * 81) == 2
