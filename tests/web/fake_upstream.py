"""A stand-in for Rasa and the action server on a loopback port (a thread, independent of the test's event loop)."""
from __future__ import annotations

import json
import socket
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator


def unused_port() -> int:
    """A loopback port nothing listens on (bound, then closed)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class FakeUpstream(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.fail_posts = False  # True: POSTs answer 500 (Rasa refusing a staff reply)
        self.hang = False  # True: accept, never answer (a stuck dependency)
        self.requests: list[tuple[str, str]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: FakeUpstream

    def log_message(self, *args):
        pass

    def _answer(self, status: int, body: dict) -> None:
        if self.server.hang:
            threading.Event().wait(5)
            return
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self.server.requests.append(("GET", self.path))
        if self.path in ("/", "/health"):  # Rasa: GET /; rasa-sdk: GET /health
            self._answer(200, {"status": "ok"})
        else:
            self._answer(404, {})

    def do_POST(self):
        self.server.requests.append(("POST", self.path))
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        if self.server.fail_posts:
            self._answer(500, {"error": "boom"})
        else:
            self._answer(200, {"messages": []})


@contextmanager
def fake_upstream() -> Iterator[FakeUpstream]:
    server = FakeUpstream()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
