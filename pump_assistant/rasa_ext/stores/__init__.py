"""Rasa tracker stores (endpoints.yml's ``tracker_store``) and the bounded history view.

May import: Rasa, SQLAlchemy, :mod:`pump_assistant`, :mod:`..adapters`.
Imported by: Rasa (endpoints.yml), tests.
"""
