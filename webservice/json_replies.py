"""What every JSON API of the web service shares: reading a JSON body, errors, a hand-off outcome as a response."""

from __future__ import annotations

from functools import wraps

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


def takes_note(handler):
    """The JSON body's optional "note" (a resolution, a rejection) as the handler's keyword
    ``note``: text, or None when absent; anything else is refused with a 400."""

    @wraps(handler)
    async def wrapper(request, *args, **kwargs):
        note = (body_of(request) or {}).get("note")
        if note is not None and not isinstance(note, str):
            return error(400, "bad_request", "note must be text")
        return await handler(request, *args, note=note, **kwargs)

    return wrapper
