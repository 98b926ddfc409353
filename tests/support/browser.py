"""Driving the web front ends in headless Chromium (Playwright): the chat widget, axe-core, the staff API."""
from __future__ import annotations

import json
import urllib.request
from contextlib import contextmanager

from axe_playwright_python.sync_playwright import Axe

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@contextmanager
def open_page(browser, url: str, **context_options):
    """A page at url in its own browser context (own cookies and storage), closed afterwards."""
    context = browser.new_context(**context_options)
    try:
        page = context.new_page()
        page.goto(url)
        yield page
    finally:
        context.close()


def ask(page, text: str) -> None:
    """Type a question into the chat widget and send it with Enter."""
    page.fill("#pc-input", text)
    page.press("#pc-input", "Enter")


def widget_state(page) -> dict:
    """What the widget keeps in this tab's sessionStorage (the default) and in localStorage (data-history="local")."""
    return page.evaluate(
        "Object.fromEntries([['session', sessionStorage], ['local', localStorage]]"
        ".map(([name, s]) => [name, Object.keys(s).filter(k => k.startsWith('pumpChat:'))"
        ".map(k => JSON.parse(s.getItem(k)))[0] || null]))"
    )


def widget_session_id(page) -> str:
    """The Rasa sender id the widget on this page talks as."""
    state = widget_state(page)
    return ((state["session"] or {}).get("sessionId")) or ((state["local"] or {}).get("sessionId"))


def watch_sockets(page) -> list[dict]:
    """Every WebSocket the page opens, with the frames it received."""
    sockets = []

    def opened(ws):
        record = {"url": ws.url, "received": [], "closed": False}
        ws.on("framereceived", lambda payload: record["received"].append(payload))
        ws.on("close", lambda _: record.update(closed=True))
        sockets.append(record)

    page.on("websocket", opened)
    return sockets


def serious_violations(page) -> list[dict]:
    """axe-core's serious and critical violations on the page as it is now: rule id, impact, offending nodes."""
    results = Axe().run(page)
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]]}
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def staff_api(stack, web_server: str, path: str, body: dict | None = None) -> dict:
    request = urllib.request.Request(
        web_server + path,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {stack.env['DESK_API_TOKEN']}", "Content-Type": "application/json"},
        method="GET" if body is None else "POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def ticket_for(stack, web_server: str, sender_id: str) -> dict | None:
    """The active hand-off ticket of one conversation, if any."""
    tickets = staff_api(stack, web_server, "/api/handoffs?status=open&limit=200")["handoffs"]
    tickets += staff_api(stack, web_server, "/api/handoffs?status=claimed&limit=200")["handoffs"]
    return next((t for t in tickets if t["sender_id"] == sender_id), None)
