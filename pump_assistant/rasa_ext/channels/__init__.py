"""Rasa input channels: REST, SMS (Twilio) and the web chat widget's socket.io.

Each channel admits a message through :func:`pump_assistant.inbound.admit` (one
order of checks for all) and only renders a refusal in its own transport.
"""
