"""The chat widget's files and a demo clinic page that embeds it, under a strict CSP."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from sanic import Blueprint
from sanic.response import HTTPResponse, file, html

STATIC = Path(__file__).resolve().parent.parent / "static"
bp = Blueprint("widget")


def content_security_policy(rasa_url: str) -> str:
    parts = urlsplit(rasa_url)
    ws = ("wss" if parts.scheme == "https" else "ws") + f"://{parts.netloc}"
    return (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        f"connect-src 'self' {parts.scheme}://{parts.netloc} {ws}; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )


@bp.get("/widget.js")
async def widget_js(request) -> HTTPResponse:
    return await file(STATIC / "widget.js", mime_type="application/javascript", headers={"Cache-Control": "no-cache"})


@bp.get("/widget.css")
async def widget_css(request) -> HTTPResponse:
    return await file(STATIC / "widget.css", mime_type="text/css", headers={"Cache-Control": "no-cache"})


@bp.get("/static/demo.css")
async def demo_css(request) -> HTTPResponse:
    return await file(STATIC / "demo.css", mime_type="text/css")


@bp.get("/demo")
async def demo(request) -> HTTPResponse:
    rasa_url = request.app.ctx.settings.rasa_public_url
    page = (STATIC / "demo.html").read_text(encoding="utf-8").replace("__RASA_PUBLIC_URL__", rasa_url)
    return html(page, headers={"Content-Security-Policy": content_security_policy(rasa_url)})
