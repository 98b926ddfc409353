"""The project's own spaCy pipeline (tokenizer, lemmas, sentences, domain entities) and rule cues built on it."""
