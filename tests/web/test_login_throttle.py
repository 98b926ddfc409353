"""Desk sign-in throttling through POST /desk/api/login: lockout, the audit entry, reset on success."""
from __future__ import annotations

import dataclasses
import itertools

import pytest

from pump_assistant.login_throttle import LoginThrottle
from pump_assistant.storage.database import open_database
from pump_assistant.storage.staff import StaffDirectory
from webservice.app import create_app

PASSWORD = "correct horse battery"
_names = itertools.count()


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def directory(web_settings):
    directory = StaffDirectory(open_database(web_settings.database_url))
    directory.create_account("ana", "Nurse Ana", PASSWORD)
    directory.create_account("zoe.m", "Zoë Müller", PASSWORD + "!")
    return directory


def app_with(settings, **limits):
    defaults = {"login_max_failures": 3, "login_max_failures_per_ip": 50,
                "login_failure_window_seconds": 600, "login_lockout_seconds": 900}
    return create_app(dataclasses.replace(settings, **{**defaults, **limits}), name=f"pump_web_throttle_{next(_names)}")


async def sign_in(app, username="ana", password=PASSWORD):
    request, response = await app.asgi_client.post("/desk/api/login", json={"username": username, "password": password})
    response.client_address = request.remote_addr or request.ip  # what the route counts by
    return response


def lockouts(directory):
    return [e for e in directory.audit_log() if e["action"] == "login_locked"]


async def test_repeated_wrong_passwords_lock_the_account_and_are_audited(web_settings, directory):
    app = app_with(web_settings)
    assert [(await sign_in(app, password=f"wrong password {i}")).status for i in range(2)] == [401, 401]
    locked = await sign_in(app, password="wrong password 3")
    assert locked.status == 429 and locked.client_address
    assert locked.json["error"] == "locked" and "Too many failed sign-ins" in locked.json["detail"]
    assert "15 minutes" in locked.json["detail"] and locked.json["retry_after"] == 900
    assert locked.headers["retry-after"] == "900"
    # The right password is refused while the lock holds, and sets no session.
    refused = await sign_in(app)
    assert refused.status == 429 and "desk_session" not in refused.headers.get("set-cookie", "")
    assert 0 < int(refused.headers["retry-after"]) <= 900
    entries = lockouts(directory)
    assert len(entries) == 1
    assert entries[0]["actor"] == "sign-in throttle" and entries[0]["subject"] == "ana"
    assert "after 3 failed sign-ins" in entries[0]["detail"] and locked.client_address in entries[0]["detail"]
    # Another account is not affected.
    assert (await sign_in(app, "zoe.m", PASSWORD + "!")).status == 200


async def test_a_success_resets_the_count(web_settings, directory):
    app = app_with(web_settings)
    for _ in range(2):
        assert (await sign_in(app, password="nope nope nope")).status == 401
    assert (await sign_in(app)).status == 200
    for _ in range(2):
        assert (await sign_in(app, password="nope nope nope")).status == 401
    assert (await sign_in(app)).status == 200
    assert lockouts(directory) == []


async def test_the_username_is_counted_however_it_is_typed(web_settings, directory):
    app = app_with(web_settings)
    for username in ("ana", "ANA", " Ana "):
        response = await sign_in(app, username, "nope nope nope")
    assert response.status == 429
    assert (await sign_in(app, "ana")).status == 429


async def test_the_lock_ends_after_the_lockout_time(web_settings, directory):
    app = app_with(web_settings)
    clock = Clock()
    app.ctx.login_throttle = LoginThrottle(max_failures=3, max_failures_per_ip=50, window_seconds=600,
                                           lockout_seconds=900, clock=clock)
    for _ in range(3):
        await sign_in(app, password="nope nope nope")
    clock.now += 899
    assert (await sign_in(app)).status == 429
    clock.now += 2
    assert (await sign_in(app)).status == 200


async def test_failures_from_one_address_lock_that_address(web_settings, directory):
    app = app_with(web_settings, login_max_failures=10, login_max_failures_per_ip=3)
    responses = [await sign_in(app, username, "guess-123456") for username in ("ana", "zoë", "no-such-user")]
    assert [r.status for r in responses] == [401, 401, 429]
    # Every account is refused from that address, with the right password too.
    assert (await sign_in(app, "zoe.m", PASSWORD + "!")).status == 429
    entries = lockouts(directory)
    assert [e["subject"] for e in entries] == [responses[-1].client_address] and entries[0]["detail"].startswith("ip locked")


async def test_zero_turns_the_limits_off(web_settings, directory):
    app = app_with(web_settings, login_max_failures=0, login_max_failures_per_ip=0)
    assert {(await sign_in(app, password="nope nope nope")).status for _ in range(8)} == {401}
    assert (await sign_in(app)).status == 200
