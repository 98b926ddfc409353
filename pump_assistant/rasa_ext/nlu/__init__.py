"""Rasa NLU components (config.yml's pipeline) and the training-data importer.

Belongs here: graph components named in config.yml (MiniLM featurizer,
IntentTopicClassifier, PersonalCareRouter, TriageComponent, ...) and the
registry importer. The logic they wrap lives in :mod:`pump_assistant.triage`,
:mod:`pump_assistant.nlp`; these modules adapt it to Rasa.

May import: Rasa, :mod:`pump_assistant`, :mod:`..adapters`. Imported by: Rasa
(config.yml), tests, bench.
"""
