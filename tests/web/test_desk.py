"""The front-desk console's server side: accounts, sessions, CSRF, queue order, audit, drafts, the ask box."""
from __future__ import annotations

import pytest

from pump_assistant.storage.database import open_database
from pump_assistant.storage.staff import AccountError, StaffDirectory, hash_password, verify_password
from pump_assistant.storage.tickets import TicketDraft, TicketStore
from pump_assistant.storage.records import record_unanswered
from pump_assistant.vocabulary import AnswerKind, Channel, Intent, TicketReason
from webservice.rasa_client import RasaClient

PASSWORD = "correct horse battery"


@pytest.fixture
def directory(web_settings):
    directory = StaffDirectory(open_database(web_settings.database_url))
    directory.create_account("ana", "Nurse Ana", PASSWORD)
    return directory


async def sign_in(app, username="ana", password=PASSWORD):
    _, response = await app.asgi_client.post("/desk/api/login", json={"username": username, "password": password})
    return response


def test_passwords_are_hashed_and_checked():
    stored = hash_password(PASSWORD)
    assert PASSWORD not in stored and stored.startswith("scrypt$")
    assert verify_password(PASSWORD, stored) and not verify_password("wrong password!", stored)


def test_weak_or_duplicate_accounts_are_refused(directory):
    with pytest.raises(AccountError):
        directory.create_account("ben", "Ben", "short")
    with pytest.raises(AccountError):
        directory.create_account("ana", "Ana again", PASSWORD)


async def test_wrong_password_is_refused(app, directory):
    response = await sign_in(app, password="nope nope nope")
    assert response.status == 401


async def test_sign_in_sets_a_strict_httponly_cookie_and_returns_a_csrf_token(app, directory):
    response = await sign_in(app)
    assert response.status == 200 and response.json["user"] == "Nurse Ana"
    cookie = response.headers.get("set-cookie", "")
    assert "desk_session=" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie


async def test_console_api_needs_a_session(app, directory):
    _, response = await app.asgi_client.get("/desk/api/queue")
    assert response.status == 401


async def test_state_changes_need_the_csrf_token(app, directory, web_settings):
    ticket_id, _ = TicketStore(open_database(web_settings.database_url), web_settings.outbox_dir).raise_ticket(
        TicketDraft(sender_id="p1", channel=Channel.REST, reason=TicketReason.CLINICAL, trigger_message="my wound is red"))
    login = await sign_in(app)
    cookies = {"desk_session": login.cookies.get("desk_session")}
    _, response = await app.asgi_client.post(f"/desk/api/handoffs/{ticket_id}/claim", cookies=cookies)
    assert response.status == 403
    _, response = await app.asgi_client.post(
        f"/desk/api/handoffs/{ticket_id}/claim", cookies=cookies, headers={"X-CSRF-Token": login.json["csrf"]})
    assert response.status == 200 and response.json["claimed_by"] == "Nurse Ana"
    _, response = await app.asgi_client.get("/desk/api/audit", cookies=cookies)
    actions = [(e["actor"], e["action"], e["subject"]) for e in response.json["entries"]]
    assert ("Nurse Ana", "claimed", ticket_id) in actions and ("Nurse Ana", "signed_in", "ana") in actions


async def test_queue_lists_emergencies_first(app, directory, web_settings):
    store = TicketStore(open_database(web_settings.database_url), web_settings.outbox_dir)
    routine, _ = store.raise_ticket(TicketDraft(sender_id="a", channel=Channel.REST, reason=TicketReason.REQUEST, trigger_message="call me"))
    urgent, _ = store.raise_ticket(TicketDraft(sender_id="b", channel=Channel.SMS, reason=TicketReason.EMERGENCY, trigger_message="cant breathe"))
    newer, _ = store.raise_ticket(TicketDraft(sender_id="c", channel=Channel.REST, reason=TicketReason.CLINICAL, trigger_message="dose?"))
    login = await sign_in(app)
    _, response = await app.asgi_client.get("/desk/api/queue", cookies={"desk_session": login.cookies.get("desk_session")})
    assert [t["id"] for t in response.json["handoffs"]] == [urgent, newer, routine]


async def test_queue_shows_when_the_patient_last_wrote_from_the_event_broker(app, directory, web_settings):
    store = TicketStore(open_database(web_settings.database_url), web_settings.outbox_dir)
    store.raise_ticket(TicketDraft(sender_id="heard", channel=Channel.SMS, reason=TicketReason.CLINICAL, trigger_message="dose?"))
    store.raise_ticket(TicketDraft(sender_id="quiet", channel=Channel.REST, reason=TicketReason.REQUEST, trigger_message="call me"))
    login = await sign_in(app)  # starts the app, and with it app.ctx.activity
    app.ctx.activity.record({"event": "user", "sender_id": "heard", "timestamp": 1795000000.0, "input_channel": Channel.SMS})
    _, response = await app.asgi_client.get("/desk/api/queue", cookies={"desk_session": login.cookies.get("desk_session")})
    last = {t["sender_id"]: t["patient_last_message"] for t in response.json["handoffs"]}
    assert last == {"heard": {"at": "2026-11-18T11:06:40Z", "channel": Channel.SMS}, "quiet": None}


async def test_gaps_group_unanswered_questions_and_drafts_wait_for_review(app, directory, web_settings):
    db = open_database(web_settings.database_url)
    for text in ("does insurance cover it", "is it covered by medicare"):
        record_unanswered(db, kind="not_covered", text=text, sender_id="s", channel=Channel.REST)
    login = await sign_in(app)
    cookies = {"desk_session": login.cookies.get("desk_session")}
    _, response = await app.asgi_client.get("/desk/api/gaps", cookies=cookies)
    group = response.json["unanswered"][0]
    assert (group["kind"], group["count"]) == ("not_covered", 2)
    _, response = await app.asgi_client.post("/desk/api/drafts", cookies=cookies, headers={"X-CSRF-Token": login.json["csrf"]},
                                             json={"question": "does insurance cover it", "text": "Please call billing."})
    assert response.status == 201 and response.json["status"] == "pending"


async def test_console_page_is_served_under_a_strict_csp(app):
    _, response = await app.asgi_client.get("/desk")
    assert response.status == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert "<script src=\"/desk/desk.js\"" in response.text


def close_topics_parse(intent: str) -> dict:
    """Rasa's reading of a question where two page topics are close (the FAQ selector runs whatever the intent)."""
    ranking = [{"intent_response_key": "faq/medications", "confidence": 0.41},
               {"intent_response_key": "faq/safety", "confidence": 0.33}]
    return {"intent": {"name": intent, "confidence": 1.0}, "entities": [],
            "response_selector": {"faq": {"ranking": ranking}}}


async def ask(app, monkeypatch, parse: dict) -> dict:
    async def parsed(_client, _text):
        return parse

    # The app makes a new Rasa client each time the test client starts it.
    monkeypatch.setattr(RasaClient, "parse", parsed)
    login = await sign_in(app)
    _, response = await app.asgi_client.get("/desk/api/ask", params={"q": "can I take ibuprofen with my pump?"},
                                            cookies={"desk_session": login.cookies.get("desk_session")})
    assert response.status == 200
    return response.json


@pytest.mark.parametrize("intent", [Intent.CLINICAL_QUESTION, Intent.EMERGENCY])
async def test_ask_box_offers_no_answer_for_one_patients_care_even_when_two_topics_are_close(app, directory, monkeypatch, intent):
    body = await ask(app, monkeypatch, close_topics_parse(intent))
    assert (body["kind"], body["intent"], body["answers"]) == ("unknown", intent, [])


async def test_ask_box_offers_both_close_answers_for_a_general_question(app, directory, monkeypatch):
    body = await ask(app, monkeypatch, close_topics_parse("faq"))
    assert body["kind"] == "clarify"
    assert [a["id"] for a in body["answers"]] == ["medications", "safety"]


async def test_ask_box_offers_no_answer_when_triage_reads_an_emergency(app, directory, monkeypatch):
    parse = {**close_topics_parse("faq"), "triage": {"level": "emergency"}}
    body = await ask(app, monkeypatch, parse)
    assert (body["kind"], body["answers"]) == (AnswerKind.EMERGENCY, [])
