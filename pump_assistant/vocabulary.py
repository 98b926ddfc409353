"""The project's words: intent names, ticket reasons, urgencies and statuses, answer kinds, channel names,
display flags, staff roles, draft statuses.

Each is a ``StrEnum``: a member *is* its string (``Urgency.EMERGENCY == "emergency"``),
so JSON, the database and Rasa's training data keep the same values. Code names
them from here instead of writing the string again; the Rasa data (domain.yml,
data/) and the browser scripts (webservice/static/*.js) spell the same strings,
and tests check that they agree.

Imports nothing from the project: anything may import it.
"""

from __future__ import annotations

from enum import StrEnum


class Intent(StrEnum):
    """Intents in domain.yml that code acts on (the others are only in rules and stories)."""

    FAQ = "faq"
    CHOOSE_TOPIC = "choose_topic"
    FOLLOWUP_DURATION = "followup_duration"
    FOLLOWUP_MORE = "followup_more"
    FEEDBACK_HELPFUL = "feedback_helpful"
    FEEDBACK_NOT_HELPFUL = "feedback_not_helpful"
    NOT_COVERED = "not_covered"
    EMERGENCY = "emergency"
    CLINICAL_QUESTION = "clinical_question"
    REQUEST_HUMAN = "request_human"
    INFORM_CONTACT = "inform_contact"
    # Rasa's FallbackClassifier.
    NLU_FALLBACK = "nlu_fallback"
    # Sent by the web service through Rasa's HTTP API, never typed by a patient.
    EXTERNAL_STAFF_JOINED = "EXTERNAL_staff_joined"
    EXTERNAL_STAFF_REPLY = "EXTERNAL_staff_reply"
    EXTERNAL_STAFF_RESOLVED = "EXTERNAL_staff_resolved"


class TicketReason(StrEnum):
    """Why a hand-off ticket was raised."""

    EMERGENCY = "emergency"
    CLINICAL = "clinical"
    REQUEST = "request"


class Urgency(StrEnum):
    """A ticket's urgency, most urgent first (the console and the API sort in this order)."""

    EMERGENCY = "emergency"
    # A possible emergency, or a pump problem that cannot wait.
    URGENT = "urgent"
    ROUTINE = "routine"


class TicketStatus(StrEnum):
    """Where a hand-off ticket is, in the order it moves: open -> claimed -> resolved."""

    # Waiting for staff.
    OPEN = "open"
    # A staff member took it; the assistant holds the patient's messages for them.
    CLAIMED = "claimed"
    # Closed (with an optional note of what was done); the assistant answers again.
    RESOLVED = "resolved"


# The statuses of a ticket staff still own: open or claimed.
ACTIVE_TICKET_STATUSES = (TicketStatus.OPEN, TicketStatus.CLAIMED)


class AnswerKind(StrEnum):
    """What the answer rule (pump_assistant.answering) made of a question; the console's ask box shows the kind."""

    # One approved answer.
    ANSWER = "answer"
    # Two answers are close: the patient (or staff) picks one.
    CLARIFY = "clarify"
    # No approved answer.
    UNKNOWN = "unknown"
    # The ask box only: triage read an emergency, so no answer is offered (the patient would get the 911 reply).
    EMERGENCY = "emergency"


class Channel(StrEnum):
    """Input channel names (credentials.yml); ``UNKNOWN`` when a ticket recorded none."""

    WEBCHAT = "webchat"
    SMS = "sms"
    REST = "rest"
    CMDLINE = "cmdline"
    UNKNOWN = "unknown"


class DisplayFlag(StrEnum):
    """What a bot message may carry to the patient's screen besides text and buttons.

    The widget styles a message by these, never by its words
    (pump_assistant.rasa_ext.channels.display_flags).
    """

    # An emergency reply.
    URGENT = "urgent"
    # A staff member's reply, and their name.
    FROM_STAFF = "from_staff"
    STAFF_NAME = "staff_name"
    # The notices that staff joined the conversation, and left it.
    STAFF_JOINED = "staff_joined"
    STAFF_LEFT = "staff_left"


class Role(StrEnum):
    """A staff account's role (the desk console reads the permission, never the role's name)."""

    # Works the queue and saves draft answers.
    FRONT_DESK = "front_desk"
    # May also approve or reject drafts into the answer registry (what patients are told).
    CLINICIAN = "clinician"


class DraftStatus(StrEnum):
    """A draft answer saved from the console, until a clinician approves it into the registry or rejects it."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


# The ticket a hand-off intent raises (keyed by str: an intent name read from a parse looks it up).
TICKET_REASON_BY_INTENT: dict[str, TicketReason] = {
    Intent.EMERGENCY: TicketReason.EMERGENCY,
    Intent.CLINICAL_QUESTION: TicketReason.CLINICAL,
    Intent.REQUEST_HUMAN: TicketReason.REQUEST,
}
