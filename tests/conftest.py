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


def pytest_collection_modifyitems(config, items):
    """Tests marked `screenshots` write docs/screenshots/: they run only when asked for (`-m screenshots`)."""
    if "screenshots" in (config.getoption("markexpr") or ""):
        return
    kept = [item for item in items if item.get_closest_marker("screenshots") is None]
    if len(kept) < len(items):
        config.hook.pytest_deselected(items=[item for item in items if item not in kept])
        items[:] = kept
