"""The trained model, loaded in-process once, and every held-out question parsed once."""
from __future__ import annotations

import asyncio

import pytest

from pump_assistant.evaluation import load_heldout
from tests.conftest import MODEL_PATH, ROOT

HELDOUT_DIR = ROOT / "tests" / "heldout"


@pytest.fixture(scope="session")
def heldout():
    return {kind: load_heldout(HELDOUT_DIR, kind) for kind in ("faq", "safety")}


@pytest.fixture(scope="session")
def parses(heldout):
    """text -> Rasa parse result for every held-out question."""
    if not MODEL_PATH.exists():
        pytest.fail(f"no trained model at {MODEL_PATH}: run `make train` first")
    from rasa.core.agent import Agent

    agent = Agent.load(str(MODEL_PATH))
    loop = asyncio.new_event_loop()
    try:
        texts = {e.text for examples in heldout.values() for e in examples}
        return {text: loop.run_until_complete(agent.parse_message(text)) for text in texts}
    finally:
        loop.close()
