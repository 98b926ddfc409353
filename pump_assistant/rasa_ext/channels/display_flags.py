"""What a bot message may carry to the patient's screen besides text and buttons.

The widget styles a reply by these flags, set by the actions (an emergency
reply is ``urgent``; a staff reply is ``from_staff`` with ``staff_name``), never
by guessing from the words: the greeting mentions 911 too. Answer metadata
(topic, version, source ids) stays on the server.
"""
from __future__ import annotations

from typing import Any, Dict, Mapping

DISPLAY_FLAGS = ("from_staff", "staff_name", "urgent")


def display_flags(message: Mapping[str, Any]) -> Dict[str, Any]:
    return {flag: message[flag] for flag in DISPLAY_FLAGS if message.get(flag)}
