"""Readiness, metrics and sign-in throttling on the real PostgreSQL and Redis on loopback (make test-services)."""
from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import uuid

import pytest
import redis

from pump_assistant.config import load_settings
from pump_assistant.login_throttle import LoginThrottle
from pump_assistant.storage.database import open_database
from pump_assistant.storage.models import utcnow
from pump_assistant.storage.staff import StaffDirectory
from pump_assistant.storage.tickets import TicketDraft, TicketStore
from pump_assistant.vocabulary import Channel, TicketReason
from tests.web.fake_upstream import fake_upstream, unused_port
from webservice.app import create_app

pytestmark = pytest.mark.services

REDIS_URL = "redis://127.0.0.1:6379/0"
METRICS_TOKEN = "metrics-token-for-services"
PASSWORD = "correct horse battery"
_names = itertools.count()


@pytest.fixture
def upstream():
    with fake_upstream() as server:
        yield server


@pytest.fixture
def settings(postgres_url, upstream, tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", postgres_url)
    monkeypatch.setenv("OUTBOX_DIR", str(tmp_path / "outbox"))
    monkeypatch.setenv("DESK_API_TOKEN", "desk-token-for-services")
    monkeypatch.setenv("METRICS_TOKEN", METRICS_TOKEN)
    monkeypatch.setenv("RASA_URL", upstream.url)
    monkeypatch.setenv("ACTION_SERVER_URL", f"{upstream.url}/webhook")
    monkeypatch.setenv("HEALTH_TIMEOUT_SECONDS", "1")
    monkeypatch.setenv("REDIS_URL", REDIS_URL)
    return load_settings()


def app_for(settings, **changes):
    return create_app(dataclasses.replace(settings, **changes), name=f"pump_web_services_{next(_names)}")


async def test_ready_on_postgres(settings):
    _, response = await app_for(settings).asgi_client.get("/health/ready")
    assert response.status == 200 and response.json["failed"] == []


async def test_not_ready_names_the_database_when_postgres_is_not_there(settings):
    closed = f"postgresql://postgres@127.0.0.1:{unused_port()}/pump"
    app = app_for(settings, database_url=closed)
    _, response = await app.asgi_client.get("/health/ready")
    assert response.status == 503 and response.json["failed"] == ["database"]
    assert response.json["checks"]["database"]["detail"] == "unreachable (OperationalError)"
    _, response = await app.asgi_client.get("/health/live")
    assert response.status == 200


async def test_metrics_on_postgres(settings):
    store = TicketStore(open_database(settings.database_url, migrate=True), settings.outbox_dir)
    created = (utcnow() - dt.timedelta(seconds=330)).isoformat()
    store.raise_ticket(TicketDraft(sender_id="+15125550143", channel=Channel.SMS, reason=TicketReason.EMERGENCY,
                                   trigger_message="he took too much — won't wake up", created_at=created))
    store.raise_ticket(TicketDraft(sender_id=uuid.uuid4().hex, channel=Channel.WEBCHAT, reason=TicketReason.CLINICAL,
                                   trigger_message="¿puedo tomar ibuprofeno?"))
    _, response = await app_for(settings).asgi_client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert response.status == 200
    lines = dict(line.rsplit(" ", 1) for line in response.text.splitlines() if not line.startswith("#"))
    assert lines['pump_tickets_open{urgency="emergency"}'] == "1"
    assert lines['pump_tickets_open{urgency="routine"}'] == "1"
    assert 330 <= float(lines["pump_oldest_unclaimed_emergency_age_seconds"]) < 400
    assert lines["pump_database_up"] == "1"


def test_redis_counts_are_shared_and_one_instance_reports_the_lock(settings):
    first, second = LoginThrottle.from_settings(settings), LoginThrottle.from_settings(settings)
    username, address = f"nurse-{uuid.uuid4().hex[:8]}", f"198.51.100.{uuid.uuid4().int % 250}"
    try:
        found = [first.failed(username, address) for _ in range(2)] + [second.failed(username, address) for _ in range(3)]
        locks = [lock for batch in found for lock in batch if lock.kind == "account"]
        assert len(locks) == 1 and locks[0].failures == settings.login_max_failures
        for throttle in (first, second):
            decision = throttle.check(username, "192.0.2.44")
            assert not decision.allowed and 0 < decision.retry_after <= settings.login_lockout_seconds
    finally:
        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter(f"pump:login:*{username}"):
            client.delete(key)
        for key in client.scan_iter(f"pump:login:*{address}"):
            client.delete(key)


async def test_two_web_instances_share_the_sign_in_lockout(settings):
    username = f"ana{uuid.uuid4().hex[:6]}"
    directory = StaffDirectory(open_database(settings.database_url, migrate=True))
    directory.create_account(username, "Nurse Ana", PASSWORD)
    # Only the account is counted here, so reruns never lock the test client's shared address.
    limits = {"login_max_failures": 3, "login_max_failures_per_ip": 0}
    one, two = app_for(settings, **limits), app_for(settings, **limits)

    async def sign_in(app, password):
        _, response = await app.asgi_client.post("/desk/api/login", json={"username": username, "password": password})
        return response

    try:
        assert (await sign_in(one, "wrong one 1")).status == 401
        assert (await sign_in(two, "wrong two 1")).status == 401
        assert (await sign_in(one, "wrong one 2")).status == 429
        assert (await sign_in(two, PASSWORD)).status == 429
        entries = [e for e in directory.audit_log() if e["action"] == "login_locked" and e["subject"] == username]
        assert len(entries) == 1
    finally:
        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter(f"pump:login:*:account:{username}"):
            client.delete(key)


async def test_readiness_turns_503_when_postgres_stops_and_200_when_it_is_back(settings):
    import asyncio
    import subprocess

    version, name = subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True, check=True).stdout.split()[:2]
    app = app_for(settings)
    _, response = await app.asgi_client.get("/health/ready")
    assert response.status == 200
    subprocess.run(["pg_ctlcluster", version, name, "stop", "-m", "fast"], check=True, timeout=120)
    try:
        _, response = await app.asgi_client.get("/health/ready")
        assert response.status == 503 and response.json["failed"] == ["database"]
    finally:
        subprocess.run(["pg_ctlcluster", version, name, "start"], check=True, timeout=120)
    for _ in range(60):  # PostgreSQL takes a moment to accept connections again
        _, response = await app.asgi_client.get("/health/ready")
        if response.status == 200:
            break
        await asyncio.sleep(0.5)
    assert response.status == 200 and response.json["failed"] == []
