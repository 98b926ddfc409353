"""GET /metrics (Prometheus text format) and the alert rules in deploy/alerts.yml that use it."""
from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import re
import uuid
from pathlib import Path

import pytest
import yaml

from pump_assistant.storage.database import open_database
from pump_assistant.storage.models import utcnow
from pump_assistant.storage.tickets import TicketDraft, TicketStore
from pump_assistant.vocabulary import Channel, TicketReason, Urgency
from webservice.app import create_app
from webservice.blueprints.metrics import METRICS
from tests.web.conftest import TOKEN
from tests.web.fake_upstream import fake_upstream

ROOT = Path(__file__).resolve().parents[2]
METRICS_TOKEN = "prometheus-scrape-token-7f3a"
SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{((?:[a-zA-Z_]\w*="[^"\\\n]*",?)*)\})? (-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)$')
_names = itertools.count()


def parse(exposition: str) -> dict[tuple[str, frozenset], float]:
    """Samples by (name, labels); checks the text is well-formed on the way."""
    assert exposition.endswith("\n")
    samples, declared = {}, {}
    for line in exposition.splitlines():
        if line.startswith("# HELP "):
            continue
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ")
            declared[name] = kind
            continue
        match = SAMPLE.match(line)
        assert match, f"not an exposition line: {line!r}"
        name, labels, value = match.groups()
        assert name in declared, f"{name} sampled before its # TYPE line"
        pairs = frozenset(tuple(p.split("=", 1)) for p in re.findall(r'\w+="[^"]*"', labels or ""))
        samples[(name, frozenset((k, v.strip('"')) for k, v in pairs))] = float(value)
    return samples


def value(samples, name, **labels) -> float:
    return samples[(name, frozenset(labels.items()))]


def ago(seconds: float) -> str:
    return (utcnow() - dt.timedelta(seconds=seconds)).isoformat()


@pytest.fixture
def upstream():
    with fake_upstream() as server:
        yield server


@pytest.fixture
def metrics_settings(web_settings, upstream):
    return dataclasses.replace(web_settings, metrics_token=METRICS_TOKEN, rasa_url=upstream.url,
                               action_server_url=f"{upstream.url}/webhook")


def app_for(settings):
    return create_app(settings, name=f"pump_web_metrics_{next(_names)}")


async def scrape(app, token=METRICS_TOKEN):
    _, response = await app.asgi_client.get("/metrics", headers={"Authorization": f"Bearer {token}"})
    return response


async def test_metrics_need_a_token(metrics_settings):
    app = app_for(metrics_settings)
    _, response = await app.asgi_client.get("/metrics")
    assert response.status == 401
    assert (await scrape(app, "wrong-token")).status == 401
    assert (await scrape(app, METRICS_TOKEN)).status == 200
    assert (await scrape(app, TOKEN)).status == 200  # the desk token works too
    no_tokens = app_for(dataclasses.replace(metrics_settings, metrics_token="", desk_api_token=""))
    _, response = await no_tokens.asgi_client.get("/metrics", headers={"Authorization": "Bearer "})
    assert response.status == 401


async def test_ticket_figures_outbox_and_staff_replies(metrics_settings, upstream):
    store = TicketStore(open_database(metrics_settings.database_url), metrics_settings.outbox_dir)

    def raise_ticket(reason, seconds_ago=0, sender=None, channel=Channel.SMS, urgency="", message="", **contact):
        ticket_id, stored = store.raise_ticket(TicketDraft(
            sender_id=sender or uuid.uuid4().hex, channel=channel, reason=reason, urgency=urgency,
            trigger_message=message, created_at=ago(seconds_ago), contact=contact,
            transcript=[{"role": "patient", "text": message}]))
        assert stored
        return ticket_id

    oldest_open = raise_ticket("emergency", 400, "+15125550143", message="No puedo respirar después del relleno — help")
    raise_ticket("emergency", 120, channel=Channel.WEBCHAT, message="my legs went numb and I'm so sleepy 😟")
    claimed = raise_ticket("emergency", 2000, "+447700900123", message="pump alarm ringing, can't wake my husband")
    store.claim(claimed, "Nurse Zoë")
    raise_ticket("emergency", 50, "+61491570156", message="chest pain")
    raise_ticket("clinical", 30, "+15125550178", urgency=Urgency.URGENT, message="fever 38.9 °C since the refill")
    routine = raise_ticket("request", 10, "+819012345678", message="could someone call me? 電話ください",
                           name="Jürgen O'Brien", phone="+819012345678", preferred_time="mañana")
    raise_ticket("clinical", 5, channel=Channel.REST, message="can I take ibuprofen with my pump?")
    resolved = raise_ticket("request", 3000, "+15125550199", message="call me")
    store.resolve(resolved, "Dr Ngọc")
    store.claim(routine, "Nurse Zoë")

    app = app_for(metrics_settings)
    auth = {"Authorization": f"Bearer {TOKEN}"}
    # Staff replies: one delivered through (fake) Rasa, one Rasa refused (kept on the ticket).
    _, response = await app.asgi_client.post(f"/api/handoffs/{claimed}/reply", headers=auth,
                                             json={"staff": "Nurse Zoë", "text": "Calling you now — stay on the line."})
    assert response.status == 200
    upstream.fail_posts = True
    _, response = await app.asgi_client.post(f"/api/handoffs/{routine}/reply", headers=auth,
                                             json={"staff": "Nurse Zoë", "text": "We will call at 3 pm."})
    assert response.status == 502

    response = await scrape(app)
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    samples = parse(response.text)
    assert value(samples, "pump_tickets_open", urgency=Urgency.EMERGENCY) == 3
    assert value(samples, "pump_tickets_open", urgency=Urgency.URGENT) == 1
    assert value(samples, "pump_tickets_open", urgency=Urgency.ROUTINE) == 1
    assert value(samples, "pump_tickets_claimed", urgency=Urgency.EMERGENCY) == 1
    assert value(samples, "pump_tickets_claimed", urgency=Urgency.URGENT) == 0
    assert value(samples, "pump_tickets_claimed", urgency=Urgency.ROUTINE) == 1
    # The claimed 2000 s emergency does not count: the oldest unclaimed one is 400 s old.
    assert 400 <= value(samples, "pump_oldest_unclaimed_emergency_age_seconds") < 460
    assert value(samples, "pump_outbox_pending") == 0
    assert value(samples, "pump_staff_replies_total", outcome="delivered") == 1
    assert value(samples, "pump_staff_replies_total", outcome="failed") == 1
    assert value(samples, "pump_database_up") == 1
    assert "# TYPE pump_staff_replies_total counter" in response.text
    assert "# TYPE pump_tickets_open gauge" in response.text

    store.claim(oldest_open, "Nurse Zoë")
    samples = parse((await scrape(app)).text)
    assert 120 <= value(samples, "pump_oldest_unclaimed_emergency_age_seconds") < 180
    assert value(samples, "pump_tickets_open", urgency=Urgency.EMERGENCY) == 2


async def test_no_unclaimed_emergency_is_age_zero(metrics_settings):
    store = TicketStore(open_database(metrics_settings.database_url), metrics_settings.outbox_dir)
    store.raise_ticket(TicketDraft(sender_id="+15125550100", channel=Channel.SMS, reason=TicketReason.REQUEST, trigger_message="hi"))
    samples = parse((await scrape(app_for(metrics_settings))).text)
    assert value(samples, "pump_oldest_unclaimed_emergency_age_seconds") == 0
    assert value(samples, "pump_tickets_open", urgency=Urgency.EMERGENCY) == 0
    assert value(samples, "pump_tickets_open", urgency=Urgency.ROUTINE) == 1


async def test_database_down_still_reports_the_outbox_and_its_emergencies(metrics_settings, tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x")
    down_url = f"sqlite:///{blocker / 'assistant.db'}"
    down = TicketStore(open_database(down_url), metrics_settings.outbox_dir)
    for reason, seconds in (("emergency", 600), ("request", 60)):
        _, stored = down.raise_ticket(TicketDraft(sender_id=f"+1512555{seconds:04d}", channel=Channel.SMS, reason=reason,
                                                  trigger_message="ayuda, la bomba suena", created_at=ago(seconds)))
        assert not stored
    response = await scrape(app_for(dataclasses.replace(metrics_settings, database_url=down_url)))
    assert response.status == 200
    samples = parse(response.text)
    assert value(samples, "pump_database_up") == 0
    assert value(samples, "pump_outbox_pending") == 2
    # Spooled emergencies are unclaimed by definition: the alert still fires.
    assert 600 <= value(samples, "pump_oldest_unclaimed_emergency_age_seconds") < 660
    assert not any(name == "pump_tickets_open" for name, _ in samples)


async def test_alert_rules_use_metrics_that_are_served(metrics_settings):
    rules_file = yaml.safe_load((ROOT / "deploy" / "alerts.yml").read_text(encoding="utf-8"))
    rules = [rule for group in rules_file["groups"] for rule in group["rules"]]
    assert all({"alert", "expr"} <= set(rule) for rule in rules)
    served = {name for name, _ in parse((await scrape(app_for(metrics_settings))).text)}
    for rule in rules:
        names = set(re.findall(r"\bpump_[a-z0-9_]+\b", rule["expr"]))
        assert names, f"{rule['alert']} uses none of the service's metrics"
        assert names <= served and names <= set(METRICS), f"{rule['alert']} names an unknown metric: {names - served}"
    emergency = next(rule for rule in rules if rule["alert"] == "EmergencyTicketUnclaimed")
    assert re.fullmatch(r"max\(pump_oldest_unclaimed_emergency_age_seconds\) >= 300", emergency["expr"].strip())
    assert emergency["labels"]["severity"] == "page"
