"""Migration 0004 on a database that already holds tickets and accounts: they become searchable, accounts front desk."""
from __future__ import annotations

import json

from alembic import command
from alembic.config import Config
from sqlalchemy import text

from pump_assistant.storage.database import MIGRATIONS_DIR, Database
from pump_assistant.storage.inbox import InboxQuery
from pump_assistant.storage.staff import StaffDirectory
from pump_assistant.storage.tickets import TicketStore


def test_tickets_raised_before_the_inbox_are_found_by_search(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'old.db'}")
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0003")
    transcript = json.dumps([{"role": "patient", "text": '/choose_topic{"topic":"refills"}'},
                             {"role": "patient", "text": "Zoë – ¿dolor? near the pump"}])
    with db.engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO handoff_tickets (id, sender_id, channel, urgency, reason, trigger_message, transcript,"
            " safety_signs, status, created_at, updated_at) VALUES ('6f1c0d6e2b8a4e0f9c3d5a7b1e2f4a6c', '+15552220123',"
            " 'sms', 'routine', 'clinical', 'is this normal?', :t, '[]', 'open', '2026-11-30 10:00:00', '2026-11-30 10:00:00')"
        ), {"t": transcript})
        connection.execute(text("INSERT INTO staff_accounts VALUES ('ana', 'Nurse Ana', 'scrypt$x$y', '2026-11-30', 0)"))
    db.migrate()
    store = TicketStore(db, tmp_path / "outbox")
    for words in ("zoë", "¿DOLOR?", "refilling the pump", "555 222 0123"):
        found, _ = store.page(InboxQuery(search=words), limit=10)
        assert [t["id"] for t in found] == ["6f1c0d6e2b8a4e0f9c3d5a7b1e2f4a6c"], words
    with db.engine.begin() as connection:
        assert connection.execute(text("SELECT role FROM staff_accounts")).scalar() == "front_desk"
    StaffDirectory(db).create_account("drlee", "Dr. Lee", "a long clinician passphrase", role="clinician")
