"""Writing what patients tell us about answers and what we could not answer."""

from __future__ import annotations

from pump_assistant.storage.database import Database, pseudonymise
from pump_assistant.storage.models import AnswerFeedback, UnansweredQuestion

MAX_QUESTION_CHARS = 2000


def record_feedback(
    db: Database, *, answer_id: str, answer_version: int, helpful: bool, sender_id: str, channel: str
) -> None:
    with db.session() as session:
        session.add(
            AnswerFeedback(
                answer_id=answer_id,
                answer_version=answer_version,
                helpful=helpful,
                conversation=pseudonymise(sender_id),
                channel=channel,
            )
        )


def record_unanswered(
    db: Database, *, kind: str, text: str, sender_id: str, channel: str, topic_guess: str | None = None
) -> None:
    with db.session() as session:
        session.add(
            UnansweredQuestion(
                kind=kind,
                text=text[:MAX_QUESTION_CHARS],
                topic_guess=topic_guess,
                conversation=pseudonymise(sender_id),
                channel=channel,
            )
        )
