"""What every JSON API of the web service shares: reading a JSON body, errors, a hand-off outcome as a response."""
from __future__ import annotations

from sanic.response import json

from webservice.handoff_service import Outcome


def error(status: int, code: str, detail: str, **extra):
    return json({"error": code, "detail": detail, **extra}, status=status)


def respond(outcome: Outcome):
    return json(outcome.body, status=outcome.status)


def body_of(request) -> dict | None:
    """The request's JSON object, or None when it has none."""
    try:
        body = request.json
    except Exception:
        return None
    return body if isinstance(body, dict) else None
