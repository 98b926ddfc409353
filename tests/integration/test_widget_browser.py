"""The chat widget as a patient uses it, in headless Chromium (Playwright)."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.support.browser import ask, open_page, serious_violations, staff_api, watch_sockets, widget_session_id, widget_state

REST_WEBHOOK = "/webhooks/rest/webhook"


def test_ask_see_answer_and_source_reload_keeps_history(page, registry):
    page.click(".pc-launcher")
    ask(page, "how often does the pump need to be refilled?")
    answer = page.locator(".pc-bot .pc-text", has_text=registry.answers["refills"].sms[:40])
    answer.wait_for(timeout=20000)
    assert page.locator(".pc-source").last.inner_text().startswith("Source:")
    assert page.locator(".pc-choice").count() >= 2
    page.reload()
    page.click(".pc-launcher")
    assert page.locator(".pc-bot .pc-text", has_text=registry.answers["refills"].sms[:40]).count() == 1
    assert page.locator(".pc-user", has_text="how often does the pump need to be refilled?").count() == 1


def test_quick_reply_buttons_work(page):
    page.click(".pc-launcher")
    ask(page, "what are the side effects of the pump")
    page.locator(".pc-choice").first.wait_for(timeout=20000)
    before = page.locator(".pc-bot").count()
    page.locator(".pc-choice").first.click()
    page.locator(".pc-bot").nth(before).wait_for(timeout=20000)


@pytest.mark.parametrize("transport", ["socket", "rest"])
def test_emergency_reply_is_unmissable(page, transport):
    sockets = watch_sockets(page)
    rest_calls = []
    page.on("request", lambda request: rest_calls.append(request) if REST_WEBHOOK in request.url else None)
    if transport == "rest":
        # A network that blocks WebSockets: the REST fallback must carry the server's urgent flag too.
        page.add_init_script("window.WebSocket = function () { throw new Error('WebSockets blocked'); };")
        page.reload()
    page.click(".pc-launcher")
    greeting = page.locator(".pc-bot").first
    assert "911" in greeting.inner_text()
    assert greeting.get_attribute("role") is None and "pc-urgent" not in greeting.get_attribute("class")
    ask(page, "I can't breathe")
    urgent = page.locator(".pc-bot.pc-urgent", has_text="This could be an emergency")
    urgent.wait_for(timeout=20000)
    assert "911" in urgent.inner_text()
    assert urgent.get_attribute("role") == "alert"
    # The greeting mentions 911 too, but only the emergency reply is an alert.
    assert page.locator(".pc-urgent").count() == 1
    assert page.locator("[role=alert]").count() == 1
    over_socket = any('"session_confirm"' in str(frame) for ws in sockets for frame in ws["received"])
    assert (over_socket, bool(rest_calls)) == (transport == "socket", transport == "rest")


def test_escape_closes_and_returns_focus_to_launcher(page):
    page.click(".pc-launcher")
    assert page.is_visible("#pc-panel")
    page.keyboard.press("Escape")
    assert not page.is_visible("#pc-panel")
    assert page.evaluate("document.activeElement.classList.contains('pc-launcher')")


def test_keyboard_only(page):
    page.focus(".pc-launcher")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "pc-input"
    page.keyboard.type("hello")
    page.keyboard.press("Enter")
    page.locator(".pc-bot").nth(1).wait_for(timeout=20000)


def test_no_serious_accessibility_violations(page):
    page.click(".pc-launcher")
    ask(page, "what is an intrathecal pump")
    page.locator(".pc-source").first.wait_for(timeout=20000)
    assert serious_violations(page) == []


def test_input_is_readable_size_and_messages_are_text_not_html(page):
    page.click(".pc-launcher")
    assert page.evaluate("parseFloat(getComputedStyle(document.querySelector('#pc-input')).fontSize)") >= 16
    ask(page, "<img src=x onerror=alert(1)> hello")
    page.locator(".pc-user", has_text="<img src=x").wait_for(timeout=5000)
    assert page.locator(".pc-log img").count() == 0


def hand_a_question_to_staff(page) -> None:
    """A clinical question: staff get a ticket; the patient declines the callback and is told it is with staff."""
    ask(page, "should I lower my dose, I feel dizzy?")
    page.locator(".pc-bot .pc-text", has_text="passed your question").wait_for(timeout=30000)
    decline = page.locator(".pc-choice", has_text="No, thanks").last
    decline.wait_for(timeout=20000)
    decline.click()
    page.locator(".pc-bot .pc-text", has_text="Your question is with our staff").wait_for(timeout=20000)


def test_staff_reply_appears_live_without_reload_or_sending(page, stack, web_server, registry):
    sockets = watch_sockets(page)
    page.click(".pc-launcher")
    hand_a_question_to_staff(page)
    # The conversation went over the socket, the only way a staff reply can be pushed.
    assert any('"session_confirm"' in str(frame) for ws in sockets for frame in ws["received"])

    session_id = widget_session_id(page)
    tickets = staff_api(stack, web_server, "/api/handoffs?status=open&limit=200")["handoffs"]
    ticket = next(t for t in tickets if t["sender_id"] == session_id)
    assert ticket["reason"] == "clinical"
    user_messages = page.locator(".pc-user").count()

    staff_api(stack, web_server, f"/api/handoffs/{ticket['id']}/claim", {"staff": "Nurse Ana"})
    page.locator(".pc-event", has_text="A member of our clinic staff has joined").wait_for(timeout=20000)
    staff_api(stack, web_server, f"/api/handoffs/{ticket['id']}/reply", {"staff": "Nurse Ana", "text": "Please sit down, I am calling you now."})
    reply = page.locator(".pc-staff .pc-text", has_text="Nurse Ana: Please sit down, I am calling you now.")
    reply.wait_for(timeout=20000)
    assert page.locator(".pc-user").count() == user_messages

    staff_api(stack, web_server, f"/api/handoffs/{ticket['id']}/resolve", {"staff": "Nurse Ana"})
    page.locator(".pc-event", has_text="Our staff member has finished helping you").wait_for(timeout=20000)
    assert page.locator(".pc-user").count() == user_messages

    ask(page, "how is the pump refilled?")
    page.locator(".pc-bot .pc-text", has_text=registry.answers["refills"].text[:40]).wait_for(timeout=20000)
    assert page.locator(".pc-source").last.inner_text().startswith("Source:")


def test_page_from_another_origin_cannot_open_the_socket(browser, stack, web_server):
    # Same page, same server, but "localhost" is another origin than the allowed "127.0.0.1".
    port = urlsplit(web_server).port
    context = browser.new_context()
    try:
        page = context.new_page()
        sockets = watch_sockets(page)
        page.goto(f"http://localhost:{port}/demo")
        page.click(".pc-launcher")
        page.wait_for_function("document.querySelectorAll('.pc-log .pc-msg').length >= 1")
        page.wait_for_timeout(1000)
        assert sockets and all(ws["url"].startswith(stack.rasa_url.replace("http", "ws", 1)) for ws in sockets)
        ask(page, "how is the pump refilled?")
        page.locator(".pc-bot .pc-text", has_text="can't reach the assistant").wait_for(timeout=20000)
        assert all(ws["received"] == [] for ws in sockets)
        assert page.locator(".pc-source").count() == 0
    finally:
        context.close()


# -- private by default: history in this tab only, a clear control, longer history as the page's opt-in --------


REFILLS_QUESTION = "how often does the pump need to be refilled?"


def ask_about_refills(page, registry) -> str:
    """In the open widget: asks the refills question and waits for the registry's answer; returns the question."""
    ask(page, REFILLS_QUESTION)
    page.locator(".pc-bot .pc-text", has_text=registry.answers["refills"].sms[:40]).wait_for(timeout=20000)
    return REFILLS_QUESTION


def _user_texts(state: dict | None) -> list[str]:
    return [entry["text"] for entry in (state or {}).get("log", []) if entry["role"] == "user"]


def test_history_stays_in_this_tab_only_by_default(page, registry):
    question = REFILLS_QUESTION
    page.click(".pc-launcher")
    ask_about_refills(page, registry)
    state = widget_state(page)
    assert _user_texts(state["session"]) == [question] and state["session"]["sessionId"]
    assert state["local"] is None  # nothing kept on the device
    # Another tab of the same site, same browser: a new, empty conversation.
    other = page.context.new_page()
    try:
        other.goto(page.url)
        other.click(".pc-launcher")
        assert other.locator(".pc-msg").count() == 1 and other.locator(".pc-user").count() == 0
        assert widget_state(other)["session"]["sessionId"] != state["session"]["sessionId"]
    finally:
        other.close()


def test_a_conversation_an_older_widget_kept_on_the_device_leaves_it(page, stack):
    key = f"pumpChat:{stack.rasa_url}"
    kept = {"sessionId": "a" * 32, "log": [{"role": "bot", "text": "Hello!"}, {"role": "user", "text": "¿Puedo viajar con la bomba?"}]}
    # As a patient's browser has it after using the widget before this change: on the device, not in a tab.
    page.evaluate("([key, value]) => { sessionStorage.clear(); localStorage.setItem(key, JSON.stringify(value)); }", [key, kept])
    page.reload()
    page.click(".pc-launcher")
    page.locator(".pc-user", has_text="¿Puedo viajar con la bomba?").wait_for(timeout=5000)  # still in this tab
    state = widget_state(page)
    assert state["local"] is None and _user_texts(state["session"]) == ["¿Puedo viajar con la bomba?"]


def test_clear_conversation_wipes_the_history_and_starts_a_new_conversation(page, registry):
    question = REFILLS_QUESTION
    page.click(".pc-launcher")
    ask_about_refills(page, registry)
    old_session = widget_session_id(page)
    assert old_session

    clear = page.get_by_role("button", name="Clear conversation")
    assert clear.is_visible()
    clear.click()
    assert page.locator(".pc-user").count() == 0
    assert page.locator(".pc-source").count() == 0
    assert page.locator(".pc-event", has_text="Conversation cleared").count() == 1
    assert page.locator(".pc-bot").count() == 1  # the greeting, afresh
    assert page.evaluate("document.activeElement.id") == "pc-input"
    state = widget_state(page)
    assert _user_texts(state["session"]) == [] and state["session"]["sessionId"] != old_session
    assert state["local"] is None

    # A new conversation with a new session id from the server, answered as usual.
    ask(page, "what is an intrathecal pump")
    page.locator(".pc-source").first.wait_for(timeout=20000)
    new_session = widget_session_id(page)
    assert new_session and new_session != old_session
    assert [t.inner_text() for t in page.locator(".pc-user").all()] == ["what is an intrathecal pump"]
    page.reload()
    page.click(".pc-launcher")
    assert page.locator(".pc-user", has_text=question).count() == 0
    assert page.locator(".pc-user", has_text="what is an intrathecal pump").count() == 1
    assert page.locator(".pc-event").count() == 0  # the "cleared" notice is shown, never kept


# The demo page's widget tag with data-history="local", as a page opting in writes it. (Set as the parser inserts
# the tag, before the deferred script runs: a page served by the test itself would not be on loopback, and Chromium
# blocks such a page from reaching Rasa on 127.0.0.1.)
OPT_IN_LOCAL_HISTORY = """
new MutationObserver(function (changes, observer) {
  var tag = document.querySelector('script[src$="/widget.js"]');
  if (tag) { tag.setAttribute("data-history", "local"); observer.disconnect(); }
}).observe(document, { childList: true, subtree: true });
"""


def test_longer_history_is_the_pages_opt_in_and_clear_still_wipes_it(browser, web_server, registry):
    question = REFILLS_QUESTION
    context = browser.new_context()
    try:
        context.add_init_script(OPT_IN_LOCAL_HISTORY)
        page = context.new_page()
        page.goto(f"{web_server}/demo")
        assert page.get_attribute('script[src$="/widget.js"]', "data-history") == "local"
        page.click(".pc-launcher")
        ask_about_refills(page, registry)
        state = widget_state(page)
        assert _user_texts(state["local"]) == [question]
        assert state["session"] is None
        page.close()
        # Kept on the device: a new tab has it.
        again = context.new_page()
        again.goto(f"{web_server}/demo")
        again.click(".pc-launcher")
        assert again.locator(".pc-user", has_text=question).count() == 1
        again.get_by_role("button", name="Clear conversation").click()
        assert again.locator(".pc-user").count() == 0
        state = widget_state(again)
        assert _user_texts(state["local"]) == [] and state["session"] is None
    finally:
        context.close()


# -- reopening: what the conversation holds that the browser has not seen, newest in view --------------------------


def test_a_staff_reply_sent_while_the_chat_was_closed_shows_when_it_reopens(browser, stack, web_server, registry):
    context = browser.new_context()
    try:
        context.add_init_script(OPT_IN_LOCAL_HISTORY)
        page = context.new_page()
        page.goto(f"{web_server}/demo")
        page.click(".pc-launcher")
        # A long enough conversation that the log scrolls.
        ask_about_refills(page, registry)
        hand_a_question_to_staff(page)
        session_id = widget_session_id(page)
        assert widget_state(page)["local"]["sessionId"] == session_id
        page.close()  # the patient closed the tab

        tickets = staff_api(stack, web_server, "/api/handoffs?status=open&limit=200")["handoffs"]
        ticket = next(t for t in tickets if t["sender_id"] == session_id)
        staff_api(stack, web_server, f"/api/handoffs/{ticket['id']}/claim", {"staff": "Nurse Ana"})
        staff_api(stack, web_server, f"/api/handoffs/{ticket['id']}/reply", {"staff": "Nurse Ana", "text": "I tried to call you, please call us back."})

        for _ in range(2):  # reopened, and once more: the reply is shown once, never repeated
            again = context.new_page()
            again.goto(f"{web_server}/demo")
            again.click(".pc-launcher")
            reply = again.locator(".pc-staff .pc-text", has_text="Nurse Ana: I tried to call you, please call us back.")
            reply.wait_for(timeout=20000)
            assert again.locator(".pc-event", has_text="A member of our clinic staff has joined").count() == 1
            assert again.locator(".pc-user", has_text="should I lower my dose").count() == 1
            assert again.locator(".pc-bot .pc-text", has_text="Your question is with our staff").count() == 1
            # The newest in view: the log is scrolled to its bottom, the staff reply inside its visible box.
            assert again.evaluate("document.querySelector('.pc-log').scrollHeight > document.querySelector('.pc-log').clientHeight")
            again.wait_for_function(
                "() => { const l = document.querySelector('.pc-log'); return l.scrollHeight - l.scrollTop - l.clientHeight < 2; }",
                timeout=5000,
            )
            again.wait_for_function(
                """() => {
                  const l = document.querySelector('.pc-log').getBoundingClientRect();
                  const r = document.querySelector('.pc-staff').getBoundingClientRect();
                  return r.top >= l.top - 1 && r.bottom <= l.bottom + 1;
                }""",
                timeout=5000,
            )
            assert again.locator(".pc-staff").count() == 1
            again.close()
    finally:
        context.close()


# -- tap to call, phones, feedback bound to its answer, axe ---------------------------------------------------------

PHONE = {"width": 320, "height": 640}
PHONE_WIDE = {"width": 412, "height": 915}
DESKTOP = {"width": 1280, "height": 800}
CLINIC_TEL = "tel:+15550100199"  # CLINIC_PHONE "(555) 010-0199" in the stack
SELF_HARM_VIA_PUMP = "I want to overdose on my pump to end my life"


def tel_links(locator) -> list[tuple[str, str]]:
    return [(a.inner_text(), a.get_attribute("href")) for a in locator.locator("a").all()]


def test_911_988_and_the_clinic_number_are_tap_to_call_links(page):
    page.click(".pc-launcher")
    # (First a question: after an emergency, the conversation is the staff's.)
    ask(page, "how often does the pump need to be refilled?")
    page.locator(".pc-feedback").first.wait_for(timeout=20000)
    page.locator(".pc-feedback").last.get_by_role("button", name="No").click()
    sorry = page.locator(".pc-bot", has_text="Thank you for telling us")
    sorry.wait_for(timeout=20000)
    assert ("(555) 010-0199", CLINIC_TEL) in tel_links(sorry)

    ask(page, SELF_HARM_VIA_PUMP)
    urgent = page.locator(".pc-bot.pc-urgent", has_text="Please call 911 now")
    urgent.wait_for(timeout=20000)
    assert urgent.get_attribute("role") == "alert"
    assert tel_links(urgent.locator(".pc-text")) == [("911", "tel:911"), ("988", "tel:988"), ("911", "tel:911")]
    # The words around the links are unchanged.
    assert urgent.locator(".pc-text").inner_text().startswith("Please call 911 now: too much of your pump medicine")

    # The patient's own words are never turned into links.
    ask(page, "my sister's number is (555) 010-0199, call 911 if you must")
    page.locator(".pc-user", has_text="my sister's number").wait_for(timeout=5000)
    assert page.locator(".pc-user a").count() == 0


def test_tap_to_call_on_stored_replies_is_built_from_text_never_html(page, stack):
    from pump_assistant.triage.language import SPANISH_EMERGENCY_LINE

    hostile = ('<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>'
               '<a href="javascript:window.__pwned=3">(555) 010-0199</a> call 911 — ¿llamó? 0911 A988 9880')
    kept = {"sessionId": None, "log": [
        {"role": "bot", "text": "Hello! In an emergency, call 911."},
        {"role": "user", "text": "¿Hablan español? Mi número es 555-010-0100"},
        {"role": "bot", "urgent": True, "text": "If this is happening now, call 911 now.\n" + SPANISH_EMERGENCY_LINE},
        {"role": "staff", "text": "Nurse Ana: the on-call line is +1 555 010 0911, or (555) 010-0199 in the day."},
        {"role": "bot", "text": hostile},
    ]}
    page.evaluate("([key, value]) => sessionStorage.setItem(key, JSON.stringify(value))", [f"pumpChat:{stack.rasa_url}", kept])
    page.reload()
    page.click(".pc-launcher")
    messages = page.locator(".pc-msg")
    messages.nth(4).wait_for(timeout=5000)
    assert tel_links(messages.nth(0)) == [("911", "tel:911")]
    assert tel_links(messages.nth(1)) == []
    spanish = messages.nth(2)
    assert "Si es una emergencia, llame al 911 ahora" in spanish.inner_text()
    assert tel_links(spanish) == [("911", "tel:911"), ("911", "tel:911"), ("988", "tel:988")]
    assert tel_links(messages.nth(3)) == [("+1 555 010 0911", "tel:+15550100911"), ("(555) 010-0199", CLINIC_TEL)]
    # Markup in a message is shown as the characters it is: no element, no script, no javascript: link.
    hostile_msg = messages.nth(4)
    assert hostile_msg.locator(".pc-text").inner_text() == hostile
    assert tel_links(hostile_msg) == [("(555) 010-0199", CLINIC_TEL), ("911", "tel:911")]
    assert page.locator(".pc-log img, .pc-log script").count() == 0
    assert page.evaluate("window.__pwned") is None
    assert page.evaluate("[...document.querySelectorAll('.pc-log a')].every(a => a.protocol === 'tel:')")


LONG_QUESTION = ("Bonjour — my father (78, Zoë's grandad) had his pump refilled in Zürich last spring; "
                 "how often does the pump need to be refilled here, and does the schedule change after surgery? "
                 "Averyveryveryverylongwordwithoutanyspacesthatcouldpushthelayoutsideways_" * 2)


def test_at_320_px_the_send_button_fits_and_nothing_scrolls_sideways(browser, web_server, registry):
    with open_page(browser, f"{web_server}/demo", viewport=PHONE, is_mobile=True, has_touch=True) as page:
        page.click(".pc-launcher")
        ask(page, LONG_QUESTION)
        page.locator(".pc-bot .pc-text", has_text=registry.answers["refills"].text[:40]).wait_for(timeout=20000)
        page.locator(".pc-feedback").first.wait_for(timeout=20000)
        send = page.locator(".pc-send").bounding_box()
        assert send["x"] >= 0 and send["y"] >= 0
        assert send["x"] + send["width"] <= PHONE["width"] and send["y"] + send["height"] <= PHONE["height"]
        assert page.locator(".pc-send").is_visible()
        assert page.evaluate("document.elementFromPoint(%f, %f).closest('.pc-send') !== null"
                             % (send["x"] + send["width"] / 2, send["y"] + send["height"] / 2))
        for box in (page.locator("#pc-input").bounding_box(), page.locator(".pc-clear").bounding_box(),
                    page.locator(".pc-close").bounding_box()):
            assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        assert page.evaluate("document.body.scrollWidth") <= PHONE["width"]
        assert page.evaluate("() => { const l = document.querySelector('.pc-log'); return l.scrollWidth <= l.clientWidth; }")


@pytest.mark.parametrize("viewport", [PHONE, PHONE_WIDE])
def test_on_a_phone_the_open_chat_covers_the_screen(browser, web_server, viewport):
    with open_page(browser, f"{web_server}/demo", viewport=viewport, is_mobile=True, has_touch=True) as page:
        page.click(".pc-launcher")
        panel = page.locator("#pc-panel").bounding_box()
        assert (panel["x"], panel["y"]) == (0, 0)
        assert (panel["width"], panel["height"]) == (viewport["width"], viewport["height"])
        # The form is at the bottom, inside the screen.
        form = page.locator(".pc-form").bounding_box()
        assert form["y"] + form["height"] == pytest.approx(viewport["height"], abs=1)
        page.keyboard.press("Escape")
        assert not page.is_visible("#pc-panel")
        assert page.locator(".pc-launcher").is_visible()


def test_on_a_desktop_the_chat_stays_a_panel_in_the_corner(page):
    page.set_viewport_size(DESKTOP)
    page.click(".pc-launcher")
    panel = page.locator("#pc-panel").bounding_box()
    assert panel["width"] < DESKTOP["width"] / 2 and panel["height"] < DESKTOP["height"]
    assert panel["x"] + panel["width"] <= DESKTOP["width"]


def feedback_rows(stack, session_id: str) -> list[tuple]:
    from sqlalchemy import select

    from pump_assistant.storage.database import open_database, pseudonymise
    from pump_assistant.storage.models import AnswerFeedback

    with open_database(stack.env["DATABASE_URL"]).session() as session:
        rows = session.execute(
            select(AnswerFeedback).where(AnswerFeedback.conversation == pseudonymise(session_id)).order_by(AnswerFeedback.id)
        ).scalars()
        return [(row.answer_id, row.answer_version, row.helpful) for row in rows]


def test_no_on_an_older_answer_is_recorded_for_that_answer(page, stack, registry):
    page.click(".pc-launcher")
    ask(page, "how often does the pump need to be refilled? — my mum’s card says “every 3 months”")
    page.locator(".pc-bot .pc-text", has_text=registry.answers["refills"].text[:40]).wait_for(timeout=20000)
    page.locator(".pc-feedback").nth(0).wait_for(timeout=20000)
    ask(page, "how long does the pump battery last?")
    page.locator(".pc-bot .pc-text", has_text=registry.answers["battery"].text[:40]).wait_for(timeout=20000)
    page.locator(".pc-feedback").nth(1).wait_for(timeout=20000)

    older = page.locator(".pc-feedback").nth(0)
    no = older.get_by_role("button", name="No")
    assert no.get_attribute("data-answer-id") == "refills"
    assert page.locator(".pc-feedback").nth(1).get_by_role("button", name="No").get_attribute("data-answer-id") == "battery"
    no.click()
    page.locator(".pc-bot", has_text="Thank you for telling us").wait_for(timeout=20000)
    session_id = widget_session_id(page)

    # What the server stored: the rating is the refills answer's, though the battery answer came last.
    assert feedback_rows(stack, session_id) == [("refills", registry.answers["refills"].version, False)]
    # ... and the button named that very message of the conversation.
    events = stack.tracker(session_id)["events"]
    refills = [e for e in events if e["event"] == "bot" and (e.get("metadata") or {}).get("answer_id") == "refills"]
    assert [e["metadata"]["answer_message_id"] for e in refills] == [no.get_attribute("data-answer-message")]

    # Rated once: the choice stays shown and pressed, and cannot be sent again (also after a reload).
    assert no.is_disabled() and no.get_attribute("aria-pressed") == "true"
    page.reload()
    page.click(".pc-launcher")
    again = page.locator(".pc-feedback").nth(0).get_by_role("button", name="No")
    assert again.is_disabled() and again.get_attribute("aria-pressed") == "true"

    # "Yes" under the latest answer goes to the latest.
    page.locator(".pc-feedback").nth(1).get_by_role("button", name="Yes, it helped").click()
    page.locator(".pc-bot", has_text="Thank you for letting us know").wait_for(timeout=20000)
    assert feedback_rows(stack, session_id) == [
        ("refills", registry.answers["refills"].version, False),
        ("battery", registry.answers["battery"].version, True),
    ]


def axe_violations(page) -> list[dict]:
    """Every axe-core violation (any impact) on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]]}
        for v in results.response["violations"]
    ]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_open_widget_has_no_axe_violations(browser, web_server, registry, viewport):
    with open_page(browser, f"{web_server}/demo", viewport=viewport, is_mobile=viewport is PHONE) as page:
        page.click(".pc-launcher")
        assert axe_violations(page) == []
        # With what a conversation shows: an answer, its source, suggested topics, the rating buttons (one
        # rated), tap-to-call links in an emergency reply, the clinic's number.
        ask(page, "how often does the pump need to be refilled?")
        page.locator(".pc-feedback").first.wait_for(timeout=20000)
        page.locator(".pc-feedback").first.get_by_role("button", name="No").click()
        page.locator(".pc-bot", has_text="Thank you for telling us").wait_for(timeout=20000)
        ask(page, SELF_HARM_VIA_PUMP)
        page.locator(".pc-bot.pc-urgent a[href='tel:988']").wait_for(timeout=20000)
        page.locator(".pc-typing").wait_for(state="hidden", timeout=20000)
        assert axe_violations(page) == []


def test_staff_notices_are_told_by_the_servers_flag_never_by_their_words(page, stack):
    """A notice is an event because the server flags it (DisplayFlag): reworded, it still is; a reply quoting it is not."""
    import json

    from pump_assistant.vocabulary import DisplayFlag

    session_id = "ab" * 16
    history = [
        {"role": "bot", "text": "Nurse Ana is here now.", "timestamp": 201.0, DisplayFlag.STAFF_JOINED: True},
        {"role": "bot", "text": "A member of our clinic staff has joined, you said?", "timestamp": 202.0},
        {"role": "bot", "text": "Back to the automated assistant.", "timestamp": 203.0, DisplayFlag.STAFF_LEFT: True},
    ]
    page.route("**/widget/api/conversation/**", lambda route: route.fulfill(
        status=200, content_type="application/json", headers={"Access-Control-Allow-Origin": "*"},
        body=json.dumps({"messages": history})))
    page.evaluate("([key, value]) => sessionStorage.setItem(key, JSON.stringify(value))",
                  [f"pumpChat:{stack.rasa_url}", {"sessionId": session_id, "log": [], "synced": 200.0}])
    page.reload()
    page.click(".pc-launcher")
    page.locator(".pc-event", has_text="Back to the automated assistant.").wait_for(timeout=10000)
    assert page.locator(".pc-event", has_text="Nurse Ana is here now.").count() == 1
    assert page.locator(".pc-event", has_text="you said?").count() == 0
    assert page.locator(".pc-bot", has_text="A member of our clinic staff has joined, you said?").count() == 1
