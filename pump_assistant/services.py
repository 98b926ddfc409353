"""Process-wide resources, created on first use (never at import time)."""

from __future__ import annotations

import asyncio
import atexit
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from functools import lru_cache
from typing import Any

from pump_assistant.config import get_settings
from pump_assistant.content import Registry, load_registry
from pump_assistant.hours import ClinicHours
from pump_assistant.storage.database import Database, open_database
from pump_assistant.storage.tickets import TicketStore

logger = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def registry() -> Registry:
    return load_registry(get_settings().registry_path)


@lru_cache(maxsize=1)
def database() -> Database:
    return open_database(get_settings().database_url)


@lru_cache(maxsize=1)
def tickets() -> TicketStore:
    return TicketStore(database(), get_settings().outbox_dir)


@lru_cache(maxsize=1)
def clinic_hours() -> ClinicHours:
    settings = get_settings()
    return ClinicHours.parse(settings.clinic_hours, settings.clinic_timezone)


_after_reply: ThreadPoolExecutor | None = None
_pending: set[Future] = set()
_waiting: dict[Future, Callable[[], Any]] = {}  # handed over, not started yet
_lock = threading.Lock()


def after_reply(work: Callable[[], Any]) -> Future:
    """Run work that must not delay a reply (the emergency ticket) on a worker thread, once the reply is out.

    Called from a running event loop (the action server runs an action's ``run`` on
    its loop), the work starts only when the loop next gets control: after the action
    has returned its reply and the web server has written it back to Rasa (rasa-sdk
    builds and sends the answer without giving the loop back in between). So the
    ticket's database write neither holds the reply back nor competes with it for
    the interpreter. Without a running loop, it starts at once. Nothing is dropped:
    :func:`drain` starts whatever is still waiting, and a failure is logged.
    """
    future: Future = Future()
    with _lock:
        _pending.add(future)
        _waiting[future] = work
    future.add_done_callback(_pending.discard)
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        _start(future)
        return future
    try:
        loop.call_soon(_start, future)
    except RuntimeError:  # the loop is closing: start it now rather than never
        _start(future)
    return future


def _start(future: Future) -> None:
    global _after_reply
    with _lock:
        work = _waiting.pop(future, None)
        if work is None:  # already started (by drain)
            return
        if _after_reply is None:
            _after_reply = ThreadPoolExecutor(max_workers=2, thread_name_prefix="after-reply")
        executor = _after_reply
    try:
        executor.submit(_run, work, future)
    except RuntimeError:  # the interpreter is shutting down: no new threads, so here and now
        _run(work, future)


def _run(work: Callable[[], Any], future: Future) -> None:
    if not future.set_running_or_notify_cancel():
        return
    try:
        future.set_result(work())
    except BaseException as exc:
        logger.exception("work handed over after a reply failed")
        future.set_exception(exc)


def drain(timeout: float = 10.0) -> None:
    """Start work handed to :func:`after_reply` that is still waiting for its loop, and wait for all of it
    (tests, shutdown)."""
    with _lock:
        waiting = list(_waiting)
    for future in waiting:
        _start(future)
    wait(list(_pending), timeout=timeout)


atexit.register(drain)


def clear() -> None:
    """Forget every cached resource (tests, or a settings change)."""
    drain()
    for cached in (registry, database, tickets, clinic_hours, get_settings):
        cached.cache_clear()
