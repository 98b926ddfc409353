"""What the SMS channel remembers per number and per message, in the shared database.

In the database rather than in memory so several Rasa instances agree: a
retried webhook is recognised whichever instance it reaches.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy.exc import IntegrityError

from pump_assistant.storage.database import Database
from pump_assistant.storage.models import SmsChoice, SmsInbound, SmsOptOut, utcnow

DEFAULT_CHOICES_TTL_MINUTES = 30.0


class SmsState:
    def __init__(
        self,
        database: Database,
        choices_ttl_minutes: float = DEFAULT_CHOICES_TTL_MINUTES,
        clock: Callable[[], dt.datetime] = utcnow,
    ):
        """``choices_ttl_minutes``: how long a numbered list stays answerable (0: until the next one).

        ``clock`` gives naive UTC, like :func:`utcnow` (tests pass their own).
        """
        self._db = database
        self._choices_ttl = dt.timedelta(minutes=choices_ttl_minutes) if choices_ttl_minutes > 0 else None
        self._clock = clock

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
            now = self._clock()
            if row is None:
                session.add(SmsChoice(phone=phone, choices=choices, updated_at=now))
            else:
                row.choices, row.updated_at = choices, now

    def choices(self, phone: str) -> list[dict] | None:
        """The numbered choices last texted to the number, unless they have expired.

        A "1" sent hours later answers something else; after the time to live
        the list is forgotten and the reply is read as ordinary text.
        """
        with self._db.session() as session:
            row = session.get(SmsChoice, phone)
            if row is None:
                return None
            if self._choices_ttl is not None and self._clock() - _naive_utc(row.updated_at) > self._choices_ttl:
                return None  # left in place: the next list replaces it
            return list(row.choices)


def _naive_utc(moment: dt.datetime) -> dt.datetime:
    # PostgreSQL may hand back an aware value; the column holds UTC.
    return moment.astimezone(dt.UTC).replace(tzinfo=None) if moment.tzinfo else moment
