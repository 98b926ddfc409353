"""Custom actions for the Rasa action server: thin wrappers over pump_assistant."""

from pump_assistant import log_redaction

# The action server's logs (rasa-sdk's and ours) go through the same redaction as Rasa's channels.
log_redaction.install()
