"""Draft answers: staff save a reply for review; a clinician turns it into a new registry answer version, or rejects it.

Approving runs the registry's own checks (pump_assistant.content.approval) before anything is
written; both decisions are audit entries. Only a role allowed to approve content may decide (403).
"""

from __future__ import annotations

import asyncio
from functools import wraps
from typing import Any

from sanic import Blueprint
from sanic.response import json

from pump_assistant import services
from pump_assistant.content.approval import ContentRejected, NewVersion, approve_new_version
from pump_assistant.storage import insights
from pump_assistant.vocabulary import DraftStatus
from webservice.blueprints.desk.common import content_approver, error, signed_in
from webservice.json_replies import body_of, takes_note

bp = Blueprint("desk_drafts", url_prefix="/api")
MAX_QUOTES = 10


@bp.get("/drafts")
@signed_in
async def list_drafts(request):
    status = request.args.get("status") or None
    if status is not None and status not in insights.DRAFT_STATUSES:
        return error(400, "bad_status", f"status must be one of {', '.join(insights.DRAFT_STATUSES)}")
    return json(
        {
            "drafts": insights.drafts(request.app.ctx.database, status),
            "can_approve": request.ctx.user.can_approve_content,
        }
    )


@bp.post("/drafts")
@signed_in
async def save_draft(request):
    body = body_of(request) or {}
    question, text = body.get("question"), body.get("text")
    if not isinstance(question, str) or not isinstance(text, str) or not question.strip() or not text.strip():
        return error(400, "bad_request", "a draft needs the question and the answer text")
    draft_id = insights.save_draft(
        request.app.ctx.database, question=question.strip(), text=text.strip(), author=request.ctx.user.display_name
    )
    request.app.ctx.staff.audit(request.ctx.user.display_name, "drafted_answer", str(draft_id))
    return json({"id": draft_id, "status": DraftStatus.PENDING}, status=201)


@bp.get("/registry")
@signed_in
async def registry_answers(request):
    """The registry's answers and pages, for the approval form (each answer's current version and quotes)."""
    registry = services.registry()
    return json(
        {
            "sources": [{"id": s.id, "title": s.title} for s in registry.sources.values()],
            "answers": [
                {
                    "id": a.id,
                    "version": a.version,
                    "title": a.title,
                    "sms": a.sms,
                    "text": a.text,
                    "reviewed": a.reviewed.isoformat(),
                    "sources": [{"page": c.page, "quotes": list(c.quotes)} for c in a.citations],
                }
                for a in registry.answers.values()
            ],
        }
    )


def deciding_a_pending_draft(handler):
    """A clinician's decision on a draft (signed in, allowed to approve content): 404 when there is
    no such draft, 409 when it was already decided; otherwise the handler decides."""

    @signed_in
    @content_approver
    @wraps(handler)
    async def wrapper(request, draft_id: int):
        draft = insights.draft(request.app.ctx.database, draft_id)
        if draft is None:
            return error(404, "not_found", "no such draft")
        if draft["status"] != DraftStatus.PENDING:
            return error(409, "already_reviewed", f"this draft was already {draft['status']} by {draft['reviewed_by']}")
        return await handler(request, draft_id)

    return wrapper


@bp.post("/drafts/<draft_id:int>/approve")
@deciding_a_pending_draft
async def approve(request, draft_id: int):
    """JSON {answer_id, title, sms, text, page, quotes[]}: the next version of that answer, if it passes the checks."""
    body = body_of(request) or {}
    fields: dict[str, Any] = {name: body.get(name) for name in ("answer_id", "title", "sms", "text", "page")}
    quotes = body.get("quotes")
    if (
        not all(isinstance(v, str) for v in fields.values())
        or not isinstance(quotes, list)
        or not all(isinstance(q, str) for q in quotes)
        or len(quotes) > MAX_QUOTES
    ):
        return error(
            400,
            "bad_request",
            "send answer_id, title, sms, text, page (text) and quotes "
            f"(a list of up to {MAX_QUOTES} sentences from the page)",
        )
    settings = request.app.ctx.settings
    new = NewVersion(quotes=tuple(quotes), **fields)
    try:
        answer = await asyncio.get_running_loop().run_in_executor(
            None, approve_new_version, settings.registry_path, settings.seeds_dir, new
        )
    except ContentRejected as exc:
        return error(
            422,
            "content_rejected",
            "the answer does not pass the registry's checks; nothing was saved",
            problems=exc.problems,
        )
    services.registry.cache_clear()  # the ask box serves the new version at once
    reviewer = request.ctx.user.display_name
    insights.review_draft(
        request.app.ctx.database,
        draft_id,
        reviewer=reviewer,
        approve=True,
        answer_id=answer.id,
        answer_version=answer.version,
    )
    request.app.ctx.staff.audit(
        reviewer, "approved_draft", str(draft_id), f"published {answer.id} v{answer.version} (source {new.page})"
    )
    return json(
        {
            "draft": insights.draft(request.app.ctx.database, draft_id),
            "answer": {
                "id": answer.id,
                "version": answer.version,
                "title": answer.title,
                "reviewed": answer.reviewed.isoformat(),
            },
        }
    )


@bp.post("/drafts/<draft_id:int>/reject")
@deciding_a_pending_draft
@takes_note
async def reject(request, draft_id: int, *, note: str | None):
    """JSON {"note": "why"} (optional): the draft is closed and never becomes an answer."""
    reviewer = request.ctx.user.display_name
    insights.review_draft(request.app.ctx.database, draft_id, reviewer=reviewer, approve=False, note=note)
    request.app.ctx.staff.audit(reviewer, "rejected_draft", str(draft_id), note or None)
    return json({"draft": insights.draft(request.app.ctx.database, draft_id)})
