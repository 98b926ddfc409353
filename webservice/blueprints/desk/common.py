"""What every part of the console shares: the session cookie, the signed-in check, JSON errors."""

from __future__ import annotations

import hmac
from functools import wraps
from pathlib import Path

from webservice.json_replies import error, respond

__all__ = ["error", "respond", "signed_in", "content_approver", "STATIC", "COOKIE", "CSP"]

STATIC = Path(__file__).resolve().parent.parent.parent / "static"
COOKIE = "desk_session"
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def signed_in(handler):
    """A desk session (cookie) is required; a change also needs its CSRF token in X-CSRF-Token."""

    @wraps(handler)
    async def wrapper(request, *args, **kwargs):
        user = request.app.ctx.staff.session_for(request.cookies.get(COOKIE))
        if user is None:
            return error(401, "unauthorized", "sign in first")
        if request.method not in ("GET", "HEAD"):
            sent = request.headers.get("x-csrf-token", "")
            if not hmac.compare_digest(sent, user.csrf_token):
                return error(403, "csrf", "missing or wrong X-CSRF-Token")
        request.ctx.user = user
        return await handler(request, *args, **kwargs)

    return wrapper


def content_approver(handler):
    """After :func:`signed_in`: only a role allowed to approve content (a clinician) gets through."""

    @wraps(handler)
    async def wrapper(request, *args, **kwargs):
        if not request.ctx.user.can_approve_content:
            return error(403, "forbidden", "only a clinician may approve or reject draft answers")
        return await handler(request, *args, **kwargs)

    return wrapper
