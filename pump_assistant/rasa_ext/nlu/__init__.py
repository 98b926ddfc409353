"""Rasa NLU components (config.yml's pipeline) and the training-data importer."""
