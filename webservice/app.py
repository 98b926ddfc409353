"""The web service: staff API on :8000 (later also the console and the widget)."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from sanic import Sanic
from sanic.response import json

from pump_assistant import log_redaction
from pump_assistant.config import Settings, load_settings
from pump_assistant.login_throttle import LoginThrottle
from pump_assistant.sms.state import SmsState
from pump_assistant.storage.database import open_database
from pump_assistant.storage.staff import StaffDirectory
from pump_assistant.storage.tickets import TicketStore
from webservice.blueprints import desk, handoffs, health, metrics, openapi, widget
from webservice.conversation_events import ConversationActivity, consume_forever
from webservice.handoff_service import HandoffService
from webservice.rasa_client import RasaClient

logger = logging.getLogger(__name__)
OUTBOX_FLUSH_SECONDS = 5.0


def create_app(settings: Settings | None = None, name: str = "pump_web") -> Sanic:
    # Phone numbers, tokens and patients' words never reach a log (sanic's access log included).
    log_redaction.install()
    app = Sanic(name)
    app.config.FALLBACK_ERROR_FORMAT = "json"
    app.config.REQUEST_MAX_SIZE = 64 * 1024
    app.ctx.settings = settings or load_settings()
    # Fed by Rasa's event broker when one is configured (scale-out profile).
    app.ctx.activity = ConversationActivity()
    # Failed desk sign-ins, per account and per address (in Redis when REDIS_URL is set).
    app.ctx.login_throttle = LoginThrottle.from_settings(app.ctx.settings)
    app.blueprint(health.bp)
    app.blueprint(metrics.bp)
    app.blueprint(openapi.bp)
    app.blueprint(handoffs.bp)
    app.blueprint(widget.bp)
    app.blueprint(desk.bp)

    @app.before_server_start
    async def start(app, _loop):
        settings = app.ctx.settings
        app.ctx.openapi = openapi.load_spec()
        app.ctx.database = open_database(settings.database_url)
        app.ctx.tickets = TicketStore(app.ctx.database, settings.outbox_dir)
        app.ctx.rasa = RasaClient(
            settings.rasa_url, settings.rasa_token, history_timeout_s=settings.transcript_timeout_seconds
        )
        await app.ctx.rasa.start()
        app.ctx.staff = StaffDirectory(app.ctx.database)
        app.ctx.sms_state = SmsState(app.ctx.database)
        app.ctx.handoffs = HandoffService(
            app.ctx.tickets, app.ctx.rasa, audit=app.ctx.staff.audit, opted_out=app.ctx.sms_state.opted_out
        )
        app.ctx.outbox_task = asyncio.create_task(flush_outbox_forever(app))
        app.ctx.events_task = None
        if settings.conversation_events_url:
            app.ctx.events_task = asyncio.create_task(
                consume_forever(settings.conversation_events_url, settings.rabbitmq_queue, app.ctx.activity)
            )
        if not settings.desk_api_token:
            logger.warning("DESK_API_TOKEN is not set: the staff API refuses every request")

    @app.after_server_stop
    async def stop(app, _loop):
        for task in (app.ctx.outbox_task, app.ctx.events_task):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        await app.ctx.rasa.close()
        app.ctx.database.dispose()

    @app.exception(Exception)
    async def unexpected(request, exception):
        status = getattr(exception, "status_code", 500)
        if status >= 500:
            logger.exception("unhandled error on %s %s", request.method, request.path)
            return json(
                {"error": "internal_error", "detail": "something went wrong; nothing you sent was lost"}, status=500
            )
        return json({"error": "http_error", "detail": str(exception)}, status=status)

    return app


async def flush_outbox_forever(app: Sanic) -> None:
    """Land tickets spooled while the database was down, as soon as it is back."""
    while True:
        try:
            landed = await asyncio.get_running_loop().run_in_executor(None, app.ctx.tickets.flush_outbox)
            if landed:
                logger.info("landed %d ticket(s) from the outbox", landed)
        except Exception:
            logger.exception("outbox flush failed")
        await asyncio.sleep(OUTBOX_FLUSH_SECONDS)
