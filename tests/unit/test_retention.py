"""Retention: old closed records go, recent and open ones stay, a dry run deletes nothing.

The project database is a real SQLite file brought up by the project's Alembic
migrations; Rasa's conversations are written by the project's own tracker store
(Rasa's SQL schema), with events dated in the past.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import uuid

import pytest
import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from pump_assistant import retention as cli
from pump_assistant.config import PROJECT_ROOT, get_settings
from pump_assistant.rasa_ext.stores.sql import ResilientSQLTrackerStore
from pump_assistant.storage.database import open_database, pseudonymise
from pump_assistant.storage.models import (
    AnswerFeedback,
    AuditEntry,
    SmsChoice,
    SmsInbound,
    SmsOptOut,
    Ticket,
    UnansweredQuestion,
    utcnow,
)
from pump_assistant.storage.retention import (
    CONVERSATION_EVENTS,
    CONVERSATIONS,
    RESOLVED_TICKETS,
    active_ticket_senders,
    cutoff_for,
    purge_conversations,
    purge_records,
)
from pump_assistant.vocabulary import Channel, TicketReason, Urgency

NOW = utcnow()
DAYS = 365
SMS_PATIENT = "+15552220000"  # resolved long ago: everything about them goes
SMS_WAITING = "+15553330000"  # an open ticket from long ago: stays
SMS_RECENT = "+15554440000"  # resolved last week: stays
WEB_OLD = uuid.uuid4().hex
WEB_RECENT = uuid.uuid4().hex
WEB_LONG = uuid.uuid4().hex  # started long ago, wrote again this week
DOMAIN = Domain.from_dict({})


def ago(days: float) -> dt.datetime:
    return NOW - dt.timedelta(days=days)


def transcript(sender: str, text: str, when: dt.datetime) -> list[dict]:
    return [
        {"role": "patient", "text": text, "time": when.isoformat() + "Z"},
        {"role": "assistant", "text": "Voy a pasar su pregunta al equipo de la clínica. Si es una emergencia, llame al 911.",
         "time": when.isoformat() + "Z"},
        {"role": "staff", "text": f"Nurse Ana (Ana María Núñez): llamé al {sender}.", "time": when.isoformat() + "Z"},
    ]


def ticket(id: str, sender: str, status: str, created: float, resolved: float | None, text: str, *, legacy=False) -> Ticket:
    created_at = ago(created)
    resolved_at = ago(resolved) if resolved is not None else None
    return Ticket(
        id=id, sender_id=sender, channel=Channel.SMS if sender.startswith("+") else Channel.WEBCHAT, urgency=Urgency.ROUTINE,
        reason=TicketReason.CLINICAL, trigger_message=text, transcript=transcript(sender, text, created_at), safety_signs=[],
        status=status, created_at=created_at, updated_at=resolved_at or created_at,
        claimed_by="Nurse Ana" if status != "open" else None,
        resolved_at=None if legacy else resolved_at,
        contact_name="José Ñúñez-O'Brien", contact_phone=sender if sender.startswith("+") else "+15556667777",
        contact_time="mañana después de las 10", contact_consent=True,
    )


@pytest.fixture
def database(tmp_path):
    db = open_database(f"sqlite:///{tmp_path / 'assistant.db'}", migrate=True)
    with db.session() as s:
        s.add_all([
            ticket("t-old-resolved", SMS_PATIENT, "resolved", 420, 400, "Mi bomba está pitando, ¿qué hago? 🙏"),
            ticket("t-legacy-resolved", WEB_OLD, "resolved", 500, 450, "I missed my refill — what now?", legacy=True),
            ticket("t-recent-resolved", SMS_RECENT, "resolved", 500, 7, "Can I fly with the pump? ✈️"),
            ticket("t-old-open", SMS_WAITING, "open", 900, None, "¿Puedo ducharme con la herida?"),
            ticket("t-old-claimed", WEB_LONG, "claimed", 800, None, "My dose feels too strong, 头晕"),
        ])
        s.add_all([
            AnswerFeedback(answer_id="refills", answer_version=3, helpful=True, conversation=pseudonymise(SMS_PATIENT),
                           channel=Channel.SMS, created_at=ago(400)),
            AnswerFeedback(answer_id="refills", answer_version=3, helpful=False, conversation=pseudonymise(WEB_RECENT),
                           channel=Channel.WEBCHAT, created_at=ago(3)),
            UnansweredQuestion(kind="not_covered", text="¿Puedo hacer resonancia magnética con la bomba? 🧲",
                               conversation=pseudonymise(WEB_OLD), channel=Channel.WEBCHAT, created_at=ago(366)),
            UnansweredQuestion(kind="fallback", text="Kann ich mit der Pumpe in die Sauna gehen?",
                               conversation=pseudonymise(WEB_RECENT), channel=Channel.WEBCHAT, created_at=ago(364)),
            AuditEntry(actor="Nurse Ana", action="resolve", subject="t-old-resolved", detail="résolu ✓", created_at=ago(400)),
            AuditEntry(actor="Nurse Ana", action="claim", subject="t-recent-resolved", detail="", created_at=ago(8)),
            SmsInbound(message_sid="SM" + "a" * 32, received_at=ago(400)),
            SmsInbound(message_sid="SM" + "b" * 32, received_at=ago(1)),
            SmsChoice(phone=SMS_PATIENT, choices=[{"title": "Sí, llámenme", "payload": "/affirm"}], updated_at=ago(400)),
            SmsChoice(phone=SMS_RECENT, choices=[{"title": "No, gracias", "payload": "/deny"}], updated_at=ago(2)),
            SmsOptOut(phone="+15559990000", opted_out_at=ago(1000)),
        ])
    yield db
    db.dispose()


def store_on(path) -> ResilientSQLTrackerStore:
    return ResilientSQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(path), retry_seconds=0.0)


def conversation(sender: str, *turns: tuple[float, str]) -> DialogueStateTracker:
    events = []
    for days, text in turns:
        ts = ago(days).replace(tzinfo=dt.timezone.utc).timestamp()
        events += [
            UserUttered(text, {"name": "faq", "confidence": 0.97}, timestamp=ts),
            BotUttered("Las bombas se rellenan cada pocos meses. Fuente: Pump refills.", timestamp=ts + 1),
            ActionExecuted("action_listen", timestamp=ts + 2),
        ]
    return DialogueStateTracker.from_events(sender, events, slots=DOMAIN.slots)


@pytest.fixture
def tracker_url(tmp_path):
    path = tmp_path / "conversations.db"
    store = store_on(path)

    async def write():
        for tracker in (
            conversation(SMS_PATIENT, (420, "Mi bomba está pitando 🙏"), (401, "gracias")),
            conversation(WEB_OLD, (450, "I missed my refill — what now?")),
            conversation(SMS_WAITING, (900, "¿Puedo ducharme con la herida?")),
            conversation(WEB_RECENT, (3, "Kann ich mit der Pumpe in die Sauna gehen?")),
            conversation(WEB_LONG, (800, "My dose feels too strong, 头晕"), (2, "still dizzy")),
        ):
            await store.save(tracker)

    asyncio.run(write())
    store.engine.dispose()
    return f"sqlite:///{path}"


def counts(db) -> dict[str, int]:
    with db.session() as s:
        return {m.__tablename__: s.execute(sa.select(sa.func.count()).select_from(m)).scalar_one()
                for m in (Ticket, AnswerFeedback, UnansweredQuestion, AuditEntry, SmsInbound, SmsChoice, SmsOptOut)}


def events_by_sender(url) -> dict[str, int]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as c:
            return dict(c.execute(sa.text("SELECT sender_id, count(*) FROM events GROUP BY sender_id")).all())
    finally:
        engine.dispose()


def ticket_ids(db) -> set[str]:
    with db.session() as s:
        return set(s.execute(sa.select(Ticket.id)).scalars())


# -- the pure functions ------------------------------------------------------------


def test_old_closed_records_go_and_recent_and_open_ones_stay(database):
    cutoff = cutoff_for(DAYS, now=NOW)
    with database.session() as s:
        report = purge_records(s, cutoff)
    assert report.counts == {
        RESOLVED_TICKETS: 2,
        "answer feedback records": 1,
        "unanswered questions": 1,
        "SMS message ids": 1,
        "SMS numbered choices": 1,
        "audit entries": 1,
    }
    assert ticket_ids(database) == {"t-recent-resolved", "t-old-open", "t-old-claimed"}
    with database.session() as s:
        assert s.execute(sa.select(Ticket.status).where(Ticket.id == "t-old-open")).scalar_one() == "open"
        assert s.execute(sa.select(UnansweredQuestion.text)).scalars().all() == ["Kann ich mit der Pumpe in die Sauna gehen?"]
        assert s.execute(sa.select(SmsChoice.phone)).scalars().all() == [SMS_RECENT]
        assert s.execute(sa.select(AuditEntry.subject)).scalars().all() == ["t-recent-resolved"]
        # Nothing about the purged patient is left anywhere in the database.
        everything = " ".join(str(v) for m in (Ticket, AnswerFeedback, UnansweredQuestion, SmsChoice, SmsInbound)
                              for row in s.execute(sa.select(m.__table__)).all() for v in row)
        assert SMS_PATIENT not in everything and pseudonymise(SMS_PATIENT) not in everything
        assert "está pitando" not in everything
        # A STOP is honoured for ever.
        assert s.execute(sa.select(SmsOptOut.phone)).scalars().all() == ["+15559990000"]
        assert active_ticket_senders(s) == {SMS_WAITING, WEB_LONG}
    assert report.lines()[0] == "purged 2 resolved tickets (with their messages and transcripts)"


def test_a_dry_run_counts_the_same_and_deletes_nothing(database):
    before = counts(database)
    cutoff = cutoff_for(DAYS, now=NOW)
    with database.session() as s:
        dry = purge_records(s, cutoff, dry_run=True)
    assert counts(database) == before
    assert dry.lines()[0].startswith("would purge 2 resolved tickets")
    with database.session() as s:
        real = purge_records(s, cutoff)
    assert real.counts == dry.counts and real.total == 7


def test_stale_conversations_go_except_one_with_an_open_ticket(tracker_url):
    before = events_by_sender(tracker_url)
    engine = sa.create_engine(tracker_url)
    cutoff = cutoff_for(DAYS, now=NOW)
    with engine.begin() as c:
        dry = purge_conversations(c, cutoff, keep_senders={SMS_WAITING, WEB_LONG}, dry_run=True)
    assert events_by_sender(tracker_url) == before
    with engine.begin() as c:
        real = purge_conversations(c, cutoff, keep_senders={SMS_WAITING, WEB_LONG})
    engine.dispose()
    assert dry == real == {CONVERSATIONS: 2, CONVERSATION_EVENTS: before[SMS_PATIENT] + before[WEB_OLD]}
    after = events_by_sender(tracker_url)
    assert set(after) == {SMS_WAITING, WEB_RECENT, WEB_LONG}
    assert after == {sender: before[sender] for sender in after}  # the kept ones whole, the old turns too

    async def texts(sender):
        tracker = await store_on(tracker_url.removeprefix("sqlite:///")).retrieve(sender)
        return [e.text for e in tracker.events if isinstance(e, UserUttered)]

    assert asyncio.run(texts(WEB_LONG)) == ["My dose feels too strong, 头晕", "still dizzy"]


def test_a_tracker_database_without_events_has_nothing_to_purge(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    with engine.begin() as c:
        assert purge_conversations(c, cutoff_for(30)) == {CONVERSATIONS: 0, CONVERSATION_EVENTS: 0}
    engine.dispose()


def test_the_retention_period_is_at_least_a_day():
    with pytest.raises(ValueError):
        cutoff_for(0)


# -- the command -------------------------------------------------------------------


def run(capsys, *args) -> tuple[int, str]:
    code = cli.main(list(args))
    return code, capsys.readouterr().out


def test_the_command_dry_run_prints_and_keeps_everything(database, tracker_url, capsys):
    before, events = counts(database), events_by_sender(tracker_url)
    code, out = run(capsys, "--days", str(DAYS), "--dry-run", "--database-url", database.url, "--tracker-url", tracker_url)
    assert code == 0
    assert "dry run: nothing is deleted" in out
    assert "would purge 2 resolved tickets" in out and "would purge 2 conversations in the tracker store" in out
    assert counts(database) == before and events_by_sender(tracker_url) == events


def test_the_command_purges_prints_and_leaves_an_audit_entry(database, tracker_url, capsys):
    code, out = run(capsys, "--days", str(DAYS), "--database-url", database.url, "--tracker-url", tracker_url)
    assert code == 0
    assert "purged 2 resolved tickets (with their messages and transcripts)" in out
    assert "purged 1 audit entries" in out
    assert "purged 2 conversations in the tracker store" in out
    assert ticket_ids(database) == {"t-recent-resolved", "t-old-open", "t-old-claimed"}
    assert set(events_by_sender(tracker_url)) == {SMS_WAITING, WEB_RECENT, WEB_LONG}
    with database.session() as s:
        entry = s.execute(sa.select(AuditEntry).where(AuditEntry.actor == "retention")).scalar_one()
    assert entry.action == "purge" and entry.subject == "365 days" and "2 resolved tickets" in entry.detail
    # Run again: nothing left to purge, and it says so.
    code, out = run(capsys, "--days", str(DAYS), "--database-url", database.url, "--tracker-url", tracker_url)
    assert code == 0 and "purged 0 resolved tickets" in out


def test_a_shorter_period_purges_more(database, tracker_url, capsys):
    code, _ = run(capsys, "--days", "5", "--database-url", database.url, "--tracker-url", tracker_url)
    assert code == 0
    assert ticket_ids(database) == {"t-old-open", "t-old-claimed"}  # open and claimed stay, however old
    assert set(events_by_sender(tracker_url)) == {SMS_WAITING, WEB_RECENT, WEB_LONG}  # WEB_RECENT wrote 3 days ago


def test_the_default_period_comes_from_retention_days(database, tracker_url, capsys, monkeypatch):
    monkeypatch.setenv("RETENTION_DAYS", "5")
    get_settings.cache_clear()
    try:
        assert get_settings().retention_days == 5
        code, out = run(capsys, "--dry-run", "--database-url", database.url, "--tracker-url", tracker_url)
    finally:
        get_settings.cache_clear()
    assert code == 0 and out.startswith("Retention 5 days") and "would purge 3 resolved tickets" in out
    monkeypatch.delenv("RETENTION_DAYS")
    assert get_settings().retention_days == 365
    get_settings.cache_clear()


def test_zero_days_is_refused(database, capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["--days", "0", "--database-url", database.url, "--no-conversations"])
    assert exit_.value.code == 2


def test_the_tracker_store_is_the_one_rasa_is_configured_with(tmp_path):
    assert cli.tracker_store_url(PROJECT_ROOT / "endpoints.yml") == f"sqlite:///{PROJECT_ROOT / 'var' / 'conversations.db'}"
    production = cli.tracker_store_url(
        PROJECT_ROOT / "deploy" / "endpoints.production.yml",
        {"TRACKER_DB_HOST": "db.internal", "TRACKER_DB_PORT": "5432", "TRACKER_DB_NAME": "rasa",
         "TRACKER_DB_USER": "rasa", "TRACKER_DB_PASSWORD": "pw"},
    )
    assert production == "postgresql://rasa:pw@db.internal:5432/rasa"
    other = tmp_path / "endpoints.yml"
    other.write_text("tracker_store:\n  type: redis\n  url: localhost\n")
    assert cli.tracker_store_url(other) is None


def test_a_missing_tracker_file_is_not_created(database, tmp_path, capsys):
    missing = tmp_path / "never.db"
    code, out = run(capsys, "--database-url", database.url, "--tracker-url", f"sqlite:///{missing}")
    assert code == 0 and not missing.exists()
    assert "conversations in the tracker store" not in out
