"""A stand-in for another service: a JSON-over-HTTP server on a free loopback port, in a thread.

``scripts/audit.py`` serves a local OSV database to pip-audit through it, and the tests'
stand-ins for Twilio, Rasa and the action server are built on it. The caller gives one
function that turns a :class:`Request` into ``(status, JSON body)``; the server does the
HTTP. Standard library only: ``scripts/audit.py`` imports it from whatever Python runs it.
"""

from __future__ import annotations

import json
import threading
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: Message
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def form(self) -> dict[str, str]:
        """An ``application/x-www-form-urlencoded`` body (Twilio's API), last value of a repeated name."""
        return dict(urllib.parse.parse_qsl(self.body.decode()))


# (status, JSON body), or None to send nothing back (a dependency that hangs, then drops the connection).
Answer = Callable[[Request], "tuple[int, Any] | None"]


class JsonServer(ThreadingHTTPServer):
    """Serves from :meth:`start` until :meth:`close`; ``url`` has no trailing slash."""

    daemon_threads = True

    def __init__(self, answer: Answer) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.answer = answer

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def start(self) -> JsonServer:
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def close(self) -> None:
        self.shutdown()
        self.server_close()


class _Handler(BaseHTTPRequestHandler):
    server: JsonServer

    def log_message(self, *args: Any) -> None:
        pass

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        request = Request(self.command, self.path, self.headers, self.rfile.read(length) if length else b"")
        answered = self.server.answer(request)
        if answered is None:
            return
        status, body = answered
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = _serve
    do_POST = _serve


def serve_json(answer: Answer) -> JsonServer:
    """A started :class:`JsonServer` answering with ``answer``."""
    return JsonServer(answer).start()
