"""Process-wide resources, created on first use (never at import time)."""

from __future__ import annotations

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
_lock = threading.Lock()


def after_reply(work: Callable[[], Any]) -> Future:
    """Run work that must not delay a reply (the emergency ticket) on a worker thread, at once."""
    global _after_reply
    with _lock:
        if _after_reply is None:
            _after_reply = ThreadPoolExecutor(max_workers=2, thread_name_prefix="after-reply")
        future = _after_reply.submit(work)
        _pending.add(future)
    future.add_done_callback(_pending.discard)
    return future


def drain(timeout: float = 10.0) -> None:
    """Wait for work handed to :func:`after_reply` (tests, shutdown)."""
    wait(list(_pending), timeout=timeout)


def clear() -> None:
    """Forget every cached resource (tests, or a settings change)."""
    drain()
    for cached in (registry, database, tickets, clinic_hours, get_settings):
        cached.cache_clear()
