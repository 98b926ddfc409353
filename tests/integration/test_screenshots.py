"""docs/screenshots/*.png from the real stack: `make screenshots` (deselected from ordinary runs, see tests/conftest.py)."""
from __future__ import annotations

import base64
import re

import pytest

from playwright.sync_api import expect

from tests.conftest import ROOT
from tests.support.browser import ask, open_page, ticket_for

pytestmark = pytest.mark.screenshots
OUT = ROOT / "docs" / "screenshots"
WAIT = 30000
# Still pictures: no smooth scrolling or fades caught half-way.
STILL = {"reduced_motion": "reduce", "device_scale_factor": 1}


@pytest.fixture(scope="module", autouse=True)
def out_dir():
    OUT.mkdir(parents=True, exist_ok=True)


def side_by_side(browser, shots: list[tuple[str, bytes]], path) -> None:
    """One PNG of several real screenshots next to each other, each with a caption."""
    figures = "".join(
        f'<figure><figcaption>{caption}</figcaption><img src="data:image/png;base64,{base64.b64encode(png).decode()}"></figure>'
        for caption, png in shots
    )
    style = ("body{margin:0;padding:12px;background:#d9d9d9;display:flex;gap:12px;font:600 16px system-ui,sans-serif}"
             "figure{margin:0}figcaption{padding:0 0 6px}img{display:block;border:1px solid #999}")
    with open_page(browser, "about:blank", device_scale_factor=1) as page:
        page.set_content(f"<!doctype html><style>{style}</style><body>{figures}</body>")
        page.screenshot(path=str(path), full_page=True)


def test_widget(browser, web_server, registry):
    # The panel (at most 36rem high) cannot show a whole answer and the emergency reply after it at once,
    # so the picture is two moments of one conversation: the answer scrolled into view, then the emergency.
    with open_page(browser, f"{web_server}/demo", viewport={"width": 720, "height": 860}, **STILL) as page:
        page.click(".pc-launcher")
        ask(page, "how long does the battery last?")
        answer = page.locator(".pc-bot", has_text=registry.answers["battery"].text[:40])
        answer.wait_for(timeout=WAIT)
        expect(answer.locator(".pc-source")).to_have_text(re.compile("^Source: "))
        page.locator(".pc-bot", has_text="Did this answer help?").wait_for(timeout=WAIT)
        page.locator("#pc-input").blur()
        answer.evaluate("node => node.scrollIntoView({block: 'start'})")
        answered = page.screenshot()
        ask(page, "I can't breathe")
        # (The greeting, which mentions 911, is also .pc-urgent: wait for the emergency reply itself.)
        page.locator(".pc-bot.pc-urgent", has_text="This could be an emergency").wait_for(timeout=WAIT)
        expect(page.locator(".pc-typing")).to_be_hidden()
        page.locator("#pc-input").blur()
        emergency = page.screenshot()
    side_by_side(browser, [("An answer with its source", answered), ("Then: \u201cI can\u2019t breathe\u201d", emergency)],
                 OUT / "widget.png")


def test_desk(browser, stack, web_server, staff_account):
    # Two hand-offs: an emergency, and a clinical question after an answered one (a transcript with turns).
    stack.texts(stack.new_sender(), "I can't breathe")
    sender = stack.new_sender()
    stack.texts(sender, "how is the pump refilled?")
    stack.texts(sender, "can I take ibuprofen with my pump?")
    assert ticket_for(stack, web_server, sender) is not None
    with open_page(browser, f"{web_server}/desk", viewport={"width": 1400, "height": 1000}, **STILL) as desk:
        desk.get_by_label("Username").fill(staff_account.username)
        desk.get_by_label("Password").fill(staff_account.password)
        desk.get_by_role("button", name="Sign in").click()
        expect(desk.locator("#who")).to_have_text(f"Signed in as {staff_account.name}")
        desk.get_by_label("Patient's question").fill("how long does the battery last?")
        desk.get_by_role("button", name="Find answer").click()
        expect(desk.locator("#answers article.answer")).to_have_count(1)
        # The clinical question open in the detail view: its transcript beside the inbox's list.
        ticket = ticket_for(stack, web_server, sender)
        desk.locator(f"#queue li.ticket[data-ticket='{ticket['id']}'] button.open").click()
        expect(desk.locator("#detail .transcript li").first).to_be_visible()
        desk.screenshot(path=str(OUT / "desk.png"), full_page=True)
