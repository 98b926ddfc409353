"""Tables: hand-off tickets, answer feedback, questions the pages do not answer."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import JSON, Boolean, Column, DateTime, Integer, String, Text
from sqlalchemy.orm import declarative_base

from pump_assistant.vocabulary import DraftStatus, Role, TicketStatus

# Any: SQLAlchemy 1.4 without its mypy plugin gives no class type for it.
Base: Any = declarative_base()


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def new_id() -> str:
    return uuid.uuid4().hex


class Ticket(Base):
    __tablename__ = "handoff_tickets"

    id = Column(String(32), primary_key=True, default=new_id)
    sender_id = Column(String(255), nullable=False, index=True)
    channel = Column(String(64), nullable=False, default="unknown")
    urgency = Column(String(16), nullable=False)  # emergency | urgent | routine
    reason = Column(String(16), nullable=False)  # emergency | clinical | request
    trigger_message = Column(Text, nullable=False, default="")
    transcript = Column(JSON, nullable=False, default=list)
    safety_signs = Column(JSON, nullable=False, default=list)
    status = Column(String(16), nullable=False, default=TicketStatus.OPEN, index=True)
    created_at = Column(DateTime, nullable=False, default=utcnow, index=True)
    updated_at = Column(DateTime, nullable=False, default=utcnow, onupdate=utcnow)
    claimed_by = Column(String(255))
    claimed_at = Column(DateTime)
    resolved_at = Column(DateTime)
    contact_name = Column(String(255))
    contact_phone = Column(String(64))
    contact_time = Column(String(255))
    contact_consent = Column(Boolean)
    # What the inbox's search box matches (pump_assistant.storage.search); never sent to clients.
    search_text = Column(Text)
    # Written by whoever resolved the ticket: what was done.
    resolution_note = Column(Text)
    resolved_by = Column(String(120))

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "sender_id": self.sender_id,
            "channel": self.channel,
            "urgency": self.urgency,
            "reason": self.reason,
            "trigger_message": self.trigger_message,
            "transcript": self.transcript or [],
            "safety_signs": self.safety_signs or [],
            "status": self.status,
            "created_at": _iso(self.created_at),
            "updated_at": _iso(self.updated_at),
            "claimed_by": self.claimed_by,
            "claimed_at": _iso(self.claimed_at),
            "resolved_at": _iso(self.resolved_at),
            "resolved_by": self.resolved_by,
            "resolution_note": self.resolution_note,
            "contact": {
                "name": self.contact_name,
                "phone": self.contact_phone,
                "preferred_time": self.contact_time,
                "consent": self.contact_consent,
            },
        }


class AnswerFeedback(Base):
    __tablename__ = "answer_feedback"

    id = Column(Integer, primary_key=True, autoincrement=True)
    answer_id = Column(String(64), nullable=False, index=True)
    answer_version = Column(Integer, nullable=False)
    helpful = Column(Boolean, nullable=False)
    conversation = Column(String(64), nullable=False)  # pseudonymised sender id
    channel = Column(String(64), nullable=False, default="unknown")
    created_at = Column(DateTime, nullable=False, default=utcnow)


class UnansweredQuestion(Base):
    __tablename__ = "unanswered_questions"

    id = Column(Integer, primary_key=True, autoincrement=True)
    kind = Column(String(32), nullable=False, index=True)  # not_covered | fallback | not_helpful
    text = Column(Text, nullable=False)
    topic_guess = Column(String(64))
    conversation = Column(String(64), nullable=False)
    channel = Column(String(64), nullable=False, default="unknown")
    created_at = Column(DateTime, nullable=False, default=utcnow)


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() + "Z" if value else None


class SmsInbound(Base):
    """Message SIDs already handled, so a retried webhook is not answered twice."""

    __tablename__ = "sms_inbound"

    message_sid = Column(String(64), primary_key=True)
    received_at = Column(DateTime, nullable=False, default=utcnow)


class SmsOptOut(Base):
    __tablename__ = "sms_opt_outs"

    phone = Column(String(32), primary_key=True)
    opted_out_at = Column(DateTime, nullable=False, default=utcnow)


class SmsChoice(Base):
    """The numbered choices last sent to a number, so "2" maps back to a button."""

    __tablename__ = "sms_choices"

    phone = Column(String(32), primary_key=True)
    choices = Column(JSON, nullable=False, default=list)
    updated_at = Column(DateTime, nullable=False, default=utcnow)


class StaffAccount(Base):
    __tablename__ = "staff_accounts"

    username = Column(String(64), primary_key=True)
    display_name = Column(String(120), nullable=False)
    password_hash = Column(String(255), nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    disabled = Column(Boolean, nullable=False, default=False)
    # A vocabulary.Role: front_desk (works the queue) or clinician (also approves content).
    role = Column(String(32), nullable=False, default=Role.FRONT_DESK.value, server_default=Role.FRONT_DESK.value)


class StaffSession(Base):
    __tablename__ = "staff_sessions"

    token_hash = Column(String(64), primary_key=True)
    username = Column(String(64), nullable=False, index=True)
    csrf_token = Column(String(64), nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    expires_at = Column(DateTime, nullable=False)


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id = Column(Integer, primary_key=True, autoincrement=True)
    actor = Column(String(120), nullable=False)
    action = Column(String(64), nullable=False)
    subject = Column(String(64))
    detail = Column(Text)
    created_at = Column(DateTime, nullable=False, default=utcnow, index=True)


class DraftAnswer(Base):
    """A staff reply saved for clinician review; never shown to patients until approved."""

    __tablename__ = "draft_answers"

    id = Column(Integer, primary_key=True, autoincrement=True)
    question = Column(Text, nullable=False)
    text = Column(Text, nullable=False)
    author = Column(String(120), nullable=False)
    status = Column(String(16), nullable=False, default=DraftStatus.PENDING)
    reviewed_by = Column(String(120))
    created_at = Column(DateTime, nullable=False, default=utcnow)
    reviewed_at = Column(DateTime)
    # Approved: the registry answer and version it became. Rejected: why (review_note).
    answer_id = Column(String(64))
    answer_version = Column(Integer)
    review_note = Column(Text)
