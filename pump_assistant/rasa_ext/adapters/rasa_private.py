"""Rasa's private parts the project uses, behind public names of our own.

Written against Rasa 3.6.21 (rasa.core.tracker_store, rasa.core.channels.socketio).
On an upgrade, run tests/unit/test_private_api.py first: it names any of
``PRIVATE_NAMES`` that is gone.

* ``SQLTrackerStore._retrieve``, ``_additional_events``, ``_event_query`` and
  ``TrackerStore._stream_new_events``: the hooks the resilient store overrides or
  calls (:class:`SQLTrackerStoreHooks` maps them to ``load_tracker``,
  ``unstored_events``, ``event_query`` and ``publish``);
* ``rasa.core.tracker_store.create_engine_kwargs``: an undocumented helper (pool
  options per dialect);
* ``SocketIOOutput._send_message``: emits one bot message to a socket.io room;
* ``RemoteAction._validate_action_result``: Rasa checks every action server
  answer with ``jsonschema.validate``, which checks the schema itself and builds
  a validator on every call (8 to 16 ms of CPU per answer here);
  :func:`check_action_answers_with_a_compiled_schema` builds it once, and checks
  each event against its own type's schema only (Rasa's ``oneOf`` tries all 23
  event types on every event: 0.7 ms per event, the emergency's four events twice
  an FAQ answer's two);
* a made-up session start (``action_session_start`` + ``session_started`` with
  metadata): Rasa applies it like a real one that carries slots over, which
  the bounded history view (:mod:`..stores.history_window`) relies on.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Iterable, List, Optional, Text

from rasa.core.channels.socketio import SocketIOOutput
from rasa.core.tracker_store import SQLTrackerStore
from rasa.core.tracker_store import create_engine_kwargs as _create_engine_kwargs
from rasa.shared.core.constants import ACTION_SESSION_START_NAME
from rasa.shared.core.events import ActionExecuted, Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker

from pump_assistant.rasa_ext.adapters import PrivateName

WRITTEN_AGAINST = "rasa==3.6.21"

PRIVATE_NAMES = (
    PrivateName("rasa.core.tracker_store.SQLTrackerStore", "_retrieve"),
    PrivateName("rasa.core.tracker_store.SQLTrackerStore", "_additional_events"),
    PrivateName("rasa.core.tracker_store.SQLTrackerStore", "_event_query"),
    PrivateName("rasa.core.tracker_store.SQLTrackerStore", "_stream_new_events"),
    PrivateName("rasa.core.tracker_store", "create_engine_kwargs"),
    PrivateName("rasa.core.channels.socketio.SocketIOOutput", "_send_message"),
    PrivateName("rasa.shared.core.events.SessionStarted", "metadata", instance=lambda cls: cls()),
    PrivateName("rasa.core.actions.action.RemoteAction", "_validate_action_result"),
)


def check_action_answers_with_a_compiled_schema() -> None:
    """Check action server answers against validators built once, not once per answer.

    A valid answer passes as before. An invalid one goes to Rasa's own check, so
    it fails with Rasa's own error and message. Idempotent.
    """
    from rasa.core.actions.action import RemoteAction

    rasas_check = getattr(RemoteAction._validate_action_result, "rasas_check", RemoteAction._validate_action_result)
    is_valid = answer_check(RemoteAction.action_response_format_spec())

    def _validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
        if is_valid(result):
            return True
        return rasas_check(self, result)

    _validate_action_result.rasas_check = rasas_check  # type: ignore[attr-defined]
    RemoteAction._validate_action_result = _validate_action_result


def answer_check(schema: Dict[Text, Any]) -> Callable[[Any], bool]:
    """``is_valid`` for Rasa's action answer schema, with the events' ``oneOf`` decided by event type.

    Every event type's schema in the ``oneOf`` names its type as a ``const``, so at
    most one of them can hold for an event: the one of its type. Checking that one
    (with the schema's common part) gives the ``oneOf``'s verdict without trying the
    other 22. Should the schema ever not have that shape, the whole schema is used.
    """
    from jsonschema import validators

    def compiled(part: Dict[Text, Any]) -> Any:
        return validators.validator_for(schema)(part)

    whole = compiled(schema)
    try:
        event_schema = schema["properties"]["events"]["items"]
        common = {key: value for key, value in event_schema.items() if key != "oneOf"}
        by_type: Dict[Any, Any] = {}
        for one in event_schema["oneOf"]:
            kind = one["properties"]["event"]["const"]
            if kind in by_type:
                return whole.is_valid
            by_type[kind] = compiled({**common, "allOf": [one]})
        outside_events = {**schema, "properties": {**schema["properties"], "events": {"type": "array"}}}
    except (KeyError, TypeError):
        return whole.is_valid
    answer = compiled(outside_events)

    def is_valid(result: Any) -> bool:
        if not answer.is_valid(result):
            return False
        for event in result.get("events", ()):
            kind = event.get("event") if isinstance(event, dict) else None
            check = by_type.get(kind) if isinstance(kind, str) else None
            if check is None or not check.is_valid(event):
                return False
        return True

    return is_valid


def create_engine_kwargs(url: Any) -> Dict[Text, Any]:
    """The engine options Rasa's SQL tracker store uses for ``url``'s dialect."""
    return _create_engine_kwargs(url)


class SQLTrackerStoreHooks(SQLTrackerStore):
    """Rasa's SQL tracker store with its private hooks under public names.

    Subclasses implement :meth:`load_tracker` (Rasa's ``_retrieve``) and
    :meth:`unstored_events` (Rasa's ``_additional_events``) and may call
    :meth:`event_query` and :meth:`publish`.
    """

    # -- Rasa calls these -----------------------------------------------------
    async def _retrieve(self, sender_id: Text, fetch_events_from_all_sessions: bool) -> Optional[DialogueStateTracker]:
        return await self.load_tracker(sender_id, fetch_events_from_all_sessions)

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterable[Event]:
        return self.unstored_events(session, tracker)

    # -- for subclasses -------------------------------------------------------
    async def load_tracker(self, sender_id: Text, all_sessions: bool) -> Optional[DialogueStateTracker]:
        """The tracker of the latest session, or of every session with ``all_sessions``."""
        return await SQLTrackerStore._retrieve(self, sender_id, fetch_events_from_all_sessions=all_sessions)

    def unstored_events(self, session: Any, tracker: DialogueStateTracker) -> Iterable[Event]:
        """The events of ``tracker`` the database does not hold yet."""
        return SQLTrackerStore._additional_events(self, session, tracker)

    def event_query(self, session: Any, sender_id: Text, all_sessions: bool) -> Any:
        """The SQLAlchemy query of the stored events (latest session only unless ``all_sessions``), by id."""
        return self._event_query(session, sender_id, fetch_events_from_all_sessions=all_sessions)

    async def publish(self, events: List[Event], sender_id: Text) -> None:
        """Publish ``events`` to the event broker as Rasa does (one message per event)."""
        if self.event_broker is not None:
            await self._stream_new_events(self.event_broker, events, sender_id)


async def send_socketio_message(output: SocketIOOutput, recipient_id: Text, message: Dict[Text, Any]) -> None:
    """Emit ``message`` as one bot event to ``recipient_id``'s room, untouched."""
    await output._send_message(recipient_id, message)


def session_start_events(timestamp: float, metadata: Dict[Text, Any]) -> List[Event]:
    """A session start Rasa applies like its own: ``action_session_start``, then ``session_started``."""
    started = SessionStarted(timestamp=timestamp)
    started.metadata = metadata
    return [ActionExecuted(ACTION_SESSION_START_NAME, timestamp=timestamp), started]
