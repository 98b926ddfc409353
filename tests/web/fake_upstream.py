"""A stand-in for Rasa and the action server on a loopback port (a thread, independent of the test's event loop)."""
from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Iterator

from pump_assistant.devstack import free_port as unused_port
from pump_assistant.loopback import Request, serve_json

__all__ = ["FakeUpstream", "fake_upstream", "unused_port"]


class FakeUpstream:
    def __init__(self):
        self.fail_posts = False  # True: POSTs answer 500 (Rasa refusing a staff reply)
        self.hang = False  # True: accept, never answer (a stuck dependency)
        self.requests: list[tuple[str, str]] = []
        self.server = serve_json(self._answer)
        self.url = self.server.url

    def _answer(self, request: Request):
        self.requests.append((request.method, request.path))
        if self.hang:
            threading.Event().wait(5)
            return None
        if request.method == "GET":
            # Rasa: GET /; rasa-sdk: GET /health
            return (200, {"status": "ok"}) if request.path in ("/", "/health") else (404, {})
        return (500, {"error": "boom"}) if self.fail_posts else (200, {"messages": []})


@contextmanager
def fake_upstream() -> Iterator[FakeUpstream]:
    upstream = FakeUpstream()
    try:
        yield upstream
    finally:
        upstream.server.close()
