"""The front desk's inbox in headless Chromium, on the real stack: counts and filters, the detail view,
emergency alerts (notification, beep, title badge), escalation, new items announced, drafts into the registry.

Tickets are raised through the real ticket store (the one the action server writes to). Each test marks
its tickets with a unique word and searches for it, since the stack's database is shared by the suite.
Time is moved with Playwright's clock, never waited for.
"""
from __future__ import annotations

import re
import uuid

import pytest
import yaml
from playwright.sync_api import expect

from pump_assistant.storage.tickets import TicketDraft
from pump_assistant.vocabulary import Channel, TicketReason
from tests.integration.test_desk_browser import open_ticket, queue_item, signed_in
from tests.support.browser import serious_violations

DESK = {"viewport": {"width": 1400, "height": 1000}}
# Records every desktop notification and every beep the console makes.
RECORD_ALERTS = """
window.__notifications = [];
window.__beeps = 0;
const RealNotification = window.Notification;
class RecordingNotification extends RealNotification {
  constructor(title, options) { super(title, options); window.__notifications.push({title, body: (options || {}).body}); }
}
Object.defineProperty(RecordingNotification, 'permission', {get: () => RealNotification.permission});
RecordingNotification.requestPermission = (...a) => RealNotification.requestPermission(...a);
window.Notification = RecordingNotification;
const realOscillator = AudioContext.prototype.createOscillator;
AudioContext.prototype.createOscillator = function () { window.__beeps += 1; return realOscillator.call(this); };
"""


def marker() -> str:
    return "zq" + uuid.uuid4().hex[:10]


def raise_ticket(tickets, *, reason=TicketReason.CLINICAL, channel=Channel.WEBCHAT, sender=None, text="", transcript=None) -> str:
    draft = TicketDraft(sender_id=sender or uuid.uuid4().hex, channel=channel, reason=reason, trigger_message=text,
                        transcript=transcript if transcript is not None else [{"role": "patient", "text": text, "time": None}])
    ticket_id, stored = tickets.raise_ticket(draft)
    assert stored
    return ticket_id


@pytest.fixture
def desk_context(browser, web_server):
    """A browser context for the console that may show notifications, with alerts recorded."""
    context = browser.new_context(permissions=["notifications"], **DESK)
    context.add_init_script(RECORD_ALERTS)
    try:
        yield context
    finally:
        context.close()


def open_desk(context, web_server, account, clock: bool = False):
    page = context.new_page()
    if clock:
        page.clock.install()  # time runs as usual until a test moves it on
    page.goto(f"{web_server}/desk")
    signed_in(page, account)
    return page


def search(desk, word: str) -> None:
    desk.get_by_label("Search transcript, summary or phone").fill(word)
    desk.get_by_role("button", name="Apply").click()


def test_the_list_shows_counts_and_filters_by_urgency(desk_context, web_server, staff_account, tickets):
    word = marker()
    emergency = raise_ticket(tickets, reason=TicketReason.EMERGENCY, channel=Channel.SMS, sender="+15552220123",
                             text=f"Zoë – ¿dolor? I can't breathe after the refill {word}")
    routine = [raise_ticket(tickets, reason=TicketReason.REQUEST, text=f"Please call me back about my refill {word} {n}") for n in range(2)]
    desk = open_desk(desk_context, web_server, staff_account)
    search(desk, word)
    rows = desk.locator("#queue li.ticket")
    expect(rows).to_have_count(3)
    # Emergency first, then the routine ones newest first.
    assert [rows.nth(i).get_attribute("data-ticket") for i in range(3)] == [emergency, routine[1], routine[0]]
    expect(desk.locator("#counts [data-count=emergency]")).to_have_text("1 emergency")
    expect(desk.locator("#counts [data-count=routine]")).to_have_text("2 routine")
    expect(desk.locator("#counts [data-count=open]")).to_have_text("3 open")
    expect(queue_item(desk, emergency)).to_contain_text("+15552220123")

    desk.get_by_label("Urgency").select_option("emergency")
    expect(rows).to_have_count(1)
    expect(queue_item(desk, emergency)).to_be_visible()
    desk.get_by_label("Channel").select_option("webchat")
    expect(desk.locator("#queue li.empty")).to_have_text("No hand-offs match.")
    assert serious_violations(desk) == []


def test_the_detail_view_shows_the_phone_to_call_and_the_conversation_as_people_read_it(
        desk_context, web_server, staff_account, tickets):
    word = marker()
    phone = "+15552220" + str(uuid.uuid4().int % 900 + 100)
    ticket = raise_ticket(tickets, reason=TicketReason.CLINICAL, channel=Channel.SMS, sender=phone, text=f"can I take ibuprofen? {word}",
                          transcript=[{"role": "patient", "text": "/choose_topic{\"topic\":\"refills\"}", "time": 1795000000.0},
                                      {"role": "assistant", "text": "The pump needs to be refilled from time to time.",
                                       "time": 1795000001.0},
                                      {"role": "patient", "text": "/affirm", "time": 1795000002.0},
                                      {"role": "patient", "text": f"can I take ibuprofen? {word}", "time": 1795000003.0}])
    desk = open_desk(desk_context, web_server, staff_account)
    search(desk, phone)
    detail = open_ticket(desk, ticket)
    call = detail.get_by_role("link", name=f"Call {phone}")
    expect(call).to_have_attribute("href", f"tel:{phone}")
    expect(detail).to_contain_text("SMS")
    expect(detail).to_contain_text("Can receive texts (no STOP)")
    transcript = detail.get_by_role("list", name="Transcript")
    expect(transcript.locator("li")).to_have_count(4)
    expect(transcript.locator("li").nth(0)).to_contain_text("Patient: Chose a topic: Refilling the pump")
    expect(transcript.locator("li").nth(2)).to_contain_text("Patient: Yes")
    expect(transcript).not_to_contain_text("/choose_topic")
    expect(transcript).not_to_contain_text("/affirm")
    assert serious_violations(desk) == []


def test_a_new_emergency_beeps_notifies_and_badges_the_title(desk_context, web_server, staff_account, tickets):
    desk = open_desk(desk_context, web_server, staff_account)
    expect(desk.locator("#queue > li").first).to_be_visible()
    assert desk.evaluate("window.__notifications") == []  # emergencies already there at sign-in are not "new"
    word = marker()
    text = f"My husband is not breathing properly since the refill {word}"
    emergency = raise_ticket(tickets, reason=TicketReason.EMERGENCY, text=text)
    desk.get_by_role("button", name="Refresh queue").click()
    expect(queue_item(desk, emergency)).to_be_visible()
    desk.wait_for_function("window.__notifications.length > 0")
    assert desk.evaluate("window.__notifications") == [{"title": "Emergency hand-off", "body": text}]
    assert desk.evaluate("window.__beeps") >= 1
    expect(desk).to_have_title(re.compile(r"^\(\d+\) Front desk - pump assistant$"))
    badge = int(re.match(r"^\((\d+)\)", desk.title()).group(1))
    # Claimed, it no longer counts in the badge.
    search(desk, word)
    open_ticket(desk, emergency).get_by_role("button", name="Claim").click()
    expected = f"({badge - 1}) Front desk - pump assistant" if badge > 1 else "Front desk - pump assistant"
    expect(desk).to_have_title(expected)


def test_an_emergency_left_unclaimed_is_escalated_after_the_configured_minutes(
        desk_context, web_server, staff_account, tickets):
    desk = open_desk(desk_context, web_server, staff_account, clock=True)
    word = marker()
    emergency = raise_ticket(tickets, reason=TicketReason.EMERGENCY, text=f"Severe headache and a stiff neck {word}")
    search(desk, word)
    expect(queue_item(desk, emergency)).to_be_visible()
    banner = desk.locator(f"#escalations [data-ticket='{emergency}']")
    expect(banner).to_have_count(0)
    desk.clock.fast_forward("06:00")  # DESK_ESCALATE_MINUTES is 5 by default
    expect(banner).to_contain_text("Emergency unclaimed for 6 minutes")
    expect(banner).to_contain_text(f"Severe headache and a stiff neck {word}")
    expect(queue_item(desk, emergency).locator(".escalated-note")).to_have_text("Unclaimed over 5 min \u2014 escalated")
    banner.get_by_role("button", name="Open it").click()
    expect(desk.locator(f"#detail[data-ticket='{emergency}']")).to_be_visible()
    assert serious_violations(desk) == []
    desk.locator("#detail").get_by_role("button", name="Claim").click()
    expect(banner).to_have_count(0)


def test_new_tickets_are_announced_not_pushed_under_the_reader(desk_context, web_server, staff_account, tickets):
    word = marker()
    for n in range(30):
        raise_ticket(tickets, reason=TicketReason.REQUEST, text=f"Question {n} about my refill {word}")
    desk = open_desk(desk_context, web_server, staff_account, clock=True)
    search(desk, word)
    rows = desk.locator("#queue li.ticket")
    expect(rows).to_have_count(30)
    desk.locator("#queue").evaluate("list => { list.scrollTop = list.scrollHeight; }")
    scrolled = desk.locator("#queue").evaluate("list => list.scrollTop")
    assert scrolled > 0
    order = [rows.nth(i).get_attribute("data-ticket") for i in range(30)]
    newest = raise_ticket(tickets, reason=TicketReason.REQUEST, text=f"A brand new question {word}")
    desk.clock.fast_forward("00:11")  # the inbox's 10-second refresh
    expect(desk.get_by_role("button", name="1 new \u2014 show")).to_be_visible()
    assert [rows.nth(i).get_attribute("data-ticket") for i in range(rows.count())] == order
    assert desk.locator("#queue").evaluate("list => list.scrollTop") == scrolled
    desk.get_by_role("button", name="1 new \u2014 show").click()
    expect(rows.first).to_have_attribute("data-ticket", newest)
    expect(desk.locator("#new-items")).to_be_hidden()


def draft_card(page, question: str):
    return page.locator("#drafts article.draft", has_text=question)


def test_a_clinician_publishes_one_draft_into_the_registry_and_rejects_another(
        browser, desk_context, web_server, web_registry, staff_account, clinician_account, tickets, registry):
    word = marker()
    ticket = raise_ticket(tickets, reason=TicketReason.CLINICAL, text=f"how often is my pump refilled? {word}")
    desk = open_desk(desk_context, web_server, staff_account)
    search(desk, word)
    detail = open_ticket(desk, ticket)
    detail.get_by_label("Reply to the patient").fill("Usually every 1 to 3 months, at the clinic.")
    detail.get_by_role("button", name="Save reply as draft answer").click()
    expect(detail.get_by_role("status")).to_have_text("Draft saved for clinician review.")
    question = f"how often is my pump refilled? {word}"
    card = draft_card(desk, question)
    expect(card).to_contain_text("pending")
    expect(card.get_by_role("button", name="Approve and publish")).to_have_count(0)  # front desk cannot approve
    expect(desk.locator("#drafts-role")).to_contain_text("A clinician reviews these drafts")
    detail.get_by_label("Reply to the patient").fill("Call billing about Medicare.")
    detail.get_by_role("button", name="Save reply as draft answer").click()
    expect(desk.locator("#drafts article.draft", has_text="Call billing about Medicare.")).to_have_count(1)

    original = web_registry.read_text()
    context = browser.new_context(**DESK)
    try:
        clinician = context.new_page()
        clinician.goto(f"{web_server}/desk")
        signed_in(clinician, clinician_account)
        card = draft_card(clinician, "Usually every 1 to 3 months, at the clinic.")
        before = registry.answers["refills"]
        citation = before.citations[0]
        card.get_by_label("Becomes the next version of").select_option("refills")
        expect(card.get_by_label("Title")).to_have_value(before.title)
        lead = "Your pump is refilled at the clinic, usually every 1 to 3 months."
        card.get_by_label("SMS lead").fill(lead)
        card.get_by_label("Answer text").fill(lead + " Bring your pump card to each visit.")
        card.get_by_label("Source page").select_option(citation.page)
        card.get_by_label("Quoted sentences").fill("This sentence is not on the page at all.")
        card.get_by_role("button", name="Approve and publish").click()
        expect(card.get_by_role("list", name="Problems")).to_contain_text("not found word for word")
        assert web_registry.read_text() == original  # nothing written
        card.get_by_label("Quoted sentences").fill(citation.quotes[0])
        card.get_by_role("button", name="Approve and publish").click()
        published = draft_card(clinician, "Usually every 1 to 3 months, at the clinic.")
        expect(published).to_contain_text(f"approved by {clinician_account.name} as refills v{before.version + 1}")
        saved = next(a for a in yaml.safe_load(web_registry.read_text())["answers"] if a["id"] == "refills")
        assert (saved["version"], saved["sms"]) == (before.version + 1, lead)
        assert saved["sources"] == [{"page": citation.page, "quotes": [citation.quotes[0]]}]

        rejected = draft_card(clinician, "Call billing about Medicare.")
        rejected.get_by_label("Reason for rejecting").fill("Billing is not on an approved page – ask the office.")
        rejected.get_by_role("button", name="Reject").click()
        expect(rejected).to_contain_text(f"rejected by {clinician_account.name}: Billing is not on an approved page")
        audit = clinician.locator("#audit li")
        expect(audit.filter(has_text=f"{clinician_account.name} approved_draft")).to_have_count(1)
        expect(audit.filter(has_text=f"{clinician_account.name} rejected_draft")).to_have_count(1)
        assert serious_violations(clinician) == []
    finally:
        context.close()
