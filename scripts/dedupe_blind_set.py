"""Take out of a newly written blind set the messages that are already known.

A blind set measures only messages the assistant has never been given. Before
its first measurement, every message that is, word for word (case and spacing
ignored), a training example (data/nlu), an example of the triage's learned
detectors (pump_assistant/triage/*.yml), a message of another held-out or blind
set, or a repeat within the set itself, is taken out, and the file's header says
how many. Nothing is printed of the messages themselves: the set stays blind.

    python scripts/dedupe_blind_set.py NEW_SET.yml [--dry-run]
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
HEADER_NOTE = "# {count} that were, word for word, training examples, retired-set messages or messages of other sets (or repeated) were taken out."


def normalised(text: str) -> str:
    return " ".join(str(text).lower().split())


def _strings(node: object) -> list[str]:
    """Every string in a YAML document (training files hold examples in several shapes)."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for value in node.values() for s in _strings(value)]
    if isinstance(node, list):
        return [s for value in node for s in _strings(value)]
    return []


def _nlu_examples(path: Path) -> list[str]:
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    examples: list[str] = []
    for block in document.get("nlu") or []:
        for line in str(block.get("examples") or "").splitlines():
            line = line.strip()
            if line.startswith("- "):
                examples.append(re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", line[2:]))  # [text](entity) -> text
    return examples


def known_texts(new_set: Path) -> set[str]:
    known: set[str] = set()
    for path in sorted((ROOT / "data" / "nlu").glob("*.yml")):
        known.update(normalised(text) for text in _nlu_examples(path))
    for path in sorted((ROOT / "pump_assistant" / "triage").glob("*.yml")):
        known.update(normalised(text) for text in _strings(yaml.safe_load(path.read_text(encoding="utf-8"))))
    for path in sorted((ROOT / "tests" / "heldout").rglob("*.yml")):
        if path.resolve() == new_set.resolve():
            continue
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for item in document.get("items") or [] if isinstance(document, dict) else []:
            if isinstance(item, dict) and item.get("text"):
                known.add(normalised(item["text"]))
    return known


def dedupe(path: Path, dry_run: bool = False) -> tuple[int, int]:
    """(kept, taken out). Rewrites ``path`` with the items kept and a header line saying how many went."""
    raw = path.read_text(encoding="utf-8")
    document = yaml.safe_load(raw) or {}
    known = known_texts(path)
    kept, seen = [], set()
    for item in document.get("items") or []:
        key = normalised(item.get("text", ""))
        if not key or key in known or key in seen:
            continue
        seen.add(key)
        kept.append(item)
    removed = len(document.get("items") or []) - len(kept)
    if not dry_run:
        lines = raw.splitlines()
        leading = lines[: next((i for i, line in enumerate(lines) if not line.startswith("#")), len(lines))]
        header = [line for line in leading if "word for word" not in line]
        body = yaml.safe_dump({"items": kept}, allow_unicode=True, sort_keys=False, width=10_000)
        path.write_text("\n".join([*header, HEADER_NOTE.format(count=removed), body]), encoding="utf-8")
    return len(kept), removed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--dry-run", action="store_true", help="count only")
    args = parser.parse_args()
    kept, removed = dedupe(args.path, args.dry_run)
    print(f"{args.path.name}: {kept} kept, {removed} taken out")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
