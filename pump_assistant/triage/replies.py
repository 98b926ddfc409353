"""The safety lines every channel adds to a reply, from the triage decision alone.

* a *possible emergency* opens the reply with one line: "If this is happening
  now, call 911 now." (and 988 where self-harm was mentioned);
* any reply to a message that names a symptom ends with one short line: "If
  this is happening now and feels severe, call 911.";
* after hours, a pump problem that cannot wait (alarm, late refill, withdrawal
  signs) gets the clinic's on-call line and 911, never "we'll see it when we open".

Pure functions: the actions and the console's ask box call them the same way.
"""

from __future__ import annotations

from pump_assistant.triage.decision import Triage
from pump_assistant.triage.language import SPANISH_EMERGENCY_LINE
from pump_assistant.triage.levels import EMERGENCY, POSSIBLE

POSSIBLE_LINE = "If this is happening now, call 911 now."
POSSIBLE_SELF_HARM_LINE = (
    "If this is happening now, call 911 now. If you are thinking about harming yourself, call or text 988 "
    "(Suicide & Crisis Lifeline, 24/7)."
)
# For a message in another language, which the assistant cannot read: staff will.
STAFF_WILL_READ_LINE = (
    "This assistant reads English only; a member of staff will read your message. "
    "/ Este asistente solo lee inglés; un miembro del personal leerá su mensaje."
)
SYMPTOM_LINE = "If this is happening now and feels severe, call 911."


def language_lines(triage: Triage) -> str | None:
    """Written in another language: the emergency lines in the clinic's second language too."""
    if not triage.language:
        return None
    return f"{SPANISH_EMERGENCY_LINE}\n{STAFF_WILL_READ_LINE}"


def opening_line(triage: Triage) -> str | None:
    if triage.level != POSSIBLE:
        return None
    line = POSSIBLE_SELF_HARM_LINE if triage.self_harm else POSSIBLE_LINE
    return "\n".join(part for part in (line, language_lines(triage)) if part)


def closing_line(triage: Triage) -> str | None:
    if triage.level == EMERGENCY or not triage.symptom_named:
        return None
    return SYMPTOM_LINE


def after_hours_line(oncall_phone: str) -> str:
    return (
        f"The clinic is closed now. A pump alarm, a late refill or signs that the medicine has stopped cannot wait: "
        f"call our on-call line, {oncall_phone}, now. If there are symptoms or you feel unwell, call 911."
    )


def with_lines(text: str, triage: Triage) -> str:
    """A reply's text with the triage lines around it."""
    parts = [opening_line(triage), text, closing_line(triage)]
    return "\n\n".join(p for p in parts if p)
