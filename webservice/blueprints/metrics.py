"""Prometheus metrics (text exposition format 0.0.4), hand-written: GET /metrics.

Every figure is read from the database and the outbox at scrape time, so any
number of web service instances report the same values (aggregate with max(),
not sum()). Needs ``Authorization: Bearer <METRICS_TOKEN>`` (or the desk token).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor

from sanic import Blueprint
from sanic.response import text

from pump_assistant.storage.models import utcnow
from pump_assistant.storage.monitoring import TicketFigures, outbox_emergencies, ticket_figures
from pump_assistant.storage.tickets import URGENCIES
from pump_assistant.vocabulary import TicketStatus
from webservice.auth import metrics_token_required

logger = logging.getLogger(__name__)
bp = Blueprint("metrics")
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# One scrape at a time reads the database; a hung database cannot pile up threads.
_READER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="metrics")

# name -> (type, help); the alert rules in deploy/alerts.yml use these names (a test checks).
METRICS = {
    "pump_tickets_open": ("gauge", "Hand-off tickets waiting to be claimed (status open), by urgency."),
    "pump_tickets_claimed": ("gauge", "Hand-off tickets claimed by staff and not yet resolved, by urgency."),
    "pump_oldest_unclaimed_emergency_age_seconds": (
        "gauge",
        "Age of the oldest emergency ticket nobody has claimed (in the database or the outbox); 0 when there is none.",
    ),
    "pump_outbox_pending": (
        "gauge",
        "Tickets spooled in the outbox because the database was unreachable, not yet landed.",
    ),
    "pump_staff_replies_total": (
        "counter",
        "Staff replies to patients, by outcome: delivered into the conversation or failed (Rasa unreachable; kept on the ticket).",
    ),
    "pump_database_up": (
        "gauge",
        "1 when this scrape could read the ticket database, else 0 (ticket figures then missing).",
    ),
}


def _value(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else repr(float(number))


def _family(name: str, samples: Iterable[tuple[dict[str, str] | None, float]]) -> list[str]:
    kind, help_text = METRICS[name]
    lines = [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}"]
    for labels, number in samples:
        label_text = ",".join(f'{k}="{v}"' for k, v in (labels or {}).items())
        lines.append(f"{name}{{{label_text}}} {_value(number)}" if label_text else f"{name} {_value(number)}")
    return lines


def render(figures: TicketFigures | None, outbox_count: int, outbox_emergency_times: list) -> str:
    """The exposition text; ``figures`` is None when the database could not be read."""
    now = utcnow()
    lines: list[str] = []
    if figures is not None:
        lines += _family(
            "pump_tickets_open", [({"urgency": u}, figures.active[TicketStatus.OPEN][u]) for u in URGENCIES]
        )
        lines += _family(
            "pump_tickets_claimed", [({"urgency": u}, figures.active[TicketStatus.CLAIMED][u]) for u in URGENCIES]
        )
    waiting = list(outbox_emergency_times)
    if figures is not None and figures.oldest_unclaimed_emergency is not None:
        waiting.append(figures.oldest_unclaimed_emergency)
    if figures is not None or waiting:
        age = max(0.0, (now - min(waiting)).total_seconds()) if waiting else 0.0
        lines += _family("pump_oldest_unclaimed_emergency_age_seconds", [(None, round(age, 3))])
    lines += _family("pump_outbox_pending", [(None, outbox_count)])
    if figures is not None:
        lines += _family("pump_staff_replies_total", [({"outcome": o}, n) for o, n in figures.staff_replies.items()])
    lines += _family("pump_database_up", [(None, 1 if figures is not None else 0)])
    return "\n".join(lines) + "\n"


def _read(app) -> tuple[TicketFigures | None, int, list]:
    paths = app.ctx.tickets.pending()
    try:
        figures = ticket_figures(app.ctx.database)
    except Exception:
        logger.warning("metrics: the ticket database could not be read", exc_info=True)
        figures = None
    return figures, len(paths), outbox_emergencies(paths)


@bp.get("/metrics")
@metrics_token_required
async def metrics(request):
    timeout = max(request.app.ctx.settings.health_timeout_seconds, 5.0)
    loop = asyncio.get_running_loop()
    try:
        figures, outbox_count, outbox_times = await asyncio.wait_for(
            loop.run_in_executor(_READER, _read, request.app), timeout
        )
    except TimeoutError:
        logger.warning("metrics: the ticket database did not answer within %g s", timeout)
        paths = request.app.ctx.tickets.pending()
        figures, outbox_count, outbox_times = None, len(paths), outbox_emergencies(paths)
    return text(render(figures, outbox_count, outbox_times), content_type=CONTENT_TYPE)
