"""Rasa's SQL tracker store, made to survive a database restart without losing events.

Stock ``SQLTrackerStore`` (Rasa 3.6):

* keeps pooled connections that are dead after the database restarts, so the
  next message fails; and Rasa's fail-safe wrapper then carries on with an
  in-memory tracker whose events never reach the database;
* runs synchronous SQLAlchemy inside the async handler, stalling every other
  conversation on the same process for the length of each query;
* reads the whole conversation a second time on every save just to find which
  events to publish to the event broker;
* reads and rebuilds the whole conversation from the database on every
  message (a third of the server's time under load, measured with py-spy),
  and hands all of it to the dialogue engine, which slows down as the
  conversation grows.

This store tests connections before use, retries a failed read or write with
back-off for ``retry_seconds`` (a restart takes a few seconds), keeps a
tracker it could not write in memory and writes it on the next access, runs
the queries in a worker thread, and publishes to the broker exactly the events
it has just stored. It keeps the conversations it has just saved in memory and
reuses one when the database holds nothing newer for it (one indexed query
instead of reading and rebuilding every event; another instance's write is
seen), and gives the dialogue engine the last ``history_turns`` turns of a long
conversation (:mod:`history_window`). On a SQLite file it writes through SQLite's
write-ahead log on a small pool of open connections (a third more messages per
second under load than a new connection and a rollback journal per query).
Configure it in endpoints.yml with
``type: pump_assistant.rasa_ext.stores.sql.ResilientSQLTrackerStore`` and the
same keys as ``type: SQL``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Text, Tuple, TypeVar

import sqlalchemy as sa
from rasa.shared.core.events import Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from pump_assistant.rasa_ext.adapters.rasa_private import SQLTrackerStoreHooks, create_engine_kwargs
from pump_assistant.rasa_ext.stores.history_window import bounded_events, new_events, view_prefix

logger = logging.getLogger(__name__)

T = TypeVar("T")
_CONNECTION_ERRORS = (sa.exc.OperationalError, sa.exc.InterfaceError)


def _is_connection_error(error: Exception) -> bool:
    return isinstance(error, _CONNECTION_ERRORS) or (
        isinstance(error, sa.exc.DBAPIError) and bool(getattr(error, "connection_invalidated", False))
    )


def _sqlite_write_ahead_log(connection: Any, _record: Any) -> None:
    """SQLite's write-ahead log: a commit appends to one file (one sync) instead of journalling
    the pages it changes (several), and readers (the desk, Rasa's HTTP API) never wait on a writer.
    ``synchronous=FULL`` keeps every committed message through a power loss."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


@dataclass(frozen=True)
class Stored:
    """What the database holds of a conversation, as this process last wrote it."""

    newest: int  # id of its newest stored event
    started: Optional[float]  # timestamp of its latest stored `session_started`, if any
    count: Optional[int]  # events stored since then; None: not known (ask the database)


class ResilientSQLTrackerStore(SQLTrackerStoreHooks):
    def __init__(
        self,
        *args: Any,
        retry_seconds: float = 30.0,
        # The policies look back 4 turns (max_history); staff read the whole conversation, the
        # console reading the turns before a ticket's own from this store.
        history_turns: int = 4,
        recent_conversations: int = 2000,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        url = self.engine.url  # type: ignore[has-type]  # Rasa's SQLTrackerStore leaves it unannotated
        self.engine.dispose()  # type: ignore[has-type]
        if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
            # (An in-memory database keeps SQLAlchemy's own pool: each connection would be a database.)
            # SQLAlchemy 1.4 opens a new SQLite connection per session (NullPool): with a worker
            # thread per query, that was a connect and its pragmas on every query. A small pool of
            # connections, each used by one thread at a time, keeps them open.
            self.engine = sa.create_engine(
                url,
                poolclass=sa.pool.QueuePool,
                pool_size=4,
                max_overflow=8,
                connect_args={"check_same_thread": False},
            )
            sa.event.listen(self.engine, "connect", _sqlite_write_ahead_log)
        else:
            # pool_pre_ping: a connection that died with a database restart is replaced, not used.
            self.engine = sa.create_engine(url, pool_pre_ping=True, **create_engine_kwargs(url))
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        self._add_indexes()
        self.retry_seconds = float(retry_seconds)
        self.history_turns = int(history_turns)
        self._unsaved: Dict[Text, DialogueStateTracker] = {}
        # sender -> (what is stored of it, the tracker as saved); least recent first
        self._recent: "OrderedDict[Text, Tuple[Stored, DialogueStateTracker]]" = OrderedDict()
        # sender -> what is stored of it, for the save that follows a load from ``_recent``
        self._known: Dict[Text, Stored] = {}
        self._recent_limit = int(recent_conversations)

    def _add_indexes(self) -> None:
        """Indexes for the queries of every save: the latest session start, and the events since it.

        Rasa's table has an index on ``sender_id`` alone, so both read every row of the
        conversation: a long conversation's messages got slower turn by turn. Created if
        missing (another instance may be creating them at the same moment: that is fine).
        """
        table = self.SQLEvent.__table__
        # Rasa's table is one object for the whole process: each index is declared on it once, and
        # every later store (another database file, a restart in tests) creates the same ones.
        declared = {index.name: index for index in table.indexes}
        for name, columns in (
            ("ix_events_sender_type_time", ("sender_id", "type_name", "timestamp")),
            ("ix_events_sender_time", ("sender_id", "timestamp")),
        ):
            index = declared.get(name) or sa.Index(name, *(table.c[column] for column in columns))
            try:
                index.create(bind=self.engine, checkfirst=True)
            except sa.exc.DBAPIError as error:  # created by another instance meanwhile, or no rights
                logger.warning("conversation store index %s not created (%s)", index.name, type(error).__name__)

    # -- retries ------------------------------------------------------------
    async def _with_retry(self, operation: Callable[..., T], *args: Any) -> T:
        deadline = time.monotonic() + self.retry_seconds
        delay = 0.2
        while True:
            try:
                return await asyncio.to_thread(operation, *args)
            except sa.exc.DBAPIError as error:
                if not _is_connection_error(error) or time.monotonic() + delay > deadline:
                    raise
                logger.warning("conversation store unreachable (%s); retrying in %.1f s", type(error).__name__, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 2.0)

    # -- writing ------------------------------------------------------------
    def _latest_session_start(self, session: Any, sender_id: Text) -> Optional[float]:
        """Timestamp of the conversation's latest stored `session_started` (an index seek, see _add_indexes)."""
        return (
            session.query(sa.func.max(self.SQLEvent.timestamp))
            .filter(self.SQLEvent.sender_id == sender_id, self.SQLEvent.type_name == SessionStarted.type_name)
            .scalar()
        )

    def _stored_count(self, session: Any, sender_id: Text, started: Optional[float]) -> int:
        """How many events of the latest session are stored: Rasa's own count (``event_query(...).count()``)
        reads every stored row of the conversation, its JSON included, so each save cost more as the
        conversation grew; this one counts index entries only."""
        query = session.query(sa.func.count(self.SQLEvent.id)).filter(self.SQLEvent.sender_id == sender_id)
        if started is not None:
            query = query.filter(self.SQLEvent.timestamp >= started)
        return int(query.scalar() or 0)

    def unstored_events(
        self, session: Any, tracker: DialogueStateTracker, known: Optional[Stored] = None
    ) -> List[Event]:
        """The tracker's events the database does not hold yet.

        ``known``: what this process stored of the conversation, when the tracker came from
        ``_recent`` and the database held nothing newer; then no query is needed (Rasa's lock
        store keeps any other writer off the conversation until this save).
        """
        started, stored_count = self._stored_since_session_start(session, tracker.sender_id, known)
        return self._unstored(tracker, started, stored_count)

    def _stored_since_session_start(
        self, session: Any, sender_id: Text, known: Optional[Stored]
    ) -> Tuple[Optional[float], int]:
        if known is not None and known.count is not None:
            return known.started, known.count
        started = self._latest_session_start(session, sender_id)
        return started, self._stored_count(session, sender_id, started)

    def _unstored(self, tracker: DialogueStateTracker, started: Optional[float], stored_count: int) -> List[Event]:
        events = list(tracker.events)
        if view_prefix(events):
            # A bounded view holds a prefix and fewer events than are stored (history_window).
            return new_events(events, stored_count)
        # The stored count runs from the latest stored `session_started`. A tracker read back from
        # the database starts there; one kept in memory (``_recent``) also holds the
        # `action_session_start` before it and any earlier session, so the count is taken from
        # the tracker's own copy of that event (before, the event after it was stored twice).
        return events[self._session_anchor(started, events) + stored_count :]

    @staticmethod
    def _session_anchor(started: Optional[float], events: List[Event]) -> int:
        """Index in ``events`` of the stored conversation's latest `session_started` (at ``started``), or 0."""
        if started is None:
            return 0
        anchor = 0
        for index, event in enumerate(events):
            if isinstance(event, SessionStarted) and abs(event.timestamp - started) < 1e-6:
                anchor = index
        return anchor

    def _newest_event_id(self, session: Any, sender_id: Text) -> int:
        return session.query(sa.func.max(self.SQLEvent.id)).filter(self.SQLEvent.sender_id == sender_id).scalar() or 0

    def _store_new_events(
        self, tracker: DialogueStateTracker, known: Optional[Stored] = None
    ) -> Tuple[List[Event], Stored]:
        with self.session_scope() as session:
            started, stored_count = self._stored_since_session_start(session, tracker.sender_id, known)
            new_events = self._unstored(tracker, started, stored_count)
            rows = []
            for event in new_events:
                data = event.as_dict()
                rows.append(
                    {
                        "sender_id": tracker.sender_id,
                        "type_name": event.type_name,
                        "timestamp": data.get("timestamp"),
                        "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
                        "action_name": data.get("name"),
                        "data": json.dumps(data),
                    }
                )
            if rows:
                # One executemany in the SQL core: the ORM inserted the rows one statement at a
                # time to learn each id, a quarter of a busy server's time.
                session.execute(self.SQLEvent.__table__.insert(), rows)
            newest = self._newest_event_id(session, tracker.sender_id)
            session.commit()
        return new_events, self._stored_after(started, stored_count, new_events, newest)

    @staticmethod
    def _stored_after(started: Optional[float], stored_count: int, new_events: List[Event], newest: int) -> Stored:
        """What the database holds after a save; the count is left to the database after a new
        session started among the events saved."""
        if any(isinstance(event, SessionStarted) for event in new_events):
            return Stored(newest, None, None)
        return Stored(newest, started, stored_count + len(new_events))

    def _remember(self, sender_id: Text, stored: Stored, tracker: DialogueStateTracker) -> None:
        if self._recent_limit <= 0:
            return
        self._recent[sender_id] = (stored, tracker)
        self._recent.move_to_end(sender_id)
        while len(self._recent) > self._recent_limit:
            self._recent.popitem(last=False)

    async def save(self, tracker: DialogueStateTracker) -> None:
        self._recent.pop(tracker.sender_id, None)
        known = self._known.pop(tracker.sender_id, None)
        try:
            stored, after = await self._with_retry(self._store_new_events, tracker, known)
        except sa.exc.DBAPIError:
            # Kept here and written on the next access; the patient still gets a reply.
            logger.error("conversation store unreachable; keeping conversation ...%s in memory", tracker.sender_id[-4:])
            self._unsaved[tracker.sender_id] = tracker.copy()
            return
        self._unsaved.pop(tracker.sender_id, None)
        self._remember(tracker.sender_id, after, tracker)
        await self.publish(stored, tracker.sender_id)

    async def stream_events(self, tracker: DialogueStateTracker) -> None:
        """Streaming happens in :meth:`save`, for exactly the events stored."""

    # -- reading ------------------------------------------------------------
    def _load_events(self, sender_id: Text, fetch_events_from_all_sessions: bool) -> List[Dict[Text, Any]]:
        with self.session_scope() as session:
            rows = self.event_query(session, sender_id, fetch_events_from_all_sessions).all()
            return [json.loads(row.data) for row in rows]

    def _newest_event_id_of(self, sender_id: Text) -> int:
        with self.session_scope() as session:
            return self._newest_event_id(session, sender_id)

    async def _recently_saved(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        """The tracker this process saved last, if the database holds nothing newer (another instance)."""
        remembered = self._recent.pop(sender_id, None)
        if remembered is None:
            return None
        stored, tracker = remembered
        if await self._with_retry(self._newest_event_id_of, sender_id) != stored.newest:
            return None
        self._known[sender_id] = stored
        return tracker

    def _bounded(self, tracker: DialogueStateTracker) -> DialogueStateTracker:
        if self.history_turns <= 0 or not self.domain:
            return tracker
        events = bounded_events(tracker.sender_id, tracker.events, self.domain.slots, self.history_turns)
        if len(events) == len(tracker.events):
            return tracker
        return DialogueStateTracker.from_events(tracker.sender_id, events, self.domain.slots)

    async def load_tracker(
        self, sender_id: Text, fetch_events_from_all_sessions: bool
    ) -> Optional[DialogueStateTracker]:
        # What is stored is known for the save right after a load from memory only: a load that
        # no save followed (a failed message) must not hand it to a later save, when another
        # instance may have written in between.
        self._known.pop(sender_id, None)
        pending = self._unsaved.get(sender_id)
        if pending is not None:
            await self.save(pending)
            if sender_id in self._unsaved:
                return self._unsaved[sender_id].copy()
        if not fetch_events_from_all_sessions:
            recent = await self._recently_saved(sender_id)
            if recent is not None:
                return self._bounded(recent)
        events = await self._with_retry(self._load_events, sender_id, fetch_events_from_all_sessions)
        if not (self.domain and events):
            return None
        tracker = DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        # The whole conversation for the HTTP API and staff; a bounded view for the dialogue engine.
        return tracker if fetch_events_from_all_sessions else self._bounded(tracker)

    async def keys(self) -> List[Text]:
        def distinct_senders() -> List[Text]:
            with self.session_scope() as session:
                return [sender for (sender,) in session.query(self.SQLEvent.sender_id).distinct().all()]

        return await self._with_retry(distinct_senders)
