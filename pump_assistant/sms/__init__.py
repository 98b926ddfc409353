"""Text messaging: formatting for SMS, per-number state, and the Twilio REST client."""
