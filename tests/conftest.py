"""Shared fixtures. Anything that needs the trained model or a service says so with a marker."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

ROOT = Path(__file__).resolve().parent.parent
MODEL_PATH = ROOT / "models" / "pump-assistant.tar.gz"
SPACY_DIR = ROOT / "models" / "spacy" / "en_pump"


@pytest.fixture(scope="session")
def settings():
    from pump_assistant.config import load_settings

    return load_settings()


@pytest.fixture(scope="session")
def registry(settings):
    from pump_assistant.content import load_registry

    return load_registry(settings.registry_path)


@pytest.fixture(scope="session")
def nlp():

    from pump_assistant.nlp.build import build_pipeline

    # Built fresh from the repository's sources, so the tests check the sources.
    return build_pipeline()
