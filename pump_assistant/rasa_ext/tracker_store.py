"""Rasa's SQL tracker store, made to survive a database restart without losing events.

Stock ``SQLTrackerStore`` (Rasa 3.6):

* keeps pooled connections that are dead after the database restarts, so the
  next message fails; and Rasa's fail-safe wrapper then carries on with an
  in-memory tracker whose events never reach the database;
* runs synchronous SQLAlchemy inside the async handler, stalling every other
  conversation on the same process for the length of each query;
* reads the whole conversation a second time on every save just to find which
  events to publish to the event broker.

This store tests connections before use, retries a failed read or write with
back-off for ``retry_seconds`` (a restart takes a few seconds), keeps a
tracker it could not write in memory and writes it on the next access, runs
the queries in a worker thread, and publishes to the broker exactly the events
it has just stored. Configure it in endpoints.yml with
``type: pump_assistant.rasa_ext.tracker_store.ResilientSQLTrackerStore`` and the
same keys as ``type: SQL``.
"""
from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any, Callable, Dict, List, Optional, Text, TypeVar

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

logger = logging.getLogger(__name__)

T = TypeVar("T")
_CONNECTION_ERRORS = (sa.exc.OperationalError, sa.exc.InterfaceError)


def _is_connection_error(error: Exception) -> bool:
    return isinstance(error, _CONNECTION_ERRORS) or (
        isinstance(error, sa.exc.DBAPIError) and bool(getattr(error, "connection_invalidated", False))
    )


class ResilientSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args: Any, retry_seconds: float = 30.0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        url = self.engine.url
        self.engine.dispose()
        # pool_pre_ping: a connection that died with a database restart is replaced, not used.
        self.engine = sa.create_engine(url, pool_pre_ping=True, **create_engine_kwargs(url))
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        self.retry_seconds = float(retry_seconds)
        self._unsaved: Dict[Text, DialogueStateTracker] = {}

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
    def _store_new_events(self, tracker: DialogueStateTracker) -> List[Event]:
        with self.session_scope() as session:
            new_events = list(self._additional_events(session, tracker))
            for event in new_events:
                data = event.as_dict()
                session.add(
                    self.SQLEvent(
                        sender_id=tracker.sender_id,
                        type_name=event.type_name,
                        timestamp=data.get("timestamp"),
                        intent_name=data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
                        action_name=data.get("name"),
                        data=json.dumps(data),
                    )
                )
            session.commit()
        return new_events

    async def save(self, tracker: DialogueStateTracker) -> None:
        try:
            stored = await self._with_retry(self._store_new_events, tracker)
        except sa.exc.DBAPIError:
            # Kept here and written on the next access; the patient still gets a reply.
            logger.error("conversation store unreachable; keeping conversation ...%s in memory", tracker.sender_id[-4:])
            self._unsaved[tracker.sender_id] = tracker.copy()
            return
        self._unsaved.pop(tracker.sender_id, None)
        if self.event_broker is not None:
            await self._stream_new_events(self.event_broker, stored, tracker.sender_id)

    async def stream_events(self, tracker: DialogueStateTracker) -> None:
        """Streaming happens in :meth:`save`, for exactly the events stored."""

    # -- reading ------------------------------------------------------------
    def _load_events(self, sender_id: Text, fetch_events_from_all_sessions: bool) -> List[Dict[Text, Any]]:
        with self.session_scope() as session:
            rows = self._event_query(session, sender_id, fetch_events_from_all_sessions).all()
            return [json.loads(row.data) for row in rows]

    async def _retrieve(self, sender_id: Text, fetch_events_from_all_sessions: bool) -> Optional[DialogueStateTracker]:
        pending = self._unsaved.get(sender_id)
        if pending is not None:
            await self.save(pending)
            if sender_id in self._unsaved:
                return self._unsaved[sender_id].copy()
        events = await self._with_retry(self._load_events, sender_id, fetch_events_from_all_sessions)
        if self.domain and events:
            return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        return None

    async def keys(self) -> List[Text]:
        def distinct_senders() -> List[Text]:
            with self.session_scope() as session:
                return [sender for (sender,) in session.query(self.SQLEvent.sender_id).distinct().all()]

        return await self._with_retry(distinct_senders)
