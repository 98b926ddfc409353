"""Rasa input channels: REST, SMS (Twilio) and the web chat widget's socket.io.

Each channel admits a message through :func:`pump_assistant.inbound.admit` (one
order of checks for all) and only renders a refusal in its own transport.
Belongs here: input and output channels, the reply guard, the display flags a
bot message carries to the widget.

May import: Rasa, sanic, :mod:`pump_assistant` and :mod:`..adapters`. Imported
by: Rasa (credentials.yml), tests; the web service reads only
:mod:`.display_flags` (no Rasa import there).
"""
