"""Process-wide resources, created on first use (never at import time)."""
from __future__ import annotations

from functools import lru_cache

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


def clear() -> None:
    """Forget every cached resource (tests, or a settings change)."""
    for cached in (registry, database, tickets, clinic_hours, get_settings):
        cached.cache_clear()
