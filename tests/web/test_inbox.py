"""The front desk's inbox API: counts, filters, search, "mine", cursor paging, resolution notes, drafts into the registry.

Tickets go through the real store (TicketStore.raise_ticket), as the action server writes them.
"""
from __future__ import annotations

import datetime as dt
import shutil
import uuid

import pytest
import yaml

from pump_assistant.config import load_settings
from pump_assistant.storage.database import open_database
from pump_assistant.storage.staff import StaffDirectory
from pump_assistant.storage.tickets import TicketDraft, TicketStore
from pump_assistant.vocabulary import Channel, TicketReason, Urgency
from webservice.app import create_app

PASSWORD = "correct horse battery"
PHONE = "+15552220123"
LONG = "My pump alarm keeps beeping and I do not know what it means. " * 12


@pytest.fixture
def registry_copy(tmp_path, monkeypatch):
    """The answer registry (and its pages) copied aside: approving a draft rewrites the copy, never content/."""
    from pump_assistant import services

    settings = load_settings()
    target = tmp_path / "answers.yml"
    shutil.copy(settings.registry_path, target)
    monkeypatch.setenv("ANSWER_REGISTRY", str(target))
    services.clear()
    yield target
    services.clear()


@pytest.fixture
def desk_app(web_settings, registry_copy):
    app = create_app(load_settings(), name=f"pump_inbox_{uuid.uuid4().hex[:8]}")
    staff = StaffDirectory(open_database(web_settings.database_url))
    staff.create_account("ana", "Nurse Ana", PASSWORD)
    staff.create_account("drlee", "Dr. Zoë Lee", PASSWORD, role="clinician")
    return app


@pytest.fixture
def store(web_settings) -> TicketStore:
    return TicketStore(open_database(web_settings.database_url), web_settings.outbox_dir)


def raise_ticket(store, *, reason=TicketReason.CLINICAL, urgency="", channel=Channel.WEBCHAT, sender=None, text="is my incision red?",
                 transcript=None, minutes_ago=0.0) -> str:
    created = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None) - dt.timedelta(minutes=minutes_ago)
    draft = TicketDraft(sender_id=sender or uuid.uuid4().hex, channel=channel, reason=reason, urgency=urgency,
                        trigger_message=text, created_at=created.isoformat(),
                        transcript=transcript if transcript is not None else [{"role": "patient", "text": text, "time": None}])
    ticket_id, stored = store.raise_ticket(draft)
    assert stored
    return ticket_id


class Desk:
    def __init__(self, app, cookies, csrf):
        self.app, self.cookies, self.csrf = app, cookies, csrf

    async def get(self, path, **params):
        _, response = await self.app.asgi_client.get("/desk/api" + path, params=params, cookies=self.cookies)
        return response

    async def post(self, path, body=None):
        _, response = await self.app.asgi_client.post("/desk/api" + path, json=body or {}, cookies=self.cookies,
                                                      headers={"X-CSRF-Token": self.csrf})
        return response


async def sign_in(app, username="ana") -> Desk:
    _, response = await app.asgi_client.post("/desk/api/login", json={"username": username, "password": PASSWORD})
    assert response.status == 200
    return Desk(app, {"desk_session": response.cookies.get("desk_session")}, response.json["csrf"])


async def test_counts_by_status_and_urgency_with_emergencies_first(desk_app, store):
    routine = raise_ticket(store, reason=TicketReason.REQUEST, text="please call me back", minutes_ago=3)
    urgent = raise_ticket(store, reason=TicketReason.CLINICAL, urgency=Urgency.URGENT, text="my refill is late", minutes_ago=2)
    emergency = raise_ticket(store, reason=TicketReason.EMERGENCY, text="I can't breathe", channel=Channel.SMS, sender=PHONE, minutes_ago=10)
    newest_routine = raise_ticket(store, reason=TicketReason.CLINICAL, text="can I take ibuprofen?", minutes_ago=1)
    claimed = raise_ticket(store, reason=TicketReason.EMERGENCY, text="my chest hurts", minutes_ago=20)
    store.claim(claimed, "Nurse Ana")
    resolved = raise_ticket(store, reason=TicketReason.REQUEST, text="done already")
    store.resolve(resolved, "Nurse Ana", "Called back; all fine.")

    desk = await sign_in(desk_app)
    response = await desk.get("/queue")
    assert response.status == 200
    body = response.json
    # Active tickets (open or claimed): emergencies first, newest first within each urgency.
    assert [t["id"] for t in body["handoffs"]] == [emergency, claimed, urgent, newest_routine, routine]
    assert body["counts"]["status"] == {"open": 4, "claimed": 1, "resolved": 1}
    assert body["counts"]["urgency"] == {"emergency": 2, "urgent": 1, "routine": 2}
    assert body["counts"]["total"] == 5 and body["counts"]["open_emergencies"] == 1
    assert [e["id"] for e in body["open_emergencies"]] == [emergency]
    assert body["escalate_after_minutes"] == 5.0 and body["next_cursor"] is None
    sms = body["handoffs"][0]
    assert (sms["phone"], sms["channel"], sms["opted_out"], sms["summary"]) == (PHONE, "sms", False, "I can't breathe")
    assert "transcript" not in sms and sms["turns"] == 1  # compact: the transcript is in the detail view


async def test_filters_narrow_the_list_and_each_facet_counts_under_the_others(desk_app, store):
    sms_emergency = raise_ticket(store, reason=TicketReason.EMERGENCY, channel=Channel.SMS, sender=PHONE, text="I can't breathe")
    raise_ticket(store, reason=TicketReason.CLINICAL, channel=Channel.SMS, sender="+15552220999", text="dose question")
    web_routine = raise_ticket(store, reason=TicketReason.REQUEST, channel=Channel.WEBCHAT, text="call me")
    desk = await sign_in(desk_app)

    body = (await desk.get("/queue", urgency=Urgency.EMERGENCY)).json
    assert [t["id"] for t in body["handoffs"]] == [sms_emergency]
    # The urgency facet ignores the urgency filter (so staff see what switching to "routine" would show).
    assert body["counts"]["urgency"] == {"emergency": 1, "urgent": 0, "routine": 2}
    assert body["counts"]["total"] == 1
    body = (await desk.get("/queue", channel=Channel.WEBCHAT)).json
    assert [t["id"] for t in body["handoffs"]] == [web_routine]
    assert body["counts"]["channel"]["sms"] == 2
    body = (await desk.get("/queue", channel=Channel.SMS, urgency=Urgency.ROUTINE)).json
    assert [t["sender_id"] for t in body["handoffs"]] == ["+15552220999"]


async def test_search_finds_text_in_the_transcript_summary_and_phone(desk_app, store):
    zoe = raise_ticket(store, text="Zoë – ¿dolor? my back hurts near the pump", sender="+15552220123", channel=Channel.SMS,
                       transcript=[{"role": "patient", "text": "hola", "time": 1795000000.0},
                                   {"role": "patient", "text": "/choose_topic{\"topic\":\"refills\"}", "time": None},
                                   {"role": "assistant", "text": "Refills happen every 1 to 3 months.", "time": None},
                                   {"role": "patient", "text": LONG, "time": None}])
    other = raise_ticket(store, text="when is my next refill appointment?", sender="+15559990000", channel=Channel.SMS)
    desk = await sign_in(desk_app)

    async def found(q):
        response = await desk.get("/queue", q=q)
        assert response.status == 200, response.json
        return {t["id"] for t in response.json["handoffs"]}

    assert await found("zoË") == {zoe}  # unicode, case-insensitive
    assert await found("¿dolor?") == {zoe}
    assert await found("keeps beeping") == {zoe}  # deep in a long transcript turn
    assert await found("chose a topic: refilling the pump") == {zoe}  # a pressed button, by its title
    assert await found("555-222-0123") == {zoe}  # a phone number however it is written
    assert await found("+15559990000") == {other}
    assert await found("refill") == {zoe, other}
    assert await found("100%_off") == set()  # LIKE wildcards are taken literally
    store.append_turn(other, {"role": "staff", "staff": "Nurse Ana", "text": "Bring your pump card on Tuesday."})
    assert await found("pump card") == {other}  # staff replies become searchable at once


async def test_mine_lists_what_i_claimed(desk_app, store):
    mine = raise_ticket(store, text="mine")
    theirs = raise_ticket(store, text="theirs")
    raise_ticket(store, text="nobody's")
    store.claim(mine, "Nurse Ana")
    store.claim(theirs, "Dr. Zoë Lee")
    desk = await sign_in(desk_app)
    body = (await desk.get("/queue", mine="1")).json
    assert [t["id"] for t in body["handoffs"]] == [mine]
    assert body["counts"]["status"] == {"open": 0, "claimed": 1, "resolved": 0}
    clinician = await sign_in(desk_app, "drlee")
    assert [t["id"] for t in (await clinician.get("/queue", mine="true")).json["handoffs"]] == [theirs]


async def test_paging_past_200_with_a_cursor_visits_every_ticket_once_in_order(desk_app, store):
    ids = {raise_ticket(store, reason=TicketReason.REQUEST, text=f"question {n} from Zoë", minutes_ago=n % 7) for n in range(230)}
    emergencies = {raise_ticket(store, reason=TicketReason.EMERGENCY, text=f"emergency {n}") for n in range(5)}
    desk = await sign_in(desk_app)
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": "200"} | ({"cursor": cursor} if cursor else {})
        body = (await desk.get("/queue", **params)).json
        seen += body["handoffs"]
        pages += 1
        cursor = body["next_cursor"]
        if not cursor:
            break
        # A ticket arriving mid-way does not upset the pages already being read.
        raise_ticket(store, reason=TicketReason.REQUEST, text="arrived while paging", minutes_ago=-1)
    assert pages == 2 and len(seen) == 235
    assert {t["id"] for t in seen} == ids | emergencies and len({t["id"] for t in seen}) == 235
    assert {t["id"] for t in seen[:5]} == emergencies
    keys = [(t["created_at"], t["id"]) for t in seen[5:]]
    assert keys == sorted(keys, reverse=True)
    # Small pages walk the same order as one big page.
    everything = [t["id"] for t in (await desk.get("/queue", limit="12")).json["handoffs"]]
    small, cursor = [], None
    for _ in range(4):
        body = (await desk.get("/queue", limit="3", **({"cursor": cursor} if cursor else {}))).json
        small += [t["id"] for t in body["handoffs"]]
        cursor = body["next_cursor"]
    assert small == everything


async def test_the_token_api_pages_with_a_cursor_too(desk_app, store, auth):
    ids = [raise_ticket(store, reason=TicketReason.REQUEST, text=f"call me {n}", minutes_ago=n) for n in range(205)]
    _, first = await desk_app.asgi_client.get("/api/handoffs?limit=200", headers=auth)
    assert first.status == 200 and len(first.json["handoffs"]) == 200
    _, second = await desk_app.asgi_client.get(f"/api/handoffs?limit=200&cursor={first.json['next_cursor']}", headers=auth)
    assert [h["id"] for h in first.json["handoffs"] + second.json["handoffs"]] == ids  # newest first, as always
    assert second.json["next_cursor"] is None
    _, searched = await desk_app.asgi_client.get("/api/handoffs?q=call+me+204&urgency=routine&channel=webchat", headers=auth)
    assert [h["id"] for h in searched.json["handoffs"]] == [ids[204]]


BAD_CURSORS = ["not-a-cursor", "%%%", "eyJvIjoiaW5ib3gifQ", "eyJvIjoibmV3ZXN0IiwiayI6WyIyMDI2LTEyLTAxVDAwOjAwOjAwIiwiYSJdfQ",
               "eyJvIjoiaW5ib3giLCJrIjpbOTksIm5vdCBhIGRhdGUiLCJhIl19", "W10"]


@pytest.mark.parametrize("cursor", BAD_CURSORS)
async def test_a_bad_cursor_is_a_clear_400_never_a_500(desk_app, store, cursor):
    raise_ticket(store)
    desk = await sign_in(desk_app)
    response = await desk.get("/queue", cursor=cursor)
    assert response.status == 400
    assert response.json["error"] == "bad_cursor" and "cursor" in response.json["detail"]


@pytest.mark.parametrize("params, code", [({"status": "lost"}, "bad_status"), ({"urgency": "critical"}, "bad_urgency"),
                                          ({"channel": "fax"}, "bad_channel"), ({"mine": "maybe"}, "bad_mine"),
                                          ({"limit": "201"}, "bad_limit"), ({"limit": "-1"}, "bad_limit"),
                                          ({"q": "x" * 201}, "bad_q")])
async def test_unknown_filter_values_are_a_400_naming_the_filter(desk_app, params, code):
    desk = await sign_in(desk_app)
    response = await desk.get("/queue", **params)
    assert response.status == 400
    assert response.json["error"] == code and response.json["detail"]


@pytest.mark.parametrize("query", ["urgency=critical", "channel=fax", "cursor=not-a-cursor", "mine=1"])
async def test_the_token_api_refuses_bad_filters_with_400(desk_app, auth, query):
    _, response = await desk_app.asgi_client.get(f"/api/handoffs?{query}", headers=auth)
    assert response.status == 400 and response.json["error"].startswith("bad_")


async def test_detail_shows_the_transcript_for_people_and_the_phone(desk_app, store, web_settings):
    from pump_assistant.sms.state import SmsState

    ticket = raise_ticket(store, reason=TicketReason.CLINICAL, channel=Channel.SMS, sender=PHONE, text="can I take ibuprofen?",
                          transcript=[{"role": "patient", "text": "/choose_topic{\"topic\":\"refills\"}", "time": 1795000000.0},
                                      {"role": "assistant", "text": "The pump is refilled every 1 to 3 months.", "time": 1795000001.0},
                                      {"role": "patient", "text": "/affirm", "time": None},
                                      {"role": "patient", "text": "/some_new_button", "time": None},
                                      {"role": "patient", "text": "can I take ibuprofen?", "time": None}])
    desk = await sign_in(desk_app)
    body = (await desk.get(f"/handoffs/{ticket}")).json
    texts = [(t["role"], t["text"]) for t in body["transcript"]]
    assert texts == [("patient", "Chose a topic: Refilling the pump"),
                     ("assistant", "The pump is refilled every 1 to 3 months."),
                     ("patient", "Yes"), ("patient", "Chose an option: some new button"),
                     ("patient", "can I take ibuprofen?")]
    assert not any(t["text"].startswith("/") for t in body["transcript"])
    assert (body["phone"], body["channel"], body["opted_out"]) == (PHONE, "sms", False)
    SmsState(open_database(web_settings.database_url)).opt_out(PHONE)
    assert (await desk.get(f"/handoffs/{ticket}")).json["opted_out"] is True
    assert (await desk.get("/handoffs/" + uuid.uuid4().hex)).status == 404


async def test_resolution_note_is_stored_shown_searchable_and_audited(desk_app, store, auth):
    ticket = raise_ticket(store, text="Zoë – ¿dolor? after the refill")
    desk = await sign_in(desk_app)
    assert (await desk.post(f"/handoffs/{ticket}/claim")).status == 200
    note = "Called +15552220123; Zoë's pain eased after rest – follow-up booked for Tuesday. " * 3
    response = await desk.post(f"/handoffs/{ticket}/resolve", {"note": note})
    assert response.status == 200
    assert (response.json["status"], response.json["resolution_note"], response.json["resolved_by"]) == (
        "resolved", note.strip(), "Nurse Ana")
    detail = (await desk.get(f"/handoffs/{ticket}")).json
    assert detail["resolution_note"] == note.strip()
    assert ("Nurse Ana", "resolved", ticket) in {(e["actor"], e["action"], e["subject"]) for e in detail["audit"]}
    audit = (await desk.get("/audit")).json["entries"]
    assert any(e["action"] == "resolved" and e["subject"] == ticket and e["detail"].startswith("Called +15552220123")
               for e in audit)
    assert [t["id"] for t in (await desk.get("/queue", status="resolved", q="follow-up booked")).json["handoffs"]] == [ticket]
    _, api = await desk_app.asgi_client.get(f"/api/handoffs/{ticket}", headers=auth)
    assert api.json["resolution_note"] == note.strip()
    # Resolving twice is refused; a note over 2,000 characters is refused before anything changes.
    assert (await desk.post(f"/handoffs/{ticket}/resolve", {"note": "again"})).status == 409
    other = raise_ticket(store)
    response = await desk.post(f"/handoffs/{other}/resolve", {"note": "x" * 2001})
    assert response.status == 400 and store.get(other)["status"] == "open"
    assert (await desk.post(f"/handoffs/{other}/resolve", {"note": 42})).status == 400


async def test_token_api_resolve_keeps_a_note(desk_app, store, auth):
    ticket = raise_ticket(store)
    _, refused = await desk_app.asgi_client.post(f"/api/handoffs/{ticket}/resolve", headers=auth,
                                                 json={"staff": "Ana", "note": ["not", "text"]})
    assert refused.status == 400 and refused.json["detail"] == "note must be text"
    _, response = await desk_app.asgi_client.post(f"/api/handoffs/{ticket}/resolve", headers=auth,
                                                  json={"staff": "Ana", "note": "Left a voicemail."})
    assert response.status == 200 and response.json["resolution_note"] == "Left a voicemail."


# --- drafts into the registry -------------------------------------------------------------------

def refills_quote(settings) -> tuple[str, str]:
    """A real sentence of the refills answer's page, and the page."""
    from pump_assistant import services

    answer = services.registry().answers["refills"]
    return answer.citations[0].page, answer.citations[0].quotes[0]


async def save_draft(desk, question="how often is the pump refilled?", text="Every 1 to 3 months, at the clinic."):
    response = await desk.post("/drafts", {"question": question, "text": text})
    assert response.status == 201
    return response.json["id"]


async def test_a_clinician_publishes_a_draft_as_the_next_answer_version(desk_app, registry_copy):
    from pump_assistant import services

    desk = await sign_in(desk_app)
    draft = await save_draft(desk)
    before = services.registry().answers["refills"]
    page, quote = refills_quote(load_settings())
    lead = "Your pump is refilled at the clinic, usually every 1 to 3 months."
    text = lead + " The nurse checks the pump and the alarm date at each visit."
    clinician = await sign_in(desk_app, "drlee")
    response = await clinician.post(f"/drafts/{draft}/approve", {
        "answer_id": "refills", "title": before.title, "sms": lead, "text": text, "page": page, "quotes": [quote]})
    assert response.status == 200, response.json
    assert response.json["answer"] == {"id": "refills", "version": before.version + 1, "title": before.title,
                                       "reviewed": dt.date.today().isoformat()}
    assert (response.json["draft"]["status"], response.json["draft"]["reviewed_by"]) == ("approved", "Dr. Zoë Lee")
    saved = yaml.safe_load(registry_copy.read_text())
    item = next(a for a in saved["answers"] if a["id"] == "refills")
    assert (item["version"], item["text"], item["sms"]) == (before.version + 1, text, lead)
    assert item["sources"] == [{"page": page, "quotes": [quote]}]
    assert registry_copy.read_text().startswith("# Approved answers.")  # the file's comments are kept
    assert services.registry().answers["refills"].version == before.version + 1  # served at once
    audit = (await clinician.get("/audit")).json["entries"]
    assert any(e["action"] == "approved_draft" and e["subject"] == str(draft) and e["actor"] == "Dr. Zoë Lee"
               and f"refills v{before.version + 1}" in e["detail"] for e in audit)
    # Decided once: a second approval or a rejection is refused.
    assert (await clinician.post(f"/drafts/{draft}/reject", {})).status == 409


async def test_a_draft_that_fails_the_registry_checks_is_not_published(desk_app, registry_copy):
    desk = await sign_in(desk_app)
    draft = await save_draft(desk)
    original = registry_copy.read_text()
    page, quote = refills_quote(load_settings())
    clinician = await sign_in(desk_app, "drlee")
    lead = "Zoë – ¿dolor? Take 2 mg more when the pain is bad."
    response = await clinician.post(f"/drafts/{draft}/approve", {
        "answer_id": "refills", "title": "Refills", "sms": lead, "text": lead + " " + "x" * 10, "page": page,
        "quotes": [quote.replace("refill", "replace", 1) + " (changed)"]})
    assert response.status == 422 and response.json["error"] == "content_rejected"
    assert any("outside GSM-7" in p for p in response.json["problems"])
    response = await clinician.post(f"/drafts/{draft}/approve", {
        "answer_id": "refills", "title": "Refills", "sms": "Take 2 mg more when the pain is bad.",
        "text": "Take 2 mg more when the pain is bad.", "page": page, "quotes": [quote + " (changed)"]})
    assert response.status == 422
    problems = " | ".join(response.json["problems"])
    assert "not found word for word" in problems and "states a dose" in problems
    for body in ({"answer_id": "no_such_answer", "title": "t", "sms": "s", "text": "s", "page": page, "quotes": [quote]},
                 {"answer_id": "refills", "title": "t", "sms": "s", "text": "s", "page": page, "quotes": []}):
        assert (await clinician.post(f"/drafts/{draft}/approve", body)).status == 422
    assert (await clinician.post(f"/drafts/{draft}/approve", {"answer_id": "refills"})).status == 400
    assert registry_copy.read_text() == original
    drafts = (await clinician.get("/drafts", status="pending")).json["drafts"]
    assert [d["id"] for d in drafts] == [draft]


async def test_a_clinician_rejects_a_draft_with_a_reason(desk_app):
    desk = await sign_in(desk_app)
    draft = await save_draft(desk, text="Call billing about Medicare.")
    clinician = await sign_in(desk_app, "drlee")
    assert (await clinician.post(f"/drafts/{draft}/reject", {"note": 7})).status == 400
    response = await clinician.post(f"/drafts/{draft}/reject", {"note": "Not from an approved page – ask billing."})
    assert response.status == 200
    assert (response.json["draft"]["status"], response.json["draft"]["review_note"]) == (
        "rejected", "Not from an approved page – ask billing.")
    audit = (await clinician.get("/audit")).json["entries"]
    assert any(e["action"] == "rejected_draft" and e["subject"] == str(draft) for e in audit)
    assert (await clinician.post("/drafts/999999/reject", {})).status == 404


async def test_only_a_clinician_may_approve_or_reject(desk_app, registry_copy):
    desk = await sign_in(desk_app)
    draft = await save_draft(desk)
    original = registry_copy.read_text()
    page, quote = refills_quote(load_settings())
    body = {"answer_id": "refills", "title": "Refills", "sms": "Refilled every 1 to 3 months.",
            "text": "Refilled every 1 to 3 months.", "page": page, "quotes": [quote]}
    for verb in ("approve", "reject"):
        response = await desk.post(f"/drafts/{draft}/{verb}", body)
        assert response.status == 403 and response.json["error"] == "forbidden"
    assert (await desk.get("/drafts")).json["can_approve"] is False
    assert registry_copy.read_text() == original
    assert (await desk.get("/me")).json["role"] == "front_desk"
    assert (await (await sign_in(desk_app, "drlee")).get("/me")).json["can_approve_content"] is True
