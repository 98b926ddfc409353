"""Drop training examples that repeat an earlier one (case and spacing ignored).

Several people write data/nlu; Rasa warns on repeats and a repeat across two
intents teaches the model a contradiction. Files are read in name order; the
first occurrence wins. Usage: python scripts/dedupe_nlu.py
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
seen: set[str] = set()
for path in sorted((ROOT / "data" / "nlu").glob("*.yml")):
    lines, kept, dropped = path.read_text(encoding="utf-8").splitlines(), [], 0
    for line in lines:
        stripped = line.strip()
        if stripped.startswith("- ") and not stripped.startswith("- intent:"):
            key = " ".join(stripped[2:].lower().split())
            if key in seen:
                dropped += 1
                continue
            seen.add(key)
        kept.append(line)
    if dropped:
        path.write_text("\n".join(kept) + "\n", encoding="utf-8")
        print(f"{path.name}: dropped {dropped} repeated example(s)")
