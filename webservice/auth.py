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
