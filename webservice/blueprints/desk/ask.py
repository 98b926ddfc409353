"""The ask box: the approved answer to a patient's question, with its source, copy and send-by-SMS."""

from __future__ import annotations

import re
from typing import Any

from sanic import Blueprint
from sanic.response import json

from pump_assistant import answering, services
from pump_assistant.sms.formatting import split_for_sms
from pump_assistant.sms.twilio_api import TwilioApi, TwilioSendError
from pump_assistant.triage import replies
from pump_assistant.triage.decision import Triage
from pump_assistant.triage.levels import EMERGENCY
from pump_assistant.vocabulary import AnswerKind
from webservice.blueprints.desk.common import signed_in
from webservice.json_replies import body_of
from webservice.rasa_client import RasaUnavailable

PHONE = re.compile(r"^\+[1-9]\d{7,14}$")
bp = Blueprint("desk_ask", url_prefix="/api")


@bp.get("/ask")
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
    choice = answering.choose_answer_to_question(
        parse, registry, answer_confidence=settings.answer_confidence, ambiguity_margin=settings.ambiguity_margin
    )
    intent = parse.get("intent", {}).get("name")
    answers: list[dict[str, Any]] = []
    for answer_id in choice.answer_ids:
        answer = registry.answers[answer_id]
        answers.append(
            {
                "id": answer.id,
                "version": answer.version,
                "title": answer.title,
                "text": answer.text,
                "sms": answer.sms,
                "source": answering.source_line(registry, answer),
            }
        )
    # The same triage decision the patient's message gets: staff see the 911 advice too.
    triage = Triage.from_dict(parse.get("triage"))
    if triage.level == EMERGENCY:
        answers = []
    request.app.ctx.staff.audit(request.ctx.user.display_name, "asked", ",".join(a["id"] for a in answers) or None)
    return json(
        {
            "kind": AnswerKind.EMERGENCY if triage.level == EMERGENCY else choice.kind,
            "intent": intent,
            "answers": answers,
            "triage": {"level": triage.level, "self_harm": triage.self_harm, "urgency": triage.urgency},
            "safety_lines": [line for line in (replies.opening_line(triage), replies.closing_line(triage)) if line],
        }
    )


@bp.post("/sms")
@signed_in
async def send_sms(request):
    body = body_of(request) or {}
    to, answer_id = str(body.get("to") or "").replace(" ", ""), body.get("answer_id")
    answer = services.registry().get(answer_id) if isinstance(answer_id, str) else None
    if not PHONE.match(to) or answer is None:
        return json(
            {"error": "bad_request", "detail": "send a number in +15551234567 form and an answer id"}, status=400
        )
    if request.app.ctx.sms_state.opted_out(to):
        return json(
            {
                "error": "opted_out",
                "detail": "This number texted STOP: no text can be sent to it. Call the patient instead.",
            },
            status=409,
        )
    settings = request.app.ctx.settings
    if not settings.twilio_auth_token:
        return json({"error": "not_configured", "detail": "SMS is not configured (TWILIO_* variables)"}, status=503)
    api = TwilioApi(
        settings.twilio_account_sid, settings.twilio_auth_token, settings.twilio_number, settings.twilio_api_base
    )
    text = f"{answer.sms}\n{answering.source_line(services.registry(), answer, 'sms')}"
    try:
        for part in split_for_sms(text):
            await api.send(to, part)
    except TwilioSendError:
        return json({"error": "not_sent", "detail": "Twilio did not accept the message"}, status=502)
    request.app.ctx.staff.audit(request.ctx.user.display_name, "sent_sms", answer.id, f"to ***{to[-4:]}")
    return json({"sent": True, "answer_id": answer.id, "answer_version": answer.version})
