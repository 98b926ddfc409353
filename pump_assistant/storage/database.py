"""Engine, sessions and schema migrations for the project's database.

SQLite file by default; PostgreSQL (or any SQLAlchemy URL) when DATABASE_URL
names it. Nothing connects until a service calls :func:`open_database`.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
# Alembic keeps its context in module globals: one migration at a time per process.
_MIGRATION_LOCK = threading.Lock()


def _engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            try:
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            except OSError:
                pass  # reported as an OperationalError on first use, like any unreachable database
        # Several processes (action server, web service) share the file.
        return create_engine(url, future=True, connect_args={"timeout": 15})
    return create_engine(url, future=True, pool_pre_ping=True)


class Database:
    def __init__(self, url: str):
        self.url = url
        self.engine = _engine(url)
        self._sessions = sessionmaker(self.engine, future=True, expire_on_commit=False)
        self._migrated = False

    def migrate(self) -> None:
        """Bring the schema to the newest migration."""
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS_DIR))
        with _MIGRATION_LOCK, self.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
        self._migrated = True

    @contextmanager
    def session(self) -> Iterator[Session]:
        if not self._migrated:  # first use, or the database was down until now
            self.migrate()
        with self._sessions() as session:
            with session.begin():
                yield session

    def dispose(self) -> None:
        self.engine.dispose()


def open_database(url: str, migrate: bool = False) -> Database:
    """A handle on the database; the schema is migrated now or on first use."""
    database = Database(url)
    if migrate:
        database.migrate()
    return database


def pseudonymise(sender_id: str) -> str:
    """A stable reference to a conversation that does not reveal a phone number."""
    return hashlib.sha256(f"pump-assistant:{sender_id}".encode()).hexdigest()[:24]
