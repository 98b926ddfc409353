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
its ``session_started`` event carries how many stored events the view leaves
out, so the store knows which events of the view are new.
"""

from __future__ import annotations

from itertools import islice
from typing import Iterable, List, Optional, Sequence, Tuple

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


def window_of(events: Sequence[Event]) -> Tuple[int, int]:
    """(stored events left out, synthetic prefix length) of a view; (0, 0) for a whole conversation."""
    for event in islice(events, 3):  # a tracker's events are a deque
        if isinstance(event, SessionStarted) and WINDOW_KEY in (event.metadata or {}):
            window = event.metadata[WINDOW_KEY]
            return int(window["omitted"]), int(window["prefix"])
    return 0, 0


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


def _state_prefix(head: DialogueStateTracker, timestamp: float, omitted: int) -> List[Event]:
    state: List[Event] = [
        SlotSet(name, slot.value, timestamp=timestamp)
        for name, slot in head.slots.items()
        if slot.value != slot.initial_value
    ]
    if head.active_loop_name:
        state.append(ActiveLoop(head.active_loop_name, timestamp=timestamp))
    if head.is_paused():
        state.append(ConversationPaused(timestamp=timestamp))
    window = {"omitted": omitted, "prefix": len(state) + SESSION_START_LENGTH}
    return session_start_events(timestamp, {WINDOW_KEY: window}) + state


def bounded_events(sender_id: str, events: Sequence[Event], slots: Iterable[Slot], turns: int) -> List[Event]:
    """The events of a view with at most ``turns`` user turns (``events`` itself may be a view)."""
    events = list(events)
    if turns <= 0:
        return events
    omitted, prefix = window_of(events)
    cut = _cut_index(events, turns)
    if cut is None or cut <= prefix:
        return events
    head = DialogueStateTracker.from_events(sender_id, events[:cut], slots)
    # Rasa's own timestamps order the view: the prefix sits just before the kept turns.
    timestamp = events[cut].timestamp - 1e-3
    return _state_prefix(head, timestamp, omitted + (cut - prefix)) + events[cut:]


def new_events(tracker_events: Sequence[Event], stored_count: int) -> List[Event]:
    """The events of a tracker (whole or a view) that are not among ``stored_count`` stored ones."""
    omitted, prefix = window_of(tracker_events)
    start = prefix + max(stored_count - omitted, 0)
    return list(islice(tracker_events, start, None))
