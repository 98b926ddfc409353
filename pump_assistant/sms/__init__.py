"""Text messaging: formatting for SMS, per-number state, and the Twilio REST client.

May import: :mod:`pump_assistant` (vocabulary, config, content). Imported by: the SMS channel,
answering, actions, webservice (send by SMS), tests.
"""

from pump_assistant.vocabulary import Channel

# The input channel name the SMS channel gives its conversations (the only SMS channel in credentials.yml).
SMS_CHANNEL = Channel.SMS
