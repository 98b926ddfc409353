"""The clinic's web service (sanic): staff API, the front-desk console, the widget's files, health, OpenAPI.

Belongs here: the sanic app (:mod:`.app`), its blueprints, the client of Rasa's
HTTP API (:mod:`.rasa_client`), the hand-off service that tells Rasa a staff
member joined, replied or left (:mod:`.handoff_service`), and the static widget
and console scripts (``static/``).

May import: sanic, :mod:`pump_assistant` (never Rasa itself, and never
``actions``). Imported by: tests, scripts.
"""
