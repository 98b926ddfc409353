"""Process-wide resources, created on first use (never at import time)."""
from __future__ import annotations

from functools import lru_cache

from pump_assistant.config import get_settings
from pump_assistant.content import Registry, load_registry
from pump_assistant.storage.database import Database, open_database


@lru_cache(maxsize=1)
def registry() -> Registry:
    return load_registry(get_settings().registry_path)


@lru_cache(maxsize=1)
def database() -> Database:
    return open_database(get_settings().database_url)
