"""Numbered choices texted to a number expire: a "1" long after the list is ordinary text."""
from __future__ import annotations

import datetime as dt

import pytest

from pump_assistant.config import load_settings
from pump_assistant.sms.formatting import choice_for_reply
from pump_assistant.sms.state import SmsState
from pump_assistant.storage.database import open_database
from pump_assistant.storage.models import SmsChoice

PHONE = "+15550201234"
CHOICES = [{"title": "Battery life", "payload": "/choose_topic{\"topic\":\"battery\"}"},
           {"title": "Refills", "payload": "/choose_topic{\"topic\":\"refills\"}"}]


class Clock:
    def __init__(self, start: dt.datetime):
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta) -> None:
        self.now += dt.timedelta(**delta)


@pytest.fixture
def database(tmp_path):
    db = open_database(f"sqlite:///{tmp_path / 'sms.db'}", migrate=True)
    yield db
    db.dispose()


@pytest.fixture
def clock():
    return Clock(dt.datetime(2026, 3, 2, 14, 0))


def test_choices_are_kept_within_the_time_to_live(database, clock):
    state = SmsState(database, choices_ttl_minutes=30, clock=clock)
    state.remember_choices(PHONE, CHOICES)
    clock.advance(minutes=29, seconds=59)
    assert state.choices(PHONE) == CHOICES
    assert choice_for_reply("1", state.choices(PHONE)) == CHOICES[0]["payload"]


def test_a_reply_after_the_time_to_live_is_not_the_old_choice(database, clock):
    state = SmsState(database, choices_ttl_minutes=30, clock=clock)
    state.remember_choices(PHONE, CHOICES)
    clock.advance(minutes=30, seconds=1)
    assert state.choices(PHONE) is None
    # What the channel does with it: no payload, so "1" goes to the assistant as typed.
    choices = state.choices(PHONE)
    assert (choice_for_reply("1", choices) if choices else None) is None


def test_the_time_is_stored_with_the_choices_and_a_new_list_restarts_it(database, clock):
    state = SmsState(database, choices_ttl_minutes=30, clock=clock)
    state.remember_choices(PHONE, CHOICES)
    with database.session() as session:
        assert session.get(SmsChoice, PHONE).updated_at == clock.now
    clock.advance(minutes=25)
    state.remember_choices(PHONE, CHOICES[::-1])
    clock.advance(minutes=25)
    assert state.choices(PHONE) == CHOICES[::-1]
    clock.advance(minutes=6)
    assert state.choices(PHONE) is None
    # Another instance (another Rasa process) reads the same rows with the same rule.
    assert SmsState(database, choices_ttl_minutes=60, clock=clock).choices(PHONE) == CHOICES[::-1]


def test_choices_are_per_number(database, clock):
    state = SmsState(database, choices_ttl_minutes=30, clock=clock)
    state.remember_choices(PHONE, CHOICES)
    clock.advance(minutes=20)
    state.remember_choices("+15550209999", CHOICES[:1])
    clock.advance(minutes=15)
    assert state.choices(PHONE) is None
    assert state.choices("+15550209999") == CHOICES[:1]


def test_zero_keeps_the_list_until_the_next_one(database, clock):
    state = SmsState(database, choices_ttl_minutes=0, clock=clock)
    state.remember_choices(PHONE, CHOICES)
    clock.advance(days=3)
    assert state.choices(PHONE) == CHOICES


def test_the_setting_defaults_to_30_minutes(monkeypatch):
    monkeypatch.delenv("SMS_CHOICES_TTL_MINUTES", raising=False)
    assert load_settings().sms_choices_ttl_minutes == 30
    monkeypatch.setenv("SMS_CHOICES_TTL_MINUTES", "5")
    assert load_settings().sms_choices_ttl_minutes == 5
    monkeypatch.setenv("SMS_CHOICES_TTL_MINUTES", "half an hour")
    with pytest.raises(ValueError, match="SMS_CHOICES_TTL_MINUTES"):
        load_settings()
