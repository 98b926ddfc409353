"""The production profile reads every value from the environment, as Rasa loads it."""
from __future__ import annotations

from pathlib import Path

import pytest
from rasa.utils.endpoints import read_endpoint_config

PRODUCTION_ENDPOINTS = Path(__file__).resolve().parents[2] / "deploy" / "endpoints.production.yml"

ENVIRONMENT = {
    "ACTION_SERVER_URL": "http://actions.internal:5055/webhook",
    "TRACKER_DB_HOST": "db.internal",
    "TRACKER_DB_PORT": "5433",
    "TRACKER_DB_NAME": "conversations",
    "TRACKER_DB_USER": "rasa",
    "TRACKER_DB_PASSWORD": "s3cret",
    "REDIS_HOST": "redis.internal",
    "REDIS_PORT": "6380",
    "REDIS_LOCK_DB": "2",
    "REDIS_LOCK_PREFIX": "clinic",
    "RABBITMQ_HOST": "mq.internal",
    "RABBITMQ_USER": "events",
    "RABBITMQ_PASSWORD": "mq-secret",
    "RABBITMQ_QUEUE": "pump_events",
}


@pytest.fixture
def production_environment(monkeypatch):
    for name, value in ENVIRONMENT.items():
        monkeypatch.setenv(name, value)


@pytest.mark.parametrize(
    "endpoint, key, expected",
    [
        ("action_endpoint", "url", "http://actions.internal:5055/webhook"),
        ("tracker_store", "url", "db.internal"),
        ("tracker_store", "db", "conversations"),
        ("tracker_store", "password", "s3cret"),
        ("lock_store", "url", "redis.internal"),
        ("lock_store", "key_prefix", "clinic"),
        ("event_broker", "url", "mq.internal"),
        ("event_broker", "password", "mq-secret"),
        ("event_broker", "queues", ["pump_events"]),
    ],
)
def test_every_production_value_comes_from_the_environment(production_environment, endpoint, key, expected):
    config = read_endpoint_config(str(PRODUCTION_ENDPOINTS), endpoint)
    value = config.url if key == "url" else config.kwargs[key]
    assert value == expected


def test_no_secret_is_written_in_the_production_profile():
    text = PRODUCTION_ENDPOINTS.read_text()
    for name in ("TRACKER_DB_PASSWORD", "RABBITMQ_PASSWORD"):
        assert f"${{{name}}}" in text
    assert "guest" not in text and "postgres" not in text.replace("dialect: postgresql", "")
