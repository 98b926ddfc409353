"""Custom actions for the Rasa action server: thin wrappers over pump_assistant."""
