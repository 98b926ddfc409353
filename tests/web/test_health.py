"""Liveness and readiness: /health/live, /health/ready (503 naming what is down) and the kept /health."""
from __future__ import annotations

import dataclasses
import itertools
import time

import pytest

from webservice.app import create_app
from webservice.blueprints.health import action_server_health_url
from tests.web.fake_upstream import fake_upstream, unused_port

_names = itertools.count()


@pytest.fixture
def upstream():
    with fake_upstream() as server:
        yield server


def app_with(settings, **changes):
    return create_app(dataclasses.replace(settings, **changes), name=f"pump_web_health_{next(_names)}")


def all_up(web_settings, upstream, **changes):
    defaults = {"rasa_url": upstream.url, "action_server_url": f"{upstream.url}/webhook", "health_timeout_seconds": 1.0}
    return app_with(web_settings, **{**defaults, **changes})


def unreachable_database(tmp_path) -> str:
    # The database file's directory is an ordinary file: SQLite cannot open it.
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x")
    return f"sqlite:///{blocker / 'assistant.db'}"


def test_action_server_health_url_sits_beside_the_webhook():
    assert action_server_health_url("http://actions.internal:5055/webhook") == "http://actions.internal:5055/health"
    assert action_server_health_url("http://127.0.0.1:5055/webhook/") == "http://127.0.0.1:5055/health"
    assert action_server_health_url("https://clinic.example/actions/webhook") == "https://clinic.example/actions/health"
    assert action_server_health_url("http://localhost:5055") == "http://localhost:5055/health"


async def test_ready_when_database_rasa_and_actions_answer(web_settings, upstream):
    _, response = await all_up(web_settings, upstream).asgi_client.get("/health/ready")
    assert response.status == 200
    assert response.json["status"] == "ready" and response.json["failed"] == []
    assert response.json["checks"] == {"database": {"ok": True}, "rasa": {"ok": True}, "action_server": {"ok": True}}
    assert ("GET", "/") in upstream.requests and ("GET", "/health") in upstream.requests


async def test_not_ready_names_rasa_when_it_is_down(web_settings, upstream):
    app = all_up(web_settings, upstream, rasa_url=f"http://127.0.0.1:{unused_port()}")
    _, response = await app.asgi_client.get("/health/ready")
    assert response.status == 503
    assert response.json["status"] == "unavailable" and response.json["failed"] == ["rasa"]
    assert response.json["checks"]["rasa"]["ok"] is False and "unreachable" in response.json["checks"]["rasa"]["detail"]
    assert response.json["checks"]["database"] == {"ok": True}


async def test_not_ready_names_the_action_server_when_it_is_down(web_settings, upstream):
    app = all_up(web_settings, upstream, action_server_url=f"http://127.0.0.1:{unused_port()}/webhook")
    _, response = await app.asgi_client.get("/health/ready")
    assert response.status == 503 and response.json["failed"] == ["action_server"]


async def test_not_ready_names_the_database_when_it_is_down(web_settings, upstream, tmp_path):
    app = all_up(web_settings, upstream, database_url=unreachable_database(tmp_path))
    _, response = await app.asgi_client.get("/health/ready")
    assert response.status == 503 and response.json["failed"] == ["database"]
    assert response.json["checks"]["database"]["detail"].startswith("unreachable")


async def test_every_failed_part_is_named(web_settings, tmp_path):
    closed = unused_port()
    app = app_with(web_settings, database_url=unreachable_database(tmp_path), rasa_url=f"http://127.0.0.1:{closed}",
                   action_server_url=f"http://127.0.0.1:{closed}/webhook", health_timeout_seconds=1.0)
    _, response = await app.asgi_client.get("/health/ready")
    assert response.status == 503 and response.json["failed"] == ["database", "rasa", "action_server"]


async def test_a_hanging_dependency_fails_within_the_short_timeout(web_settings, upstream):
    upstream.hang = True
    app = all_up(web_settings, upstream, health_timeout_seconds=0.3)
    started = time.monotonic()
    _, response = await app.asgi_client.get("/health/ready")
    assert time.monotonic() - started < 2.5
    assert response.status == 503 and response.json["failed"] == ["rasa", "action_server"]
    assert response.json["checks"]["rasa"]["detail"] == "no answer within 0.3 s"


async def test_live_answers_while_everything_else_is_down(web_settings, tmp_path):
    app = app_with(web_settings, database_url=unreachable_database(tmp_path),
                   rasa_url=f"http://127.0.0.1:{unused_port()}", action_server_url=f"http://127.0.0.1:{unused_port()}/webhook")
    _, response = await app.asgi_client.get("/health/live")
    assert response.status == 200 and response.json == {"status": "alive"}
    # The long-standing /health is liveness too (200), reporting what it depends on.
    _, response = await app.asgi_client.get("/health")
    assert response.status == 200
    assert response.json["status"] == "degraded" and response.json["database"] == "unavailable"
    assert response.json["rasa"] == "unavailable" and response.json["outbox_pending"] == 0


async def test_health_reports_ok_when_all_answer(web_settings, upstream):
    _, response = await all_up(web_settings, upstream).asgi_client.get("/health")
    assert response.status == 200
    assert response.json == {"status": "ok", "database": "ok", "rasa": "ok", "outbox_pending": 0}
