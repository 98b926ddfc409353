"""What the clinic needs to grow its approved content: unanswered questions and answer ratings."""

from __future__ import annotations

from sqlalchemy import case, func, select

from pump_assistant.storage.database import Database
from pump_assistant.storage.models import AnswerFeedback, DraftAnswer, UnansweredQuestion, utcnow
from pump_assistant.vocabulary import DraftStatus

EXAMPLES_PER_GROUP = 5


def content_gaps(db: Database) -> dict:
    with db.session() as session:
        groups = session.execute(
            select(UnansweredQuestion.kind, UnansweredQuestion.topic_guess, func.count())
            .group_by(UnansweredQuestion.kind, UnansweredQuestion.topic_guess)
            .order_by(func.count().desc())
        ).all()
        result = []
        for kind, topic, count in groups:
            examples = (
                session.execute(
                    select(UnansweredQuestion.text)
                    .where(
                        UnansweredQuestion.kind == kind,
                        UnansweredQuestion.topic_guess.is_(topic)
                        if topic is None
                        else UnansweredQuestion.topic_guess == topic,
                    )
                    .order_by(UnansweredQuestion.id.desc())
                    .limit(EXAMPLES_PER_GROUP)
                )
                .scalars()
                .all()
            )
            result.append({"kind": kind, "topic": topic or "(no topic)", "count": count, "examples": examples})
        ratings = session.execute(
            select(
                AnswerFeedback.answer_id,
                AnswerFeedback.answer_version,
                func.sum(case((AnswerFeedback.helpful.is_(True), 1), else_=0)),
                func.sum(case((AnswerFeedback.helpful.is_(False), 1), else_=0)),
            ).group_by(AnswerFeedback.answer_id, AnswerFeedback.answer_version)
        ).all()
    return {
        "unanswered": result,
        "ratings": [
            {"answer_id": a, "answer_version": v, "helpful": int(h or 0), "not_helpful": int(n or 0)}
            for a, v, h, n in sorted(ratings, key=lambda r: -(r[3] or 0))
        ],
    }


def save_draft(db: Database, *, question: str, text: str, author: str) -> int:
    with db.session() as session:
        draft = DraftAnswer(question=question[:2000], text=text[:4000], author=author, status=DraftStatus.PENDING)
        session.add(draft)
        session.flush()
        return draft.id


DRAFT_STATUSES = tuple(DraftStatus)


def _draft_dict(d: DraftAnswer) -> dict:
    return {
        "id": d.id,
        "question": d.question,
        "text": d.text,
        "author": d.author,
        "status": d.status,
        "reviewed_by": d.reviewed_by,
        "created_at": d.created_at.isoformat() + "Z",
        "reviewed_at": d.reviewed_at.isoformat() + "Z" if d.reviewed_at else None,
        "answer_id": d.answer_id,
        "answer_version": d.answer_version,
        "review_note": d.review_note,
    }


def drafts(db: Database, status: str | None = None) -> list[dict]:
    query = select(DraftAnswer).order_by(DraftAnswer.id.desc())
    if status:
        query = query.where(DraftAnswer.status == status)
    with db.session() as session:
        return [_draft_dict(d) for d in session.execute(query).scalars()]


def draft(db: Database, draft_id: int) -> dict | None:
    with db.session() as session:
        found = session.get(DraftAnswer, draft_id)
        return _draft_dict(found) if found else None


def review_draft(
    db: Database,
    draft_id: int,
    *,
    reviewer: str,
    approve: bool,
    answer_id: str | None = None,
    answer_version: int | None = None,
    note: str | None = None,
) -> bool:
    """Record a clinician's decision on a pending draft; False if it is missing or already reviewed.

    Approved: the registry answer and version it became. Rejected: why, in ``note``.
    """
    with db.session() as session:
        draft = session.get(DraftAnswer, draft_id)
        if draft is None or draft.status != DraftStatus.PENDING:
            return False
        draft.status = DraftStatus.APPROVED if approve else DraftStatus.REJECTED
        draft.reviewed_by, draft.reviewed_at = reviewer, utcnow()
        draft.answer_id, draft.answer_version = answer_id, answer_version
        draft.review_note = (note or "").strip()[:2000] or None
        return True
