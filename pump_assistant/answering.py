"""Choosing and rendering approved answers.

Pure functions over Rasa's parse data and the registry, shared by the action
server and the web service's "ask" box, so both give the same answer.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pump_assistant.content import Answer, Registry
from pump_assistant.sms import SMS_CHANNEL
from pump_assistant.vocabulary import AnswerKind, Intent

FAQ_INTENT = Intent.FAQ
TOPIC_ENTITY = "topic"
# Ends every answer about symptoms or complications (``safety_note`` in the registry).
SAFETY_NOTE = "If you have any of these now and they feel severe, call 911."


@dataclass(frozen=True)
class Choice:
    kind: AnswerKind  # ANSWER, CLARIFY or UNKNOWN
    answer_ids: tuple[str, ...] = ()
    confidence: float = 0.0


@dataclass(frozen=True)
class Reply:
    text: str
    buttons: list[dict] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)


def topic_payload(answer_id: str) -> str:
    return "/choose_topic" + json.dumps({TOPIC_ENTITY: answer_id}, separators=(",", ":"))


def topic_button(registry: Registry, answer_id: str) -> dict:
    return {"title": registry.answers[answer_id].title, "payload": topic_payload(answer_id)}


def ranked_topics(parse_data: Mapping, registry: Registry) -> list[tuple[str, float]]:
    """The response selector's FAQ ranking, best first, limited to known answers."""
    selector = (parse_data.get("response_selector") or {}).get(FAQ_INTENT) or {}
    ranked = []
    for item in selector.get("ranking") or []:
        key = str(item.get("intent_response_key") or "")
        answer_id = key.split("/", 1)[1] if "/" in key else key
        if answer_id in registry:
            ranked.append((answer_id, float(item.get("confidence") or 0.0)))
    return sorted(ranked, key=lambda pair: pair[1], reverse=True)


def explicit_topic(parse_data: Mapping, registry: Registry) -> str | None:
    for entity in parse_data.get("entities") or []:
        if entity.get("entity") == TOPIC_ENTITY and entity.get("value") in registry:
            return str(entity["value"])
    return None


def choose_answer(
    parse_data: Mapping, registry: Registry, *, answer_confidence: float, ambiguity_margin: float
) -> Choice:
    """Answer when the best topic is clear; offer the two best when they are close."""
    topic = explicit_topic(parse_data, registry)
    if topic:
        return Choice(AnswerKind.ANSWER, (topic,), 1.0)
    ranked = ranked_topics(parse_data, registry)
    if not ranked:
        return Choice(AnswerKind.UNKNOWN)
    best, best_confidence = ranked[0]
    if len(ranked) > 1:
        second, second_confidence = ranked[1]
        if best_confidence < answer_confidence and best_confidence - second_confidence < ambiguity_margin:
            return Choice(AnswerKind.CLARIFY, (best, second), best_confidence)
    return Choice(AnswerKind.ANSWER, (best,), best_confidence)


# Intents whose questions only a clinician answers: no approved answer is offered for them.
HANDOFF_INTENTS = frozenset({Intent.EMERGENCY, Intent.CLINICAL_QUESTION})


def choose_answer_to_question(
    parse_data: Mapping, registry: Registry, *, answer_confidence: float, ambiguity_margin: float
) -> Choice:
    """:func:`choose_answer` for a question read on its own (the staff console's ask box), whatever its intent.

    A question about one person's care ("can I take ibuprofen with my pump?") has no
    approved answer, even when a page topic is close: a clinician answers it. A
    question Rasa did not read as a FAQ gets a single answer only when its topic is
    at least as sure as the assistant's own bar (``answer_confidence``).
    """
    intent = (parse_data.get("intent") or {}).get("name")
    choice = choose_answer(parse_data, registry, answer_confidence=answer_confidence, ambiguity_margin=ambiguity_margin)
    if intent in HANDOFF_INTENTS or (
        intent != FAQ_INTENT and choice.kind == AnswerKind.ANSWER and choice.confidence < answer_confidence
    ):
        return Choice(AnswerKind.UNKNOWN)
    return choice


def resolve_followup(registry: Registry, last_answer_id: str | None, kind: str) -> str | None:
    answer = registry.get(last_answer_id) if last_answer_id else None
    if answer is None:
        return None
    return answer.followups.get(kind)


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def source_line(registry: Registry, answer: Answer, channel: str | None = None) -> str:
    """The "Source: <page>; <page>" line: pages by short name in a text message, by full title elsewhere."""
    titles = registry.source_short_titles(answer) if channel == SMS_CHANNEL else registry.source_titles(answer)
    return "Source: " + "; ".join(_unique(titles))


def render_answer(registry: Registry, answer: Answer, channel: str | None = None) -> Reply:
    """The patient-facing reply: the answer, its source, related topics as quick replies."""
    body = answer.sms if channel == SMS_CHANNEL else answer.text
    if answer.safety_note:
        body = f"{body} {SAFETY_NOTE}"
    return Reply(
        text=f"{body}\n\n{source_line(registry, answer, channel)}",
        buttons=[topic_button(registry, other) for other in answer.related],
        metadata={
            "answer_id": answer.id,
            "answer_version": answer.version,
            "answer_reviewed": answer.reviewed.isoformat(),
            "sources": _unique(registry.source_titles(answer)),
        },
    )


def clarify_buttons(registry: Registry, answer_ids: Sequence[str]) -> list[dict]:
    return [topic_button(registry, answer_id) for answer_id in answer_ids] + [
        {"title": "Something else", "payload": "/not_covered"}
    ]
