"""Staff API: authentication, listing and filters, claim race, reply, resolve."""
from __future__ import annotations

import asyncio
import re

import pytest

from pump_assistant.storage.database import open_database
from pump_assistant.storage.tickets import TicketDraft, TicketStore
from pump_assistant.vocabulary import Channel, TicketReason


def store_for(settings) -> TicketStore:
    return TicketStore(open_database(settings.database_url), settings.outbox_dir)


def raise_ticket(settings, reason=TicketReason.CLINICAL, sender="patient-1", text="is my incision supposed to be red?"):
    draft = TicketDraft(sender_id=sender, channel=Channel.REST, reason=reason, trigger_message=text,
                        transcript=[{"role": "patient", "text": text, "time": None}])
    ticket_id, stored = store_for(settings).raise_ticket(draft)
    assert stored
    return ticket_id


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic x"}, {"Authorization": "Bearer "}])
@pytest.mark.parametrize("method, path", [("get", "/api/handoffs"), ("get", "/api/handoffs/x"), ("post", "/api/handoffs/x/claim"),
                                          ("post", "/api/handoffs/x/reply"), ("post", "/api/handoffs/x/resolve")])
async def test_no_or_wrong_token_is_refused(app, headers, method, path):
    _, response = await getattr(app.asgi_client, method)(path, headers=headers)
    assert response.status == 401
    assert response.json["error"] == "unauthorized"


async def test_an_unset_token_opens_nothing(app, monkeypatch):
    app.ctx.settings = app.ctx.settings.__class__(**{**app.ctx.settings.__dict__, "desk_api_token": ""})
    _, response = await app.asgi_client.get("/api/handoffs", headers={"Authorization": "Bearer "})
    assert response.status == 401


async def test_list_is_newest_first_with_status_and_limit_filters(app, auth, web_settings):
    first = raise_ticket(web_settings, sender="a")
    second = raise_ticket(web_settings, reason=TicketReason.EMERGENCY, sender="b", text="I can't breathe")
    third = raise_ticket(web_settings, reason=TicketReason.REQUEST, sender="c", text="call me back please")
    store_for(web_settings).claim(first, "Ana")

    _, response = await app.asgi_client.get("/api/handoffs", headers=auth)
    assert response.status == 200
    assert [h["id"] for h in response.json["handoffs"]] == [third, second, first]
    emergency = response.json["handoffs"][1]
    assert (emergency["urgency"], emergency["reason"], emergency["status"]) == ("emergency", "emergency", "open")
    assert emergency["transcript"][0]["text"] == "I can't breathe"

    _, response = await app.asgi_client.get("/api/handoffs?status=claimed", headers=auth)
    assert [h["id"] for h in response.json["handoffs"]] == [first]
    _, response = await app.asgi_client.get("/api/handoffs?status=open&limit=1", headers=auth)
    assert [h["id"] for h in response.json["handoffs"]] == [third]


@pytest.mark.parametrize("query", ["status=lost", "limit=0", "limit=abc", "limit=1000"])
async def test_bad_filters_get_a_clear_400(app, auth, query):
    _, response = await app.asgi_client.get(f"/api/handoffs?{query}", headers=auth)
    assert response.status == 400


async def test_get_one_and_unknown_id(app, auth, web_settings):
    ticket_id = raise_ticket(web_settings)
    _, response = await app.asgi_client.get(f"/api/handoffs/{ticket_id}", headers=auth)
    assert response.status == 200 and response.json["id"] == ticket_id
    _, response = await app.asgi_client.get("/api/handoffs/does-not-exist", headers=auth)
    assert response.status == 404


async def test_two_staff_claiming_at_once_one_wins(app, auth, web_settings):
    ticket_id = raise_ticket(web_settings)
    results = await asyncio.gather(
        app.asgi_client.post(f"/api/handoffs/{ticket_id}/claim", headers=auth, json={"staff": "Ana"}),
        app.asgi_client.post(f"/api/handoffs/{ticket_id}/claim", headers=auth, json={"staff": "Ben"}),
    )
    statuses = sorted(response.status for _, response in results)
    assert statuses == [200, 409]
    winner = next(r for _, r in results if r.status == 200).json["claimed_by"]
    _, response = await app.asgi_client.get(f"/api/handoffs/{ticket_id}", headers=auth)
    assert response.json["status"] == "claimed" and response.json["claimed_by"] == winner


def test_claim_is_atomic_across_threads(web_settings):
    from concurrent.futures import ThreadPoolExecutor

    ticket_id = raise_ticket(web_settings)
    stores = [store_for(web_settings) for _ in range(8)]
    with ThreadPoolExecutor(8) as pool:
        wins = list(pool.map(lambda pair: pair[1].claim(ticket_id, f"staff-{pair[0]}"), enumerate(stores)))
    assert wins.count(True) == 1


async def test_claim_needs_a_staff_name(app, auth, web_settings):
    ticket_id = raise_ticket(web_settings)
    for body in (None, {}, {"staff": ""}, ["Ana"]):
        _, response = await app.asgi_client.post(f"/api/handoffs/{ticket_id}/claim", headers=auth, json=body)
        assert response.status == 400


async def test_a_reply_that_cannot_be_delivered_is_kept_on_the_ticket(app, auth, web_settings):
    ticket_id = raise_ticket(web_settings)
    _, response = await app.asgi_client.post(
        f"/api/handoffs/{ticket_id}/reply", headers=auth, json={"staff": "Ana", "text": "We will call you at 3pm."}
    )
    assert response.status == 502
    _, response = await app.asgi_client.get(f"/api/handoffs/{ticket_id}", headers=auth)
    last = response.json["transcript"][-1]
    assert (last["role"], last["text"], last["delivered"]) == ("staff", "We will call you at 3pm.", False)


async def test_resolve_then_resolve_again(app, auth, web_settings):
    ticket_id = raise_ticket(web_settings)
    _, response = await app.asgi_client.post(f"/api/handoffs/{ticket_id}/resolve", headers=auth, json={"staff": "Ana"})
    assert response.status == 200 and response.json["status"] == "resolved"
    _, response = await app.asgi_client.post(f"/api/handoffs/{ticket_id}/resolve", headers=auth)
    assert response.status == 409
    _, response = await app.asgi_client.post(
        f"/api/handoffs/{ticket_id}/reply", headers=auth, json={"staff": "Ana", "text": "hello"}
    )
    assert response.status == 409


async def test_health_and_openapi_need_no_token(app):
    _, response = await app.asgi_client.get("/health")
    assert response.status == 200 and response.json["database"] == "ok"
    _, response = await app.asgi_client.get("/api/openapi.json")
    assert response.status == 200 and response.json["openapi"].startswith("3.")


async def test_openapi_describes_exactly_the_routes_served(app):
    _, response = await app.asgi_client.get("/api/openapi.json")
    documented = {(path, method.upper()) for path, item in response.json["paths"].items() for method in item if method != "parameters"}
    served = set()
    for route in app.router.routes:
        path = "/" + route.path.rstrip("/") if not route.path.startswith("/") else route.path
        path = re.sub(r"<(\w+):\w+>", r"{\1}", path)
        for method in route.methods:
            if method not in ("HEAD", "OPTIONS"):
                served.add((path, method))
    # The staff API and the console's API are described completely; everything described is served.
    def described(p):
        return p.startswith(("/api/", "/desk")) or p == "/health"

    assert {(p, m) for p, m in served if described(p)} == {(p, m) for p, m in documented if described(p)}
    assert documented <= served
