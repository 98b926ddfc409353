"""Text messaging: formatting for SMS, per-number state, and the Twilio REST client."""

# The input channel name the SMS channel gives its conversations (the only SMS channel in credentials.yml).
SMS_CHANNEL = "sms"
