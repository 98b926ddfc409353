"""A bounded view of a long conversation, for the dialogue engine.

Rasa replays and featurises the whole conversation session on every
prediction and sends all of it to the action server on every custom action, so
each message costs more as the conversation grows (measured: a 300-turn
conversation answered 7x slower than a new one). Our policies look at the last
few turns only (``max_history: 4``), so the dialogue engine gets the last
``turns`` user turns, preceded by a short prefix that restores the state the
omitted turns left behind: the slots, an active form, a paused conversation.
The conversation store keeps every event; the full conversation stays
available through ``retrieve_full_tracker`` (Rasa's HTTP API and the staff side).

The prefix starts like a session (``action_session_start``, ``session_started``)
so Rasa applies it as it applies a session start that carries slots over, and
its ``session_started`` event carries how many events the view leaves out since
the conversation's latest session start, so the store knows which events of the
view are new. (The store counts what it holds from the latest
stored ``session_started``; a tracker kept in memory also holds the events before
it, and earlier sessions: counting those too stored events a second time.)
"""

from __future__ import annotations

from itertools import islice
from typing import Iterable, List, Optional, Sequence

from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    ConversationPaused,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.slots import Slot
from rasa.shared.core.trackers import DialogueStateTracker

from pump_assistant.rasa_ext.adapters.rasa_private import session_start_events

WINDOW_KEY = "history_window"
SESSION_START_LENGTH = 2  # action_session_start, session_started


def _window(events: Sequence[Event]) -> dict:
    for event in islice(events, 3):  # a tracker's events are a deque
        if isinstance(event, SessionStarted) and WINDOW_KEY in (event.metadata or {}):
            return event.metadata[WINDOW_KEY]
    return {}


def view_prefix(events: Sequence[Event]) -> int:
    """Length of a view's synthetic prefix; 0 for a whole conversation."""
    return int(_window(events).get("prefix", 0))


def _omitted_in_session(events: Sequence[Event]) -> int:
    """How many of the events a view leaves out came at or after the latest session start."""
    return int(_window(events).get("in_session", 0))


def _latest_session_start(events: Sequence[Event], start: int, end: int) -> Optional[int]:
    """Index of the last real (not a view's own) `session_started` in ``events[start:end]``."""
    for index in range(end - 1, start - 1, -1):
        if isinstance(events[index], SessionStarted) and WINDOW_KEY not in (events[index].metadata or {}):
            return index
    return None


def _cut_index(events: Sequence[Event], turns: int) -> Optional[int]:
    users = [i for i, event in enumerate(events) if isinstance(event, UserUttered)]
    if len(users) <= turns:
        return None
    cut = users[-turns]
    before = events[cut - 1] if cut > 0 else None
    # Keep the `action_listen` that preceded the user's message, as Rasa stores it.
    if isinstance(before, ActionExecuted) and before.action_name == ACTION_LISTEN_NAME:
        cut -= 1
    return cut


def _state_prefix(head: DialogueStateTracker, timestamp: float, in_session: int) -> List[Event]:
    state: List[Event] = [
        SlotSet(name, slot.value, timestamp=timestamp)
        for name, slot in head.slots.items()
        if slot.value != slot.initial_value
    ]
    if head.active_loop_name:
        state.append(ActiveLoop(head.active_loop_name, timestamp=timestamp))
    if head.is_paused():
        state.append(ConversationPaused(timestamp=timestamp))
    window = {"in_session": in_session, "prefix": len(state) + SESSION_START_LENGTH}
    return session_start_events(timestamp, {WINDOW_KEY: window}) + state


def bounded_events(sender_id: str, events: Sequence[Event], slots: Iterable[Slot], turns: int) -> List[Event]:
    """The events of a view with at most ``turns`` user turns (``events`` itself may be a view)."""
    events = list(events)
    if turns <= 0:
        return events
    prefix = view_prefix(events)
    cut = _cut_index(events, turns)
    if cut is None or cut <= prefix:
        return events
    head = DialogueStateTracker.from_events(sender_id, events[:cut], slots)
    # Rasa's own timestamps order the view: the prefix sits just before the kept turns.
    timestamp = events[cut].timestamp - 1e-3
    session = _latest_session_start(events, prefix, cut)
    in_session = cut - session if session is not None else _omitted_in_session(events) + (cut - prefix)
    return _state_prefix(head, timestamp, in_session) + events[cut:]


def new_events(tracker_events: Sequence[Event], stored_count: int) -> List[Event]:
    """The events of a view that are not among the ``stored_count`` stored since the latest session start.

    The latest session start may be in the view (a session that began in its last turns):
    the count runs from there. Otherwise it runs from the view's first kept event, the
    stored ones the view leaves out of the session being counted off.
    """
    events = list(tracker_events)
    prefix = view_prefix(events)
    session = _latest_session_start(events, prefix, len(events))
    if session is not None:
        return events[session + stored_count :]
    return events[prefix + max(stored_count - _omitted_in_session(events), 0) :]
