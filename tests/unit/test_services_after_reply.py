"""services.after_reply: work that must not delay a reply starts once the reply is out, and is never lost."""
from __future__ import annotations

import asyncio
import logging
import threading

from pump_assistant import services


def test_without_an_event_loop_the_work_starts_at_once():
    ran = threading.Event()
    services.after_reply(ran.set)
    assert ran.wait(5)


def test_on_an_event_loop_the_work_waits_until_the_loop_has_control_again():
    ran = threading.Event()

    async def turn():
        services.after_reply(ran.set)
        assert not ran.wait(0.3)  # the caller's turn is not over: nothing started
        await asyncio.sleep(0)
        return ran.wait(5)

    assert asyncio.run(turn())


def test_drain_starts_work_still_waiting_for_its_loop_and_it_runs_once():
    runs = []

    async def turn():
        services.after_reply(lambda: runs.append(1))
        services.drain()  # e.g. at shutdown, before the loop came back
        assert runs == [1]
        await asyncio.sleep(0)  # the loop's own start finds nothing left to do

    asyncio.run(turn())
    services.drain()
    assert runs == [1]


def test_a_failure_is_logged_not_swallowed(caplog):
    def fails():
        raise RuntimeError("database on fire")

    with caplog.at_level(logging.ERROR, logger="pump_assistant.services"):
        future = services.after_reply(fails)
        services.drain()
    assert isinstance(future.exception(), RuntimeError)
    assert any("after a reply failed" in r.getMessage() and r.exc_info for r in caplog.records)
