"""Purge what the clinic no longer needs to keep.

    python -m pump_assistant.retention [--days N] [--dry-run]
    make purge DAYS=N [DRY_RUN=1]

Removes resolved hand-off tickets (with their messages and transcripts),
conversation records (answer feedback, unanswered questions, SMS state), audit
entries and Rasa's stored conversations older than N days (default
``RETENTION_DAYS``, 365), and prints how many of each went. Open and claimed
tickets stay whatever their age, and so does the conversation of each. With
``--dry-run`` it only counts. What is purged and what is kept:
:mod:`pump_assistant.storage.retention`. Run it daily (cron, a systemd timer).

The tracker store is the one Rasa is configured with (``tracker_store`` in
``endpoints.yml``, ``${VAR}`` read from the environment as Rasa does, e.g.
``--endpoints deploy/endpoints.production.yml``), or ``--tracker-url``.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

import sqlalchemy as sa
import yaml
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from pump_assistant.config import PROJECT_ROOT, get_settings
from pump_assistant.storage.database import open_database
from pump_assistant.storage.models import AuditEntry
from pump_assistant.storage.retention import (
    active_ticket_senders,
    cutoff_for,
    purge_conversations,
    purge_records,
)

_ENV_REFERENCE = re.compile(r"\$\{([^}]+)\}")
SQL_TRACKER_STORES = ("sql", "pump_assistant.rasa_ext.stores.sql.ResilientSQLTrackerStore")


def tracker_store_url(endpoints: Path, environ: Mapping[str, str] = os.environ) -> str | None:
    """The SQLAlchemy URL of the SQL tracker store an endpoints file configures; None for any other store."""
    config = yaml.safe_load(endpoints.read_text(encoding="utf-8")) or {}
    store = config.get("tracker_store") or {}
    if str(store.get("type", "")).lower() not in {t.lower() for t in SQL_TRACKER_STORES}:
        return None

    def value(key: str, default: str | None = None) -> str | None:
        raw = store.get(key, default)
        if raw is None:
            return None
        return _ENV_REFERENCE.sub(lambda m: environ.get(m.group(1), ""), str(raw)) or None

    dialect = value("dialect", "sqlite")
    if dialect == "sqlite":
        # An empty value (an unset variable) is Rasa's own default.
        db = Path(value("db", "rasa.db") or "rasa.db")
        # `make run` starts Rasa in the project directory: a relative path is from there.
        return f"sqlite:///{db if db.is_absolute() else PROJECT_ROOT / db}"
    port = value("port")
    return sa.engine.URL.create(
        drivername=dialect,
        username=value("username"),
        password=value("password"),
        host=value("url"),
        port=int(port) if port else None,
        database=value("db"),
    ).render_as_string(hide_password=False)


def _shown(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def _sqlite_file_missing(url: str) -> bool:
    parsed = make_url(url)
    return parsed.get_backend_name() == "sqlite" and bool(parsed.database) and not Path(parsed.database).exists()


def main(argv: Sequence[str] | None = None) -> int:
    settings = get_settings()
    parser = argparse.ArgumentParser(
        prog="python -m pump_assistant.retention",
        description="Purge resolved tickets, conversation records and transcripts, and audit entries older than N days.",
    )
    parser.add_argument(
        "--days",
        type=int,
        default=settings.retention_days,
        help=f"keep this many days (default: RETENTION_DAYS, now {settings.retention_days})",
    )
    parser.add_argument("--dry-run", action="store_true", help="count what would be purged; delete nothing")
    parser.add_argument(
        "--database-url", default=settings.database_url, help="the project database (default: DATABASE_URL)"
    )
    parser.add_argument(
        "--endpoints",
        type=Path,
        default=PROJECT_ROOT / "endpoints.yml",
        help="Rasa endpoints file naming the tracker store (default: endpoints.yml)",
    )
    parser.add_argument("--tracker-url", help="SQLAlchemy URL of Rasa's tracker store, instead of --endpoints")
    parser.add_argument("--no-conversations", action="store_true", help="leave Rasa's tracker store alone")
    args = parser.parse_args(argv)
    if args.days < 1:
        parser.error("--days must be at least 1")

    cutoff = cutoff_for(args.days)
    print(
        f"Retention {args.days} days: purging what is older than {cutoff:%Y-%m-%d %H:%M} UTC"
        + (" (dry run: nothing is deleted)." if args.dry_run else ".")
    )
    try:
        database = open_database(args.database_url)
        with database.session() as session:
            report = purge_records(session, cutoff, dry_run=args.dry_run)
            keep = active_ticket_senders(session)
    except SQLAlchemyError as error:
        print(
            f"error: the database at {_shown(args.database_url)} is unavailable: {type(error).__name__}",
            file=sys.stderr,
        )
        return 1

    tracker_url = None
    if not args.no_conversations:
        tracker_url = args.tracker_url or (tracker_store_url(args.endpoints) if args.endpoints.exists() else None)
        if tracker_url is None:
            print(f"(no SQL tracker store in {args.endpoints}: stored conversations left alone)")
        elif _sqlite_file_missing(tracker_url):
            tracker_url = None  # nothing stored yet; never create the file
    if tracker_url:
        try:
            engine = sa.create_engine(tracker_url, future=True)
            try:
                with engine.begin() as connection:
                    report.counts.update(
                        purge_conversations(connection, cutoff, keep_senders=keep, dry_run=args.dry_run)
                    )
            finally:
                engine.dispose()
        except SQLAlchemyError as error:
            print("\n".join(report.lines()))
            print(
                f"error: the tracker store at {_shown(tracker_url)} is unavailable: {type(error).__name__}",
                file=sys.stderr,
            )
            return 1

    print("\n".join(report.lines()))
    if not args.dry_run:
        summary = ", ".join(f"{count} {label}" for label, count in report.counts.items() if count)
        with database.session() as session:
            session.add(
                AuditEntry(
                    actor="retention",
                    action="purge",
                    subject=f"{args.days} days",
                    detail=(summary or "nothing to purge")[:500],
                )
            )
    database.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
