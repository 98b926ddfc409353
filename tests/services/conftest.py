"""The real PostgreSQL, Redis and RabbitMQ on loopback (make test-services)."""
from __future__ import annotations

import uuid

import pytest
from sqlalchemy import create_engine, text

POSTGRES_SERVER = "postgresql://postgres@127.0.0.1:5432"


@pytest.fixture(scope="module")
def postgres_url():
    """A database of its own for each test module, dropped afterwards."""
    name = f"pump_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(f"{POSTGRES_SERVER}/postgres", isolation_level="AUTOCOMMIT", pool_pre_ping=True)
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield f"{POSTGRES_SERVER}/{name}"
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()
