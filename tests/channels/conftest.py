"""What the channel tests share: a stand-in for Rasa's message handling, and settings."""
from __future__ import annotations

import pytest

from pump_assistant import services
from pump_assistant.config import get_settings


class StandInAssistant:
    """Echoes, stays silent for "silence", fails for "crash", flags "urgent": what Rasa might do."""

    def __init__(self):
        self.received = []

    async def __call__(self, message):
        self.received.append(message)
        if message.text == "crash":
            raise RuntimeError("the action server is down")
        if message.text == "urgent":
            await message.output_channel.send_response(message.sender_id, {"text": "Call 911 now.", "urgent": True})
        elif message.text != "silence":
            await message.output_channel.send_response(message.sender_id, {"text": f"echo: {message.text}"})


@pytest.fixture
def channel_env(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'channel.db'}")
    monkeypatch.setenv("OUTBOX_DIR", str(tmp_path / "outbox"))
    monkeypatch.setenv("CLINIC_PHONE", "(555) 010-0199")
    monkeypatch.setenv("RATE_LIMIT_PER_SENDER", "5")
    monkeypatch.setenv("RATE_LIMIT_PER_IP", "1000")
    get_settings.cache_clear()
    services.clear()
    yield
    get_settings.cache_clear()
    services.clear()


@pytest.fixture
def assistant():
    return StandInAssistant()
