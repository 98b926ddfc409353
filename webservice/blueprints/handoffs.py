"""Staff API for hand-off tickets: list, read, claim, reply, resolve."""
from __future__ import annotations

from sanic import Blueprint
from sanic.response import json

from pump_assistant.storage.tickets import STATUSES, TicketNotFound
from webservice.auth import bearer_token_required
from webservice.handoff_service import HandoffService, Outcome

bp = Blueprint("handoffs", url_prefix="/api/handoffs")

MAX_LIMIT = 200


def error(status: int, code: str, detail: str):
    return json({"error": code, "detail": detail}, status=status)


def body_of(request) -> dict | None:
    try:
        body = request.json
    except Exception:
        return None
    return body if isinstance(body, dict) else None


def staff_name(body: dict) -> str | None:
    name = body.get("staff")
    return name.strip()[:120] if isinstance(name, str) and name.strip() else None


@bp.get("")
@bearer_token_required
async def list_handoffs(request):
    status = request.args.get("status")
    if status is not None and status not in STATUSES:
        return error(400, "bad_status", f"status must be one of {', '.join(STATUSES)}")
    raw_limit = request.args.get("limit", "50")
    if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= MAX_LIMIT:
        return error(400, "bad_limit", f"limit must be a whole number from 1 to {MAX_LIMIT}")
    return json({"handoffs": request.app.ctx.tickets.list(status=status, limit=int(raw_limit))})


@bp.get("/<ticket_id:str>")
@bearer_token_required
async def get_handoff(request, ticket_id: str):
    try:
        ticket = request.app.ctx.tickets.get(ticket_id)
        return json({**ticket, "opted_out": request.app.ctx.handoffs.opted_out(ticket)})
    except TicketNotFound:
        return error(404, "not_found", "no such hand-off")


def service(request) -> HandoffService:
    return request.app.ctx.handoffs


def respond(outcome: Outcome):
    return json(outcome.body, status=outcome.status)


@bp.post("/<ticket_id:str>/claim")
@bearer_token_required
async def claim_handoff(request, ticket_id: str):
    body = body_of(request)
    if body is None or not staff_name(body):
        return error(400, "bad_request", 'send JSON {"staff": "<your name>"}')
    return respond(await service(request).claim(ticket_id, staff_name(body)))


@bp.post("/<ticket_id:str>/reply")
@bearer_token_required
async def reply_to_handoff(request, ticket_id: str):
    body = body_of(request)
    if not body or not staff_name(body) or not isinstance(body.get("text"), str):
        return error(400, "bad_request", 'send JSON {"staff": "<your name>", "text": "<reply>"}')
    return respond(await service(request).reply(ticket_id, staff_name(body), body["text"]))


@bp.post("/<ticket_id:str>/resolve")
@bearer_token_required
async def resolve_handoff(request, ticket_id: str):
    return respond(await service(request).resolve(ticket_id, staff_name(body_of(request) or {}) or "staff"))
