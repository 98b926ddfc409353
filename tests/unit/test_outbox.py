"""Nothing lost: a ticket raised while the database is down lands when it is back."""
from __future__ import annotations

from pathlib import Path

from pump_assistant.storage.database import Database
from pump_assistant.storage.tickets import TicketDraft, TicketStore
from pump_assistant.vocabulary import Channel, TicketReason


def unreachable_sqlite(tmp_path: Path) -> tuple[str, Path]:
    # The database file's directory is, for now, a plain file: every connection fails.
    blocker = tmp_path / "db"
    blocker.write_text("not a directory")
    return f"sqlite:///{blocker / 'tickets.db'}", blocker


def test_ticket_survives_a_database_outage(tmp_path):
    url, blocker = unreachable_sqlite(tmp_path)
    store = TicketStore(Database(url), tmp_path / "outbox")
    draft = TicketDraft(sender_id="+15550100", channel=Channel.SMS, reason=TicketReason.EMERGENCY,
                        trigger_message="I can't breathe", safety_signs=["breathing"])

    ticket_id, stored_now = store.raise_ticket(draft)
    assert not stored_now
    assert [p.stem for p in store.pending()] == [ticket_id]
    store.set_contact(ticket_id, name="Maria", phone="555-201-3344", preferred_time="now", consent=True)
    assert store.flush_outbox() == 0  # still down: kept

    blocker.unlink()
    blocker.mkdir()  # the database is back
    assert store.flush_outbox() == 1
    assert store.pending() == []
    ticket = store.get(ticket_id)
    assert (ticket["urgency"], ticket["reason"], ticket["trigger_message"]) == ("emergency", "emergency", "I can't breathe")
    assert ticket["contact"]["name"] == "Maria" and ticket["safety_signs"] == ["breathing"]


def test_landing_twice_does_not_duplicate(tmp_path):
    store = TicketStore(Database(f"sqlite:///{tmp_path / 'ok.db'}"), tmp_path / "outbox")
    draft = TicketDraft(sender_id="s", channel=Channel.REST, reason=TicketReason.REQUEST, trigger_message="call me")
    store._spool(draft)
    store.raise_ticket(draft)  # flushes the spooled copy first, then inserts: same id
    assert len(store.list()) == 1


def test_next_ticket_flushes_the_outbox_first(tmp_path):
    url, blocker = unreachable_sqlite(tmp_path)
    store = TicketStore(Database(url), tmp_path / "outbox")
    early, _ = store.raise_ticket(TicketDraft(sender_id="a", channel=Channel.REST, reason=TicketReason.CLINICAL, trigger_message="x"))
    blocker.unlink()
    blocker.mkdir()
    late, stored = store.raise_ticket(TicketDraft(sender_id="b", channel=Channel.REST, reason=TicketReason.CLINICAL, trigger_message="y"))
    assert stored
    assert {t["id"] for t in store.list()} == {early, late}
