"""A real stack for end-to-end tests: action server and Rasa server as processes.

Started once per session from the trained model, on free loopback ports, with a
throwaway SQLite database shared by the actions and the in-process web service.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from pump_assistant.loopback import Request, serve_json
from tests.conftest import MODEL_PATH, ROOT
from tests.support.processes import free_port, start, start_actions, start_rasa, stop, wait_for_http

BIN = Path(sys.executable).parent
RASA_TOKEN = "integration-rasa-token"
TWILIO_SID = "AC" + "0" * 32
TWILIO_TOKEN = "integration-twilio-auth-token"
TWILIO_NUMBER = "+15550001111"


class FakeTwilio:
    """Twilio's Messages API on loopback: records what the assistant sends."""

    def __init__(self):
        self.sent = []
        self.server = serve_json(self._answer)
        self.url = self.server.url

    def _answer(self, request: Request):
        self.sent.append({"path": request.path, "auth": request.headers.get("Authorization"), **request.form()})
        return 201, {"sid": f"SM{len(self.sent):032d}"}

    def to(self, number: str) -> list[str]:
        return [m["Body"] for m in self.sent if m.get("To") == number]

    def wait_for(self, number: str, count: int = 1, seconds: float = 20) -> list[str]:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and len(self.to(number)) < count:
            time.sleep(0.1)
        return self.to(number)


@dataclass
class Stack:
    rasa_url: str
    env: dict
    twilio: "FakeTwilio"
    web_port: int

    def say(self, sender: str, message: str) -> list[dict]:
        return self._post("/webhooks/rest/webhook", {"sender": sender, "message": message})

    def texts(self, sender: str, message: str) -> list[str]:
        return [m.get("text", "") for m in self.say(sender, message)]

    def tracker(self, sender: str) -> dict:
        url = f"{self.rasa_url}/conversations/{sender}/tracker?token={RASA_TOKEN}"
        with urllib.request.urlopen(url, timeout=30) as response:
            return json.loads(response.read())

    def _post(self, path: str, payload: dict) -> list:
        request = urllib.request.Request(
            self.rasa_url + path, data=json.dumps(payload).encode(), headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())

    @staticmethod
    def new_sender() -> str:
        return "it-" + uuid.uuid4().hex[:12]


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    if not MODEL_PATH.exists():
        pytest.fail(f"no trained model at {MODEL_PATH}: run `make train` first")
    work = tmp_path_factory.mktemp("stack")
    action_port, rasa_port, web_port = free_port(), free_port(), free_port()
    twilio = FakeTwilio()
    env = {
        **os.environ,
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "DATABASE_URL": f"sqlite:///{work / 'stack.db'}",
        "OUTBOX_DIR": str(work / "outbox"),
        "CLINIC_PHONE": "(555) 010-0199",
        "RASA_TOKEN": RASA_TOKEN,
        "TWILIO_ACCOUNT_SID": TWILIO_SID,
        "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
        "TWILIO_NUMBER": TWILIO_NUMBER,
        "TWILIO_API_BASE": twilio.url,
        "TWILIO_WEBHOOK_URL": f"http://127.0.0.1:{rasa_port}/webhooks/sms/webhook",
        "ALLOWED_ORIGINS": f"http://127.0.0.1:{web_port}",
        "RASA_URL": f"http://127.0.0.1:{rasa_port}",
        "RASA_PUBLIC_URL": f"http://127.0.0.1:{rasa_port}",
        "DESK_API_TOKEN": "integration-desk-token",
        # The suite sends hundreds of messages from one address within a minute.
        "RATE_LIMIT_PER_IP": "0",
    }
    # The project's own endpoints.yml (its tracker store, as `make run` uses it) on throwaway files.
    endpoints = work / "endpoints.yml"
    configured = yaml.safe_load((ROOT / "endpoints.yml").read_text())
    configured["action_endpoint"] = {"url": f"http://127.0.0.1:{action_port}/webhook"}
    configured["tracker_store"]["db"] = str(work / "conversations.db")
    endpoints.write_text(yaml.safe_dump(configured))
    processes = []
    try:
        processes.append(start_actions(action_port, env, work / "actions.log"))
        processes.append(
            start_rasa(rasa_port, endpoints, env, work / "rasa.log", RASA_TOKEN, cors=f"http://127.0.0.1:{web_port}")
        )
        yield Stack(rasa_url=f"http://127.0.0.1:{rasa_port}", env=env, twilio=twilio, web_port=web_port)
    finally:
        twilio.server.close()
        for process in processes:
            stop(process)


@pytest.fixture(scope="session")
def tickets(stack):
    """The hand-off tickets the stack's action server writes, read through the shared storage package."""
    from pump_assistant.storage.database import open_database
    from pump_assistant.storage.tickets import TicketStore

    class LandedTickets(TicketStore):
        """An emergency ticket is written just after the 911 reply: wait for it to land.

        Up to 20 s: the 5 s it used to wait were flaky on a loaded machine (the whole
        suite, a browser). A ticket that never lands still fails the test.
        """

        def active_for(self, sender_id):
            deadline = time.monotonic() + 20
            while (found := super().active_for(sender_id)) is None and time.monotonic() < deadline:
                time.sleep(0.05)
            return found

    return LandedTickets(open_database(stack.env["DATABASE_URL"]), Path(stack.env["OUTBOX_DIR"]))


@pytest.fixture(scope="session")
def web_registry(tmp_path_factory) -> Path:
    """The web service's copy of the answer registry: a clinician approving a draft rewrites it, never content/."""
    import shutil

    copy = tmp_path_factory.mktemp("registry") / "answers.yml"
    shutil.copy(ROOT / "content" / "answers.yml", copy)
    return copy


@pytest.fixture(scope="session")
def web_server(stack, tmp_path_factory, web_registry):
    """The web service as its own process, for the browser."""
    log = tmp_path_factory.mktemp("web") / "web.log"
    env = {**stack.env, "ANSWER_REGISTRY": str(web_registry)}
    process = start([sys.executable, "-m", "webservice", "--port", str(stack.web_port)], env, log)
    try:
        wait_for_http(f"http://127.0.0.1:{stack.web_port}/health", process, log, seconds=60)
        yield f"http://127.0.0.1:{stack.web_port}"
    finally:
        stop(process)


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium driven by Playwright (the system's /usr/bin/chromium)."""
    from playwright import sync_api

    from tests.support.browser import CHROMIUM, FLAGS

    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is not installed: apt-get install chromium chromium-driver")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, web_server):
    """The demo clinic page with the chat widget, in a fresh browser context (a new patient)."""
    from tests.support.browser import open_page

    with open_page(browser, f"{web_server}/demo") as page:
        yield page


@dataclass
class StaffAccount:
    username: str
    name: str
    password: str


def create_account(stack, account: StaffAccount, *role: str) -> StaffAccount:
    result = subprocess.run(
        [sys.executable, "-m", "webservice.accounts", "create", account.username, "--name", account.name, *role],
        cwd=ROOT, env={**stack.env, "DESK_NEW_PASSWORD": account.password},
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert f"created {account.username}" in result.stdout
    return account


@pytest.fixture(scope="session")
def staff_account(stack) -> StaffAccount:
    """A front-desk account, created the way the clinic does it: `python -m webservice.accounts create`."""
    return create_account(stack, StaffAccount("ana", "Nurse Ana", "correct horse battery staple"))


@pytest.fixture(scope="session")
def clinician_account(stack) -> StaffAccount:
    """A clinician, who may approve draft answers: `python -m webservice.accounts create ... --role clinician`."""
    return create_account(stack, StaffAccount("drlee", "Dr. Zoë Lee", "a long clinician passphrase"), "--role", "clinician")
