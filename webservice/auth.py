"""Bearer-token authentication for the staff API."""

from __future__ import annotations

import hmac
from functools import wraps

from sanic.response import json


def bearer_token_required(handler):
    @wraps(handler)
    async def wrapper(request, *args, **kwargs):
        expected = request.app.ctx.settings.desk_api_token
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        # With no token configured, nobody is let in: a missing secret must not open the API.
        if not expected or scheme.lower() != "bearer" or not hmac.compare_digest(token.strip(), expected):
            return json({"error": "unauthorized", "detail": "send Authorization: Bearer <DESK_API_TOKEN>"}, status=401)
        return await handler(request, *args, **kwargs)

    return wrapper


def metrics_token_required(handler):
    """GET /metrics: Authorization: Bearer METRICS_TOKEN (what Prometheus is given) or DESK_API_TOKEN."""

    @wraps(handler)
    async def wrapper(request, *args, **kwargs):
        settings = request.app.ctx.settings
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        token = token.strip()
        # An unset token never matches: with neither configured, nobody is let in.
        accepted = [t for t in (settings.metrics_token, settings.desk_api_token) if t]
        if scheme.lower() != "bearer" or not any(hmac.compare_digest(token.encode(), t.encode()) for t in accepted):
            return json({"error": "unauthorized", "detail": "send Authorization: Bearer <METRICS_TOKEN>"}, status=401)
        return await handler(request, *args, **kwargs)

    return wrapper
