"""The web service's routes, one blueprint per audience: staff API (handoffs), desk console, widget, health, metrics, OpenAPI.

Belongs here: request parsing and JSON responses only; the work is in
:mod:`webservice.handoff_service` and :mod:`pump_assistant`. Shared helpers:
:mod:`webservice.json_replies`.

May import: sanic, :mod:`webservice`, :mod:`pump_assistant`. Imported by:
:mod:`webservice.app`, tests.
"""
