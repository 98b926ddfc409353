"""data/nlu/ is laid out by intent family (scripts/split_nlu_by_family.py), one file each."""
from __future__ import annotations

from pathlib import Path

from pump_assistant.evaluation import load_examples
from tests.support.scripts import load_script

ROOT = Path(__file__).resolve().parents[2]


def _layout():
    return load_script("scripts/split_nlu_by_family.py", "split_nlu_by_family")


def test_every_example_is_in_its_familys_file():
    layout = _layout()
    families = {**layout.FAMILIES, **layout.faq_families()}
    file_of = {intent: file for file, intents, _ in families.values() for intent in intents}
    misplaced = [
        f"{path.name}: {intent} (belongs in {file_of.get(intent, 'a new family: see FAMILIES')})"
        for path in sorted((ROOT / "data" / "nlu").glob("*.yml"))
        for intent, _ in layout.read_blocks(path)
        if file_of.get(intent) != path.name
    ]
    assert misplaced == [], "run python scripts/split_nlu_by_family.py:\n" + "\n".join(misplaced)


def test_no_example_is_repeated():
    seen: dict[str, str] = {}
    repeated = []
    for path in sorted((ROOT / "data" / "nlu").glob("*.yml")):
        for example in load_examples(path):
            key = " ".join(example.text.lower().split())
            if key in seen:
                repeated.append(f"{example.text!r}: {seen[key]} and {example.label}")
            seen.setdefault(key, example.label)
    assert repeated == [], "run python scripts/dedupe_nlu.py:\n" + "\n".join(repeated)
