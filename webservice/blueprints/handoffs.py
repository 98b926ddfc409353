"""Staff API for hand-off tickets: list, read, claim, reply, resolve."""
from __future__ import annotations

import datetime as dt
import logging

from sanic import Blueprint
from sanic.response import json

from pump_assistant.storage.tickets import STATUSES, TicketNotFound
from webservice.auth import bearer_token_required
from webservice.rasa_client import RasaUnavailable

logger = logging.getLogger(__name__)
bp = Blueprint("handoffs", url_prefix="/api/handoffs")

MAX_LIMIT = 200
MAX_REPLY_CHARS = 1600


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
        return json(request.app.ctx.tickets.get(ticket_id))
    except TicketNotFound:
        return error(404, "not_found", "no such hand-off")


@bp.post("/<ticket_id:str>/claim")
@bearer_token_required
async def claim_handoff(request, ticket_id: str):
    body = body_of(request)
    if body is None or not staff_name(body):
        return error(400, "bad_request", 'send JSON {"staff": "<your name>"}')
    tickets = request.app.ctx.tickets
    try:
        won = tickets.claim(ticket_id, staff_name(body))
    except TicketNotFound:
        return error(404, "not_found", "no such hand-off")
    ticket = tickets.get(ticket_id)
    if not won:
        return error(409, "already_claimed", f"claimed by {ticket['claimed_by'] or 'someone else'} ({ticket['status']})")
    await _tell_conversation(request, ticket, "EXTERNAL_staff_joined")
    return json(ticket)


@bp.post("/<ticket_id:str>/reply")
@bearer_token_required
async def reply_to_handoff(request, ticket_id: str):
    body = body_of(request)
    text = body.get("text") if body else None
    if not body or not staff_name(body) or not isinstance(text, str) or not text.strip():
        return error(400, "bad_request", 'send JSON {"staff": "<your name>", "text": "<reply>"}')
    if len(text) > MAX_REPLY_CHARS:
        return error(413, "too_long", f"a reply is at most {MAX_REPLY_CHARS} characters")
    tickets = request.app.ctx.tickets
    try:
        ticket = tickets.get(ticket_id)
    except TicketNotFound:
        return error(404, "not_found", "no such hand-off")
    if ticket["status"] == "resolved":
        return error(409, "resolved", "this hand-off is resolved")
    turn = {"role": "staff", "staff": staff_name(body), "text": text.strip(), "time": _now()}
    try:
        await request.app.ctx.rasa.trigger_intent(
            ticket["sender_id"],
            "EXTERNAL_staff_reply",
            {"staff_message": text.strip(), "staff_name": staff_name(body)},
        )
        turn["delivered"] = True
    except RasaUnavailable as exc:
        logger.warning("staff reply on %s not delivered: %s", ticket_id, exc)
        turn["delivered"] = False
    # Kept on the ticket either way, so nothing the staff member wrote is lost.
    tickets.append_turn(ticket_id, turn)
    if not turn["delivered"]:
        return error(502, "not_delivered", "the assistant could not be reached; the reply is saved on the ticket")
    return json(tickets.get(ticket_id))


@bp.post("/<ticket_id:str>/resolve")
@bearer_token_required
async def resolve_handoff(request, ticket_id: str):
    tickets = request.app.ctx.tickets
    try:
        done = tickets.resolve(ticket_id, (staff_name(body_of(request) or {}) or "staff"))
    except TicketNotFound:
        return error(404, "not_found", "no such hand-off")
    ticket = tickets.get(ticket_id)
    if not done:
        return error(409, "already_resolved", "this hand-off is already resolved")
    await _tell_conversation(request, ticket, "EXTERNAL_staff_resolved")
    return json(ticket)


async def _tell_conversation(request, ticket: dict, intent: str) -> None:
    try:
        await request.app.ctx.rasa.trigger_intent(ticket["sender_id"], intent)
    except RasaUnavailable as exc:
        logger.warning("could not tell conversation of ticket %s (%s): %s", ticket["id"], intent, exc)


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat()
