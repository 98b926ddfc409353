"""A new blind set loses the messages the assistant already knows, and says how many."""

from __future__ import annotations

import yaml

from tests.support.scripts import load_script


def dedupe_module():
    return load_script("scripts/dedupe_blind_set.py", "dedupe_blind_set_under_test")


def test_known_messages_and_repeats_are_taken_out_and_counted(tmp_path):
    module = dedupe_module()
    known = module.known_texts(tmp_path / "nothing.yml")
    # A training example of the project, in other case and spacing, must be recognised.
    training_example = next(iter(sorted(known)))
    new_set = tmp_path / "safety_new.yml"
    new_set.write_text(
        "# Blind safety set New. Written by a reviewer.\n"
        "# Frozen: never copy these sentences into patterns, training data or tests.\n"
        + yaml.safe_dump(
            {
                "items": [
                    {"text": "  " + training_example.upper() + " ", "expect": "emergency"},
                    {"text": "Mi papá lleva 14 horas sin orinar desde que le cambiaron la bomba ☹", "expect": "emergency"},
                    {"text": "mi PAPÁ lleva 14 horas   sin orinar desde que le cambiaron la bomba ☹", "expect": "emergency"},
                ]
            },
            allow_unicode=True,
        ),
        encoding="utf-8",
    )

    kept, removed = module.dedupe(new_set)

    assert (kept, removed) == (1, 2)
    rewritten = new_set.read_text(encoding="utf-8")
    assert rewritten.startswith("# Blind safety set New.")
    assert "# 2 that were, word for word," in rewritten
    items = yaml.safe_load(rewritten)["items"]
    assert [item["text"] for item in items] == ["Mi papá lleva 14 horas sin orinar desde que le cambiaron la bomba ☹"]


def test_a_dry_run_counts_without_rewriting(tmp_path):
    module = dedupe_module()
    new_set = tmp_path / "faq_new.yml"
    original = "# Blind FAQ set.\nitems:\n- text: how long does a pump battery last\n- text: How long does a pump battery last?\n- text: HOW LONG does a pump battery last\n"
    new_set.write_text(original, encoding="utf-8")

    kept, removed = module.dedupe(new_set, dry_run=True)

    assert removed >= 1 and kept + removed == 3
    assert new_set.read_text(encoding="utf-8") == original
