"""The chat widget as a patient uses it, in headless Chromium (Playwright)."""
from __future__ import annotations

from pathlib import Path

import pytest

playwright = pytest.importorskip("playwright.sync_api")
from axe_playwright_python.sync_playwright import Axe  # noqa: E402


CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is not installed: apt-get install chromium chromium-driver")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, web_server):
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{web_server}/demo")
    yield page
    context.close()


def ask(page, text: str) -> None:
    page.fill("#pc-input", text)
    page.press("#pc-input", "Enter")


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


def test_emergency_reply_is_unmissable(page):
    page.click(".pc-launcher")
    ask(page, "I can't breathe")
    urgent = page.locator(".pc-urgent")
    urgent.wait_for(timeout=20000)
    assert "911" in urgent.inner_text()
    assert urgent.get_attribute("role") == "alert"


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
    results = Axe().run(page)
    serious = [v["id"] for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == []


def test_input_is_readable_size_and_messages_are_text_not_html(page):
    page.click(".pc-launcher")
    assert page.evaluate("parseFloat(getComputedStyle(document.querySelector('#pc-input')).fontSize)") >= 16
    ask(page, "<img src=x onerror=alert(1)> hello")
    page.locator(".pc-user", has_text="<img src=x").wait_for(timeout=5000)
    assert page.locator(".pc-log img").count() == 0
