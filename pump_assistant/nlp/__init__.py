"""The project's own spaCy pipeline and the rule-based safety net built on it."""
