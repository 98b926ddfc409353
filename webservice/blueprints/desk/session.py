"""Signing in and out of the console (throttled), and who is signed in."""

from __future__ import annotations

from sanic import Blueprint
from sanic.response import json

from pump_assistant.login_throttle import locked_message
from webservice.blueprints.desk.common import COOKIE, error, signed_in
from webservice.json_replies import body_of

bp = Blueprint("desk_session", url_prefix="/api")


def locked_out(retry_after: int):
    return json(
        {"error": "locked", "detail": locked_message(retry_after), "retry_after": retry_after},
        status=429,
        headers={"Retry-After": str(retry_after)},
    )


def whoami(user, settings) -> dict:
    return {
        "user": user.display_name,
        "csrf": user.csrf_token,
        "role": user.role,
        "can_approve_content": user.can_approve_content,
        "escalate_after_minutes": settings.desk_escalate_minutes,
    }


@bp.post("/login")
async def login(request):
    body = body_of(request) or {}
    username, password = body.get("username"), body.get("password")
    if not isinstance(username, str) or not isinstance(password, str):
        return error(400, "bad_request", "send username and password")
    throttle, staff = request.app.ctx.login_throttle, request.app.ctx.staff
    # remote_addr is set only when sanic is told to trust a proxy's forwarded headers.
    address = request.remote_addr or request.ip or "unknown"
    decision = throttle.check(username, address)
    if not decision.allowed:  # locked: the password is not even checked
        return locked_out(decision.retry_after)
    result = staff.sign_in(username, password)
    if result is None:
        lockouts = throttle.failed(username, address)
        for lockout in lockouts:
            staff.audit(
                "sign-in throttle",
                "login_locked",
                lockout.subject[:64],
                f"{lockout.kind} locked for {lockout.seconds} s after {lockout.failures} failed sign-ins"
                f" (last from {address})",
            )
        if lockouts:
            return locked_out(max(lockout.seconds for lockout in lockouts))
        return error(401, "unauthorized", "wrong username or password")
    throttle.succeeded(username)
    token, user = result
    response = json(whoami(user, request.app.ctx.settings))
    response.cookies[COOKIE] = token
    response.cookies[COOKIE]["httponly"] = True
    response.cookies[COOKIE]["samesite"] = "Strict"
    response.cookies[COOKIE]["secure"] = request.scheme == "https"
    response.cookies[COOKIE]["path"] = "/desk"
    return response


@bp.post("/logout")
@signed_in
async def logout(request):
    request.app.ctx.staff.sign_out(request.cookies.get(COOKIE))
    request.app.ctx.staff.audit(request.ctx.user.display_name, "signed_out")
    response = json({"signed_out": True})
    del response.cookies[COOKIE]
    return response


@bp.get("/me")
@signed_in
async def me(request):
    return json(whoami(request.ctx.user, request.app.ctx.settings))
