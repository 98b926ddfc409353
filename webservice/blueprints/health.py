from sanic import Blueprint
from sanic.response import json
from sqlalchemy import text

bp = Blueprint("health")


@bp.get("/health")
async def health(request):
    """Liveness plus what this service depends on."""
    try:
        with request.app.ctx.database.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        database = "ok"
    except Exception:
        database = "unavailable"
    rasa = "ok" if await request.app.ctx.rasa.healthy() else "unavailable"
    outbox = len(request.app.ctx.tickets.pending())
    status = "ok" if database == "ok" else "degraded"
    return json({"status": status, "database": database, "rasa": rasa, "outbox_pending": outbox})
