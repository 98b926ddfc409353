"""The inbox: a compact, filtered, paged list of hand-offs with counts; one ticket in detail; claim, reply, resolve."""

from __future__ import annotations

from sanic import Blueprint
from sanic.response import json

from pump_assistant.storage.inbox import BadCursor, BadFilter, InboxQuery
from pump_assistant.storage.tickets import TicketNotFound
from pump_assistant.transcript import readable_transcript
from pump_assistant.vocabulary import TicketStatus, Urgency
from webservice import inbox_params
from webservice.blueprints.desk.common import error, respond, signed_in
from webservice.handoff_service import SMS_CHANNEL
from webservice.json_replies import body_of, takes_note

bp = Blueprint("desk_queue", url_prefix="/api")
SUMMARY_CHARS = 160


def phone_of(ticket: dict) -> str | None:
    """The number to call: the SMS conversation's own number, else the one the patient gave."""
    if ticket["channel"] == SMS_CHANNEL:
        return ticket["sender_id"]
    return (ticket.get("contact") or {}).get("phone") or None


def list_item(request, ticket: dict) -> dict:
    """A ticket as the list shows it: everything but the transcript, with the phone and STOP state."""
    item = {key: value for key, value in ticket.items() if key != "transcript"}
    item["summary"] = list_item_summary(ticket)
    item["turns"] = len(ticket.get("transcript") or [])
    item["phone"] = phone_of(ticket)
    # Shown on the ticket: staff replies to a number that texted STOP are not sent.
    item["opted_out"] = request.app.ctx.handoffs.opted_out(ticket)
    # From Rasa's event broker (scale-out profile); null on embedded defaults.
    item["patient_last_message"] = request.app.ctx.activity.last_patient_message(ticket["sender_id"])
    return item


@bp.get("/queue")
@signed_in
async def queue(request):
    """Emergencies, then urgent, then routine; newest first within each; ``next_cursor`` for the next page."""
    try:
        wanted = inbox_params.read(
            request.args, default_status="active", default_limit=50, claimed_by=request.ctx.user.display_name
        )
        tickets, next_cursor = request.app.ctx.tickets.page(wanted.query, limit=wanted.limit, cursor=wanted.cursor)
    except BadFilter as exc:
        return error(400, f"bad_{exc.name}", str(exc))
    except BadCursor:
        return error(
            400,
            "bad_cursor",
            "cursor is not one this inbox gave out (or was for another order); start again without it",
        )
    return json(
        {
            "handoffs": [list_item(request, t) for t in tickets],
            "next_cursor": next_cursor,
            "counts": request.app.ctx.tickets.counts(wanted.query),
            "escalate_after_minutes": request.app.ctx.settings.desk_escalate_minutes,
            # Whatever the filters: every unclaimed emergency, for the alert, the title badge and escalation.
            "open_emergencies": open_emergencies(request),
        }
    )


def open_emergencies(request) -> list[dict]:
    tickets, _ = request.app.ctx.tickets.page(
        InboxQuery(status=TicketStatus.OPEN, urgency=Urgency.EMERGENCY), limit=100
    )
    return [{"id": t["id"], "created_at": t["created_at"], "summary": list_item_summary(t)} for t in tickets]


def list_item_summary(ticket: dict) -> str:
    trigger = ticket["trigger_message"] or ""
    return trigger if len(trigger) <= SUMMARY_CHARS else trigger[: SUMMARY_CHARS - 1] + "\u2026"


@bp.get("/handoffs/<ticket_id:str>")
@signed_in
async def detail(request, ticket_id: str):
    """One ticket: the transcript as people read it, the phone, STOP state, resolution note, its audit entries."""
    try:
        ticket = request.app.ctx.tickets.get(ticket_id)
    except TicketNotFound:
        return error(404, "not_found", "no such hand-off")
    whole = await request.app.ctx.handoffs.whole_transcript(ticket)
    return json(
        {
            **list_item(request, ticket),
            **whole.fields(),
            "transcript": readable_transcript(whole.turns),
            "audit": request.app.ctx.staff.audit_log(limit=50, subject=ticket_id),
        }
    )


@bp.post("/handoffs/<ticket_id:str>/claim")
@signed_in
async def claim(request, ticket_id: str):
    return respond(await request.app.ctx.handoffs.claim(ticket_id, request.ctx.user.display_name))


@bp.post("/handoffs/<ticket_id:str>/reply")
@signed_in
async def reply(request, ticket_id: str):
    body = body_of(request) or {}
    return respond(await request.app.ctx.handoffs.reply(ticket_id, request.ctx.user.display_name, body.get("text")))


@bp.post("/handoffs/<ticket_id:str>/resolve")
@signed_in
@takes_note
async def resolve(request, ticket_id: str, *, note: str | None):
    """JSON {"note": "what was done"} (optional, up to 2,000 characters): kept on the ticket and in the audit log."""
    return respond(await request.app.ctx.handoffs.resolve(ticket_id, request.ctx.user.display_name, note))
