"""Durable storage shared by the action server and the web service.

Belongs here: the SQLAlchemy models, migrations, tickets and the inbox query,
records, staff accounts, retention. No HTTP and no Rasa.

May import: SQLAlchemy, :mod:`pump_assistant` (vocabulary, config). Imported by:
actions, webservice, rasa_ext (reply guard, tracker store), tests.
"""
