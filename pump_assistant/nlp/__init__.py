"""The project's own spaCy pipeline (tokenizer, lemmas, sentences, domain entities) and rule cues built on it.

May import: spaCy, numpy, :mod:`pump_assistant`; never Rasa. Imported by: triage, rasa_ext.nlu, tests, bench.
"""
