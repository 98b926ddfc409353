"""The front-desk console: sign-in, "ask" box, hand-off queue, audit log, content gaps.

Signed-in staff hold an HttpOnly, SameSite=Strict session cookie; every state
change also needs the session's CSRF token in the X-CSRF-Token header.
"""
from __future__ import annotations

import hmac
import re
from functools import wraps
from pathlib import Path

from sanic import Blueprint
from sanic.response import file, html, json

from pump_assistant import answering, services
from pump_assistant.login_throttle import locked_message
from pump_assistant.sms.formatting import split_for_sms
from pump_assistant.sms.twilio_api import TwilioApi, TwilioSendError
from pump_assistant.storage import insights
from pump_assistant.storage.tickets import urgency_rank
from pump_assistant.triage import replies
from pump_assistant.triage.decision import Triage
from pump_assistant.triage.levels import EMERGENCY
from webservice.blueprints.handoffs import body_of
from webservice.handoff_service import Outcome
from webservice.rasa_client import RasaUnavailable

STATIC = Path(__file__).resolve().parent.parent / "static"
COOKIE = "desk_session"
PHONE = re.compile(r"^\+[1-9]\d{7,14}$")
# Intents whose questions only a clinician answers: the ask box offers no approved answer for them.
HANDOFF_INTENTS = frozenset({"emergency", "clinical_question"})
bp = Blueprint("desk", url_prefix="/desk")

CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"


def signed_in(handler):
    @wraps(handler)
    async def wrapper(request, *args, **kwargs):
        user = request.app.ctx.staff.session_for(request.cookies.get(COOKIE))
        if user is None:
            return json({"error": "unauthorized", "detail": "sign in first"}, status=401)
        if request.method not in ("GET", "HEAD"):
            sent = request.headers.get("x-csrf-token", "")
            if not hmac.compare_digest(sent, user.csrf_token):
                return json({"error": "csrf", "detail": "missing or wrong X-CSRF-Token"}, status=403)
        request.ctx.user = user
        return await handler(request, *args, **kwargs)

    return wrapper


def respond(outcome: Outcome):
    return json(outcome.body, status=outcome.status)


@bp.get("")
async def console(request):
    return html((STATIC / "desk.html").read_text(encoding="utf-8"), headers={"Content-Security-Policy": CSP})


@bp.get("/desk.js")
async def console_js(request):
    return await file(STATIC / "desk.js", mime_type="application/javascript", headers={"Cache-Control": "no-cache"})


@bp.get("/desk.css")
async def console_css(request):
    return await file(STATIC / "desk.css", mime_type="text/css", headers={"Cache-Control": "no-cache"})


def locked_out(retry_after: int):
    return json({"error": "locked", "detail": locked_message(retry_after), "retry_after": retry_after},
                status=429, headers={"Retry-After": str(retry_after)})


@bp.post("/api/login")
async def login(request):
    body = body_of(request) or {}
    username, password = body.get("username"), body.get("password")
    if not isinstance(username, str) or not isinstance(password, str):
        return json({"error": "bad_request", "detail": "send username and password"}, status=400)
    throttle, staff = request.app.ctx.login_throttle, request.app.ctx.staff
    # remote_addr is set only when sanic is told to trust a proxy's forwarded headers.
    address = request.remote_addr or request.ip or "unknown"
    decision = throttle.check(username, address)
    if not decision.allowed:  # locked: the password is not even checked
        return locked_out(decision.retry_after)
    result = staff.sign_in(username, password)
    if result is None:
        lockouts = throttle.failed(username, address)
        for lockout in lockouts:
            staff.audit("sign-in throttle", "login_locked", lockout.subject[:64],
                        f"{lockout.kind} locked for {lockout.seconds} s after {lockout.failures} failed sign-ins"
                        f" (last from {address})")
        if lockouts:
            return locked_out(max(lockout.seconds for lockout in lockouts))
        return json({"error": "unauthorized", "detail": "wrong username or password"}, status=401)
    throttle.succeeded(username)
    token, user = result
    response = json({"user": user.display_name, "csrf": user.csrf_token})
    response.cookies[COOKIE] = token
    response.cookies[COOKIE]["httponly"] = True
    response.cookies[COOKIE]["samesite"] = "Strict"
    response.cookies[COOKIE]["secure"] = request.scheme == "https"
    response.cookies[COOKIE]["path"] = "/desk"
    return response


@bp.post("/api/logout")
@signed_in
async def logout(request):
    request.app.ctx.staff.sign_out(request.cookies.get(COOKIE))
    request.app.ctx.staff.audit(request.ctx.user.display_name, "signed_out")
    response = json({"signed_out": True})
    del response.cookies[COOKIE]
    return response


@bp.get("/api/me")
@signed_in
async def me(request):
    return json({"user": request.ctx.user.display_name, "csrf": request.ctx.user.csrf_token})


@bp.get("/api/ask")
@signed_in
async def ask(request):
    question = (request.args.get("q") or "").strip()
    if not question or len(question) > 500:
        return json({"error": "bad_request", "detail": "ask a question of 1 to 500 characters"}, status=400)
    try:
        parse = await request.app.ctx.rasa.parse(question)
    except RasaUnavailable:
        return json({"error": "unavailable", "detail": "the assistant is not reachable"}, status=503)
    registry, settings = services.registry(), request.app.ctx.settings
    choice = answering.choose_answer(
        parse, registry, answer_confidence=settings.answer_confidence, ambiguity_margin=settings.ambiguity_margin
    )
    intent = parse.get("intent", {}).get("name")
    # A question about one person's care ("can I take ibuprofen with my pump?") has no
    # approved answer, even when a page topic is close: staff hand it to a clinician.
    if intent in HANDOFF_INTENTS or (
        intent != answering.FAQ_INTENT and choice.kind == answering.ANSWER and choice.confidence < 0.9
    ):
        choice = answering.Choice(answering.UNKNOWN)
    answers = []
    for answer_id in choice.answer_ids:
        answer = registry.answers[answer_id]
        answers.append({
            "id": answer.id, "version": answer.version, "title": answer.title, "text": answer.text,
            "sms": answer.sms, "source": answering.source_line(registry, answer),
        })
    # The same triage decision the patient's message gets: staff see the 911 advice too.
    triage = Triage.from_dict(parse.get("triage"))
    if triage.level == EMERGENCY:
        answers = []
    request.app.ctx.staff.audit(request.ctx.user.display_name, "asked", ",".join(a["id"] for a in answers) or None)
    return json({
        "kind": "emergency" if triage.level == EMERGENCY else choice.kind,
        "intent": intent,
        "answers": answers,
        "triage": {"level": triage.level, "self_harm": triage.self_harm, "urgency": triage.urgency},
        "safety_lines": [line for line in (replies.opening_line(triage), replies.closing_line(triage)) if line],
    })


@bp.post("/api/sms")
@signed_in
async def send_sms(request):
    body = body_of(request) or {}
    to, answer_id = str(body.get("to") or "").replace(" ", ""), body.get("answer_id")
    answer = services.registry().get(answer_id) if isinstance(answer_id, str) else None
    if not PHONE.match(to) or answer is None:
        return json({"error": "bad_request", "detail": "send a number in +15551234567 form and an answer id"}, status=400)
    if request.app.ctx.sms_state.opted_out(to):
        return json({"error": "opted_out", "detail": "This number texted STOP: no text can be sent to it. "
                     "Call the patient instead."}, status=409)
    settings = request.app.ctx.settings
    if not settings.twilio_auth_token:
        return json({"error": "not_configured", "detail": "SMS is not configured (TWILIO_* variables)"}, status=503)
    api = TwilioApi(settings.twilio_account_sid, settings.twilio_auth_token, settings.twilio_number, settings.twilio_api_base)
    text = f"{answer.sms}\n{answering.source_line(services.registry(), answer, 'sms')}"
    try:
        for part in split_for_sms(text):
            await api.send(to, part)
    except TwilioSendError:
        return json({"error": "not_sent", "detail": "Twilio did not accept the message"}, status=502)
    request.app.ctx.staff.audit(request.ctx.user.display_name, "sent_sms", answer.id, f"to ***{to[-4:]}")
    return json({"sent": True, "answer_id": answer.id, "answer_version": answer.version})


@bp.get("/api/queue")
@signed_in
async def queue(request):
    tickets = request.app.ctx.tickets
    active = tickets.list(status="open", limit=200) + tickets.list(status="claimed", limit=200)
    # Emergencies, then urgent, then routine; newest first within each (ISO timestamps sort as text).
    active.sort(key=lambda t: t["created_at"], reverse=True)
    active.sort(key=lambda t: urgency_rank(t["urgency"]))
    activity = request.app.ctx.activity
    for ticket in active:
        # From Rasa's event broker (scale-out profile); null on embedded defaults.
        ticket["patient_last_message"] = activity.last_patient_message(ticket["sender_id"])
        # Shown on the ticket: staff replies to a number that texted STOP are not sent.
        ticket["opted_out"] = request.app.ctx.handoffs.opted_out(ticket)
    return json({"handoffs": active})


@bp.post("/api/handoffs/<ticket_id:str>/claim")
@signed_in
async def claim(request, ticket_id: str):
    return respond(await request.app.ctx.handoffs.claim(ticket_id, request.ctx.user.display_name))


@bp.post("/api/handoffs/<ticket_id:str>/reply")
@signed_in
async def reply(request, ticket_id: str):
    body = body_of(request) or {}
    return respond(await request.app.ctx.handoffs.reply(ticket_id, request.ctx.user.display_name, body.get("text")))


@bp.post("/api/handoffs/<ticket_id:str>/resolve")
@signed_in
async def resolve(request, ticket_id: str):
    return respond(await request.app.ctx.handoffs.resolve(ticket_id, request.ctx.user.display_name))


@bp.get("/api/audit")
@signed_in
async def audit(request):
    return json({"entries": request.app.ctx.staff.audit_log()})


@bp.get("/api/gaps")
@signed_in
async def gaps(request):
    return json(insights.content_gaps(request.app.ctx.database))


@bp.get("/api/drafts")
@signed_in
async def list_drafts(request):
    return json({"drafts": insights.drafts(request.app.ctx.database)})


@bp.post("/api/drafts")
@signed_in
async def save_draft(request):
    body = body_of(request) or {}
    question, text = body.get("question"), body.get("text")
    if not isinstance(question, str) or not isinstance(text, str) or not question.strip() or not text.strip():
        return json({"error": "bad_request", "detail": "a draft needs the question and the answer text"}, status=400)
    draft_id = insights.save_draft(request.app.ctx.database, question=question.strip(), text=text.strip(),
                                   author=request.ctx.user.display_name)
    request.app.ctx.staff.audit(request.ctx.user.display_name, "drafted_answer", str(draft_id))
    return json({"id": draft_id, "status": "pending"}, status=201)
