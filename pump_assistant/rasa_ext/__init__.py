"""Custom Rasa pieces named in config.yml and credentials.yml."""
