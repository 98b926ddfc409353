"""Tickets on the real PostgreSQL on loopback (make test-services; not in the default run)."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from pump_assistant.storage.database import open_database
from pump_assistant.storage.tickets import TicketDraft, TicketStore
from pump_assistant.vocabulary import Channel, TicketReason

pytestmark = pytest.mark.services


def test_migrations_and_tickets_on_postgres(postgres_url, tmp_path):
    store = TicketStore(open_database(postgres_url, migrate=True), tmp_path / "outbox")
    ticket_id, stored = store.raise_ticket(TicketDraft(sender_id="+15550100", channel=Channel.SMS, reason=TicketReason.CLINICAL,
                                                       trigger_message="my incision is red"))
    assert stored and store.get(ticket_id)["reason"] == "clinical"


def test_claim_race_on_postgres_has_one_winner(postgres_url, tmp_path):
    store = TicketStore(open_database(postgres_url, migrate=True), tmp_path / "outbox")
    ticket_id, _ = store.raise_ticket(TicketDraft(sender_id="s", channel=Channel.REST, reason=TicketReason.REQUEST, trigger_message="call me"))
    stores = [TicketStore(open_database(postgres_url), tmp_path / "outbox") for _ in range(10)]
    with ThreadPoolExecutor(10) as pool:
        wins = list(pool.map(lambda pair: pair[1].claim(ticket_id, f"staff-{pair[0]}"), enumerate(stores)))
    assert wins.count(True) == 1


def test_outbox_lands_when_postgres_is_back(postgres_url, tmp_path):
    down = TicketStore(open_database("postgresql://postgres@127.0.0.1:1/nowhere"), tmp_path / "outbox")
    ticket_id, stored = down.raise_ticket(TicketDraft(sender_id="s", channel=Channel.REST, reason=TicketReason.EMERGENCY, trigger_message="can't breathe"))
    assert not stored
    up = TicketStore(open_database(postgres_url), tmp_path / "outbox")
    assert up.flush_outbox() == 1
    assert up.get(ticket_id)["urgency"] == "emergency"
