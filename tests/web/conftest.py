from __future__ import annotations

import itertools

import pytest

from pump_assistant.config import load_settings
from webservice.app import create_app

TOKEN = "test-desk-token"
_names = itertools.count()


@pytest.fixture
def web_settings(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'web.db'}")
    monkeypatch.setenv("OUTBOX_DIR", str(tmp_path / "outbox"))
    monkeypatch.setenv("DESK_API_TOKEN", TOKEN)
    monkeypatch.setenv("RASA_URL", "http://127.0.0.1:9")  # nothing listens: Rasa is "down"
    return load_settings()


@pytest.fixture
def app(web_settings):
    return create_app(web_settings, name=f"pump_web_test_{next(_names)}")


@pytest.fixture
def auth():
    return {"Authorization": f"Bearer {TOKEN}"}
