"""What the console shows besides tickets: the audit log and the content gaps."""

from __future__ import annotations

from sanic import Blueprint
from sanic.response import json

from pump_assistant.storage import insights
from webservice.blueprints.desk.common import signed_in

bp = Blueprint("desk_records", url_prefix="/api")


@bp.get("/audit")
@signed_in
async def audit(request):
    return json({"entries": request.app.ctx.staff.audit_log()})


@bp.get("/gaps")
@signed_in
async def gaps(request):
    return json(insights.content_gaps(request.app.ctx.database))
