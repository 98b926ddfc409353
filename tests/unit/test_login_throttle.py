"""The sign-in throttle on its own: windows, locks, resets, and Redis falling back to the process."""
from __future__ import annotations

import socket

import redis

from pump_assistant.config import load_settings
from pump_assistant.login_throttle import LoginThrottle, locked_message


class Clock:
    def __init__(self):
        self.now = 50.0

    def __call__(self):
        return self.now


def throttle(clock, **kw):
    settings = {"max_failures": 3, "max_failures_per_ip": 5, "window_seconds": 60, "lockout_seconds": 300}
    return LoginThrottle(**{**settings, **kw}, clock=clock)


def test_failures_spread_beyond_the_window_do_not_lock():
    clock = Clock()
    t = throttle(clock)
    for _ in range(6):
        assert t.failed("ana", "198.51.100.7") == []
        clock.now += 31  # two failures per 60 s window at most
    assert t.check("ana", "198.51.100.7").allowed


def test_lock_reports_once_and_holds_for_the_lockout():
    clock = Clock()
    t = throttle(clock)
    assert t.failed("ana", "198.51.100.7") == [] and t.failed("ana", "198.51.100.8") == []
    (lockout,) = t.failed("ana", "203.0.113.9")
    assert (lockout.kind, lockout.subject, lockout.failures, lockout.seconds) == ("account", "ana", 3, 300)
    decision = t.check("ana", "192.0.2.1")  # any address
    assert not decision.allowed and decision.retry_after == 300
    clock.now += 299.5
    assert t.check("ana", "192.0.2.1").retry_after == 1
    clock.now += 1
    assert t.check("ana", "192.0.2.1").allowed
    assert t.failed("ana", "192.0.2.1") == []  # a fresh count after the lock


def test_address_limit_counts_every_username():
    clock = Clock()
    t = throttle(clock, max_failures=100)
    found = [t.failed(name, "2001:db8::1") for name in ("ana", "ben", "zoë", "李", "+15125550143")]
    assert found[:4] == [[], [], [], []] and [(l.kind, l.subject) for l in found[4]] == [("ip", "2001:db8::1")]
    assert not t.check("someone-else", "2001:db8::1").allowed
    assert t.check("someone-else", "2001:db8::2").allowed


def test_success_clears_the_account_count_only():
    clock = Clock()
    t = throttle(clock, max_failures_per_ip=4)
    t.failed("ana", "198.51.100.7")
    t.failed("ana", "198.51.100.7")
    t.succeeded("ana")
    t.failed("ana", "198.51.100.7")
    assert t.check("ana", "198.51.100.7").allowed
    (lockout,) = t.failed("ana", "198.51.100.7")  # 4th from this address: the address count was not cleared
    assert lockout.kind == "ip"


def test_memory_is_bounded():
    t = throttle(Clock(), max_failures=2, max_failures_per_ip=0)
    t._memory._max_keys = 100
    for i in range(1000):
        t.failed(f"user{i}", "x")
        t.failed(f"user{i}", "x")
    assert len(t._memory._failures) <= 100 and len(t._memory._locks) <= 100


def test_message_says_how_long():
    assert "15 minutes" in locked_message(900) and "1 minute;" in locked_message(20)


def test_settings_defaults_and_environment(monkeypatch):
    for name in ("LOGIN_MAX_FAILURES", "LOGIN_MAX_FAILURES_PER_IP", "LOGIN_FAILURE_WINDOW_SECONDS", "LOGIN_LOCKOUT_SECONDS"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings()
    assert (settings.login_max_failures, settings.login_max_failures_per_ip,
            settings.login_failure_window_seconds, settings.login_lockout_seconds) == (5, 20, 900, 900)
    monkeypatch.setenv("LOGIN_MAX_FAILURES", "8")
    monkeypatch.setenv("LOGIN_LOCKOUT_SECONDS", "60")
    settings = load_settings()
    assert settings.login_max_failures == 8 and settings.login_lockout_seconds == 60


def test_an_unreachable_redis_falls_back_to_counting_in_the_process():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    client = redis.Redis(host="127.0.0.1", port=port, socket_timeout=0.2, socket_connect_timeout=0.2)
    t = LoginThrottle(max_failures=2, max_failures_per_ip=0, window_seconds=60, lockout_seconds=60,
                      redis_client=client, clock=Clock())
    assert t.check("ana", "x").allowed
    assert t.failed("ana", "x") == []
    assert [l.kind for l in t.failed("ana", "x")] == ["account"]
    assert not t.check("ana", "x").allowed
