"""The front-desk console at /desk as staff use it, next to a patient's chat widget, in headless Chromium.

The real stack: Rasa, the action server and the web service, with a staff account made by the
project's own command (`python -m webservice.accounts create`, see the `staff_account` fixture).
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from pump_assistant import answering
from tests.support.browser import ask, open_page, serious_violations, ticket_for, widget_session_id

QUESTION = "can I take ibuprofen with my pump?"
WAIT = 30000  # ms: a first Rasa reply can take a while on a loaded machine


@pytest.fixture
def desk(browser, web_server):
    """The console in its own browser context; window.alert()s (the console's error path) are recorded."""
    with open_page(browser, f"{web_server}/desk", viewport={"width": 1400, "height": 1000}) as page:
        page.alerts = []
        page.on("dialog", lambda dialog: (page.alerts.append(dialog.message), dialog.dismiss()))
        expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
        yield page


def sign_in(desk, username: str, password: str) -> None:
    desk.get_by_label("Username").fill(username)
    desk.get_by_label("Password").fill(password)
    desk.get_by_role("button", name="Sign in").click()


def signed_in(desk, account) -> None:
    sign_in(desk, account.username, account.password)
    expect(desk.locator("#who")).to_have_text(f"Signed in as {account.name}")
    expect(desk.get_by_role("heading", name="Handed-off conversations")).to_be_visible()


def queue_item(desk, ticket_id: str):
    return desk.locator(f"#queue li.ticket[data-ticket='{ticket_id}']")


def open_ticket(desk, ticket_id: str):
    """Open a ticket from the list; returns the detail view once it shows that ticket."""
    queue_item(desk, ticket_id).locator("button.open").click()
    detail = desk.locator(f"#detail[data-ticket='{ticket_id}']")
    expect(detail).to_be_visible()
    return detail


def refresh_queue(desk, click: bool = True) -> None:
    """Click "Refresh queue" (or let the 10-second refresh come) and wait until the console has redrawn the queue."""
    desk.evaluate("document.querySelectorAll('#queue > li').forEach(li => li.dataset.stale = '1')")
    if click:
        desk.get_by_role("button", name="Refresh queue").click()
    expect(desk.locator("#queue > li[data-stale]")).to_have_count(0, timeout=15000)


def test_staff_take_a_handed_off_patient_live_from_the_console(desk, page, staff_account, stack, web_server, registry):
    patient = page
    signed_in(desk, staff_account)

    # Someone else's emergency came in first; the patient's clinical question is newer.
    emergency_sender = stack.new_sender()
    assert any("911" in text for text in stack.texts(emergency_sender, "I can't breathe"))

    patient.click(".pc-launcher")
    ask(patient, QUESTION)
    patient.locator(".pc-bot .pc-text", has_text="passed your question").wait_for(timeout=WAIT)
    patient.locator(".pc-choice", has_text="No, thanks").last.click()
    patient.locator(".pc-bot .pc-text", has_text="Your question is with our staff").wait_for(timeout=WAIT)
    ticket = ticket_for(stack, web_server, widget_session_id(patient))
    assert ticket is not None and ticket["reason"] == "clinical"

    # The inbox: a compact row for the patient's ticket, emergencies first; the detail view holds the transcript.
    refresh_queue(desk)
    item = queue_item(desk, ticket["id"])
    expect(item).to_be_visible()
    expect(item.locator(".badge.urgency")).to_have_text("routine")
    expect(item).to_contain_text(f"\u201c{QUESTION}\u201d")
    urgencies = desk.locator("#queue li.ticket .badge.urgency").all_inner_texts()
    assert "emergency" in urgencies
    assert urgencies == sorted(urgencies, key=["emergency", "urgent", "routine"].index), urgencies
    detail = open_ticket(desk, ticket["id"])
    expect(detail).to_contain_text("Declined to be contacted")
    expect(detail.get_by_role("list", name="Transcript")).to_contain_text(f"Patient: {QUESTION}")

    # Claim: the patient is told someone has joined.
    detail.get_by_role("button", name="Claim").click()
    expect(detail).to_contain_text(f"claimed by {staff_account.name}")
    expect(detail.get_by_role("button", name="Claimed")).to_be_disabled()
    expect(item).to_contain_text(f"claimed by {staff_account.name}")
    patient.locator(".pc-event", has_text="A member of our clinic staff has joined").wait_for(timeout=WAIT)

    # Reply: typed into the ticket; the inbox's 10-second refresh while typing keeps the text and the focus.
    reply = "Hi, this is Ana from the clinic. Please don't take ibuprofen until the doctor calls you today."
    detail.get_by_label("Reply to the patient").fill(reply)
    refresh_queue(desk, click=False)
    expect(detail.get_by_label("Reply to the patient")).to_have_value(reply)
    expect(detail.get_by_label("Reply to the patient")).to_be_focused()
    user_messages = patient.locator(".pc-user").count()
    detail.get_by_role("button", name="Send reply").click()
    patient.locator(".pc-staff .pc-text", has_text=f"{staff_account.name}: {reply}").wait_for(timeout=WAIT)
    assert patient.locator(".pc-user").count() == user_messages  # pushed live: the patient sent nothing
    expect(detail.get_by_label("Reply to the patient")).to_have_value("")  # sent, so no longer a draft
    expect(detail.get_by_role("list", name="Transcript")).to_contain_text(f"Staff ({staff_account.name}): {reply}")

    # Resolve with a note: the ticket leaves the inbox, the note stays on it, and the assistant answers again.
    note = "Told Zoë – ¿dolor? – not to take ibuprofen; Dr. Lee calls back at 3 pm."
    detail.get_by_label("Resolution note (what was done)").fill(note)
    detail.get_by_role("button", name="Resolve").click()
    expect(item).to_have_count(0)
    expect(detail.locator(".facts dd", has_text=note)).to_have_count(1)
    patient.locator(".pc-event", has_text="Our staff member has finished helping you").wait_for(timeout=WAIT)
    ask(patient, "how long does the battery last?")
    patient.locator(".pc-bot .pc-text", has_text=registry.answers["battery"].text[:40]).wait_for(timeout=WAIT)
    assert patient.locator(".pc-source").last.inner_text().startswith("Source:")

    audit = desk.locator("#audit li")
    resolved = audit.filter(has_text=f"{staff_account.name} resolved {ticket['id']}: {note}")
    expect(resolved).to_have_count(1)
    # Times read as dates for staff, with the exact value kept for machines.
    stamp = resolved.locator("time")
    assert re.match(r"^\d{4}-\d\d-\d\dT", stamp.get_attribute("datetime"))
    assert not re.search(r"\d{4}-\d\d-\d\dT", stamp.inner_text()) and re.search(r"\d\d:\d\d", stamp.inner_text())
    assert desk.alerts == []


def test_wrong_password_shows_an_error_and_no_session(desk, staff_account, web_server):
    sign_in(desk, staff_account.username, "not the right password")
    expect(desk.get_by_role("alert")).to_have_text("wrong username or password")
    expect(desk.get_by_role("heading", name="Handed-off conversations")).to_be_hidden()
    expect(desk.get_by_role("button", name="Sign out")).to_be_hidden()
    assert [c for c in desk.context.cookies() if c["name"] == "desk_session"] == []
    desk.reload()
    expect(desk.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(desk.locator("#who")).to_have_text("")


def test_ask_box_gives_the_approved_answer_with_its_source(desk, staff_account, registry):
    signed_in(desk, staff_account)
    battery = registry.answers["battery"]
    desk.get_by_label("Patient's question").fill("how long does the battery last?")
    desk.get_by_role("button", name="Find answer").click()
    card = desk.locator("#answers article.answer")
    expect(card).to_have_count(1)
    expect(card.get_by_role("heading")).to_have_text(f"{battery.title} (v{battery.version})")
    expect(card).to_contain_text(battery.text)
    expect(card.locator(".source")).to_have_text(answering.source_line(registry, battery))
    expect(card.get_by_role("button", name="Send SMS")).to_be_visible()

    # A question about one patient's own care gets no approved answer, even when a page topic is close.
    desk.get_by_label("Patient's question").fill("can I take ibuprofen with my pump?")
    desk.get_by_role("button", name="Find answer").click()
    expect(desk.locator("#answers .no-answer")).to_contain_text("Hand it to a clinician")
    expect(desk.locator("#answers article.answer")).to_have_count(0)


def test_no_serious_accessibility_violations_signed_out_and_in(desk, staff_account, stack, web_server):
    assert serious_violations(desk) == []  # the sign-in page

    sender = stack.new_sender()
    stack.texts(sender, QUESTION)
    stack.texts(stack.new_sender(), "does medicare pay for the pump")  # the pages do not say: a gap
    ticket = ticket_for(stack, web_server, sender)
    assert ticket is not None
    signed_in(desk, staff_account)
    expect(open_ticket(desk, ticket["id"]).get_by_role("list", name="Transcript")).to_contain_text(QUESTION)
    desk.get_by_label("Patient's question").fill("how long does the battery last?")
    desk.get_by_role("button", name="Find answer").click()
    expect(desk.locator("#answers article.answer")).to_have_count(1)
    expect(desk.locator("#gaps table")).to_be_visible()
    assert serious_violations(desk) == []


def test_no_unanswered_questions_reads_as_a_line_not_an_empty_table(desk, staff_account):
    # The stack is shared with tests that leave gaps behind: this console is served none.
    desk.route("**/desk/api/gaps", lambda route: route.fulfill(json={"unanswered": [], "ratings": []}))
    signed_in(desk, staff_account)
    expect(desk.locator("#gaps .none-yet")).to_have_text("No unanswered questions yet.")
    expect(desk.locator("#gaps table")).to_have_count(0)
