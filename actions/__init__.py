"""Custom actions for the Rasa action server: thin wrappers over pump_assistant.

Belongs here: rasa-sdk ``Action`` classes (answering, hand-off and contact form,
emergency replies, feedback, staff replies relayed) and reading a tracker
(:mod:`.conversation`). Decisions (which answer, which urgency) are made in
:mod:`pump_assistant`.

May import: rasa-sdk, :mod:`pump_assistant`; never Rasa itself or ``webservice``.
Imported by: the action server (``rasa run actions``), tests.
"""

from pump_assistant import log_redaction

# The action server's logs (rasa-sdk's and ours) go through the same redaction as Rasa's channels.
log_redaction.install()
