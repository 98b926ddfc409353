"""What the SMS channel remembers per number and per message, in the shared database.

In the database rather than in memory so several Rasa instances agree: a
retried webhook is recognised whichever instance it reaches.
"""
from __future__ import annotations

from typing import Optional

from sqlalchemy.exc import IntegrityError

from pump_assistant.storage.database import Database
from pump_assistant.storage.models import SmsChoice, SmsInbound, SmsOptOut, utcnow


class SmsState:
    def __init__(self, database: Database):
        self._db = database

    def first_delivery(self, message_sid: str) -> bool:
        """True the first time a MessageSid is seen; Twilio retries carry the same one."""
        try:
            with self._db.session() as session:
                session.add(SmsInbound(message_sid=message_sid, received_at=utcnow()))
            return True
        except IntegrityError:
            return False

    def opt_out(self, phone: str) -> None:
        with self._db.session() as session:
            if session.get(SmsOptOut, phone) is None:
                session.add(SmsOptOut(phone=phone, opted_out_at=utcnow()))

    def opt_in(self, phone: str) -> None:
        with self._db.session() as session:
            row = session.get(SmsOptOut, phone)
            if row is not None:
                session.delete(row)

    def opted_out(self, phone: str) -> bool:
        with self._db.session() as session:
            return session.get(SmsOptOut, phone) is not None

    def remember_choices(self, phone: str, choices: list[dict]) -> None:
        with self._db.session() as session:
            row = session.get(SmsChoice, phone)
            if row is None:
                session.add(SmsChoice(phone=phone, choices=choices, updated_at=utcnow()))
            else:
                row.choices, row.updated_at = choices, utcnow()

    def choices(self, phone: str) -> Optional[list[dict]]:
        with self._db.session() as session:
            row = session.get(SmsChoice, phone)
            return list(row.choices) if row else None
