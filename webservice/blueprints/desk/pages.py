"""The console's page and its script and style (one page, served under a strict CSP)."""

from __future__ import annotations

from sanic import Blueprint
from sanic.response import file, html

from webservice.blueprints.desk.common import CSP, STATIC

bp = Blueprint("desk_pages")


@bp.get("")
async def console(request):
    return html((STATIC / "desk.html").read_text(encoding="utf-8"), headers={"Content-Security-Policy": CSP})


@bp.get("/desk.js")
async def console_js(request):
    return await file(STATIC / "desk.js", mime_type="application/javascript", headers={"Cache-Control": "no-cache"})


@bp.get("/desk.css")
async def console_css(request):
    return await file(STATIC / "desk.css", mime_type="text/css", headers={"Cache-Control": "no-cache"})
