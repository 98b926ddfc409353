"""Liveness and readiness.

- ``GET /health/live``: 200 while the process runs and serves requests; touches nothing else.
- ``GET /health/ready``: 200 when the database, Rasa (``RASA_URL``) and the action
  server (``ACTION_SERVER_URL``) all answer within ``HEALTH_TIMEOUT_SECONDS``;
  otherwise 503 naming each part that failed.
- ``GET /health``: kept for existing probes and scripts: a liveness check (always
  200) whose body also reports the database, Rasa and the outbox for people.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit, urlunsplit

import aiohttp
from sanic import Blueprint
from sanic.response import json
from sqlalchemy import text

bp = Blueprint("health")

# Database probes run here, not on the shared default executor: a database that
# hangs can only tie up these two threads (later probes then time out and report
# it), never the outbox flusher's.
_PROBES = ThreadPoolExecutor(max_workers=2, thread_name_prefix="health-probe")


def action_server_health_url(action_server_url: str) -> str:
    """rasa-sdk answers GET /health beside its /webhook: http://h:5055/webhook -> http://h:5055/health."""
    parts = urlsplit(action_server_url)
    path = parts.path.rstrip("/")
    if path.endswith("/webhook"):
        path = path[: -len("/webhook")]
    return urlunsplit((parts.scheme, parts.netloc, f"{path}/health", "", ""))


def _select_one(database) -> None:
    with database.engine.connect() as connection:
        connection.execute(text("SELECT 1"))


async def check_database(app, timeout: float) -> str | None:
    """None when the database answers, else why not."""
    loop = asyncio.get_running_loop()
    try:
        await asyncio.wait_for(loop.run_in_executor(_PROBES, _select_one, app.ctx.database), timeout)
    except TimeoutError:
        return f"no answer within {timeout:g} s"
    except Exception as exc:  # any driver error means "not ready"; the type says enough
        return f"unreachable ({type(exc).__name__})"
    return None


async def check_http(url: str, timeout: float) -> str | None:
    """None when ``url`` answers 200 within ``timeout`` seconds, else why not."""
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as session:
            async with session.get(url, allow_redirects=False) as response:
                if response.status != 200:
                    return f"answered {response.status}"
    except TimeoutError:
        return f"no answer within {timeout:g} s"
    except aiohttp.ClientError as exc:
        return f"unreachable ({type(exc).__name__})"
    return None


async def readiness(app) -> dict[str, str | None]:
    """Each part's failure (None: answering), checked at the same time."""
    settings = app.ctx.settings
    timeout = settings.health_timeout_seconds
    database, rasa, actions = await asyncio.gather(
        check_database(app, timeout),
        check_http(settings.rasa_url.rstrip("/") + "/", timeout),
        check_http(action_server_health_url(settings.action_server_url), timeout),
    )
    return {"database": database, "rasa": rasa, "action_server": actions}


@bp.get("/health/live")
async def live(request):
    """Liveness: the process runs and its event loop answers."""
    return json({"status": "alive"})


@bp.get("/health/ready")
async def ready(request):
    """Readiness: 503 naming every part that does not answer."""
    checks = await readiness(request.app)
    failed = [name for name, problem in checks.items() if problem]
    body = {
        "status": "unavailable" if failed else "ready",
        "failed": failed,
        "checks": {
            name: {"ok": problem is None, **({"detail": problem} if problem else {})}
            for name, problem in checks.items()
        },
    }
    return json(body, status=503 if failed else 200)


@bp.get("/health")
async def health(request):
    """Liveness (always 200 while the process runs), with what this service depends on."""
    timeout = request.app.ctx.settings.health_timeout_seconds
    database = "ok" if await check_database(request.app, timeout) is None else "unavailable"
    rasa = (
        "ok"
        if await check_http(request.app.ctx.settings.rasa_url.rstrip("/") + "/", timeout) is None
        else "unavailable"
    )
    outbox = len(request.app.ctx.tickets.pending())
    status = "ok" if database == "ok" else "degraded"
    return json({"status": status, "database": database, "rasa": rasa, "outbox_pending": outbox})
