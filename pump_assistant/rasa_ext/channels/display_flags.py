"""What a bot message may carry to the patient's screen besides text and buttons.

The widget styles a reply by these flags (:class:`pump_assistant.vocabulary.DisplayFlag`),
set by the actions (an emergency reply is ``urgent``; a staff reply is ``from_staff``
with ``staff_name``) or by the response that made it (``utter_staff_joined`` is
``staff_joined``), never by guessing from the words: the greeting mentions 911 too,
and the wording of a notice may change. Answer metadata (topic, version, source
ids) stays on the server.
"""

from __future__ import annotations

from typing import Any, Dict, Mapping

from pump_assistant.vocabulary import DisplayFlag

DISPLAY_FLAGS = (DisplayFlag.FROM_STAFF, DisplayFlag.STAFF_NAME, DisplayFlag.URGENT)
# Notices the domain's responses make; Rasa names the response in a message's ``utter_action``.
FLAG_BY_RESPONSE = {
    "utter_staff_joined": DisplayFlag.STAFF_JOINED,
    "utter_staff_left": DisplayFlag.STAFF_LEFT,
}


def display_flags(message: Mapping[str, Any]) -> Dict[str, Any]:
    """The flags of a bot message, or of a bot event's metadata in the tracker."""
    flags: Dict[str, Any] = {str(flag): message[flag] for flag in DISPLAY_FLAGS if message.get(flag)}
    notice = FLAG_BY_RESPONSE.get(str(message.get("utter_action") or ""))
    if notice is not None:
        flags[str(notice)] = True
    return flags
