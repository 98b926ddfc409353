"""Add a retired FAQ or clinical set's questions to the assistant's NLU examples.

A blind set whose misses were read is tuning data (tests/heldout/blind/README.md
marks it **tuning**); its questions, written by reviewers in patients' and
caregivers' words, then become training examples, as the retired FAQ sets A-C
and clinical sets A-C did in stop 22:

* an FAQ set's question the pages answer -> ``faq/<topic>`` in that topic's file;
  one the pages do not answer (``answered_by_pages: false``) -> ``not_covered``;
* a clinical set's personal-care question -> ``clinical_question``; its general
  pump questions carry no topic and are left out.

Questions in another language are left out (the assistant hands them to staff),
and so is any question already an example, or a question of a held-out file or of
a set still blind. Refuses a set not marked tuning.

    python scripts/retired_to_nlu.py faq_e [clinical_c ...]

Training questions written for the purpose by reviewers who saw only the pages and the
approved answers (never a blind set) come in the same way, from a file of items with
``text`` and ``topic`` (an answer id, ``not_covered`` or ``clinical_question``):

    python scripts/retired_to_nlu.py --written questions.yml [--written more.yml]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pump_assistant.evaluation import load_examples  # noqa: E402
from pump_assistant.triage.evaluation import retired_sets  # noqa: E402
from pump_assistant.triage.language import detect_language  # noqa: E402

BLIND = ROOT / "tests" / "heldout" / "blind"
NLU = ROOT / "data" / "nlu"


def _normal(text: str) -> str:
    return " ".join(text.lower().split())


def labelled_questions(set_name: str) -> list[tuple[str, str]]:
    """(label, text) pairs of one retired set, in the set's order."""
    items = yaml.safe_load((BLIND / f"{set_name}.yml").read_text(encoding="utf-8"))["items"]
    pairs = []
    for item in items:
        text = " ".join(str(item["text"]).split())
        if detect_language(text):
            continue
        if set_name.startswith("faq_"):
            label = f"faq/{item['topic']}" if item.get("answered_by_pages", True) else "not_covered"
        elif set_name.startswith("clinical_") and item.get("expect") == "handoff":
            label = "clinical_question"
        else:
            continue
        pairs.append((label, text))
    return pairs


def written_questions(path: Path) -> list[tuple[str, str]]:
    """(label, text) pairs of a file of training questions written from the pages and the answers."""
    pairs = []
    for item in yaml.safe_load(path.read_text(encoding="utf-8"))["items"]:
        text = " ".join(str(item["text"]).split())
        topic = str(item["topic"])
        if not text or detect_language(text):
            continue
        label = topic if topic in ("not_covered", "clinical_question") else f"faq/{topic}"
        pairs.append((label, text))
    return pairs


def insert_examples(lines: list[str], label: str, texts: list[str]) -> bool:
    """Append texts at the end of the label's ``examples: |`` block; False if the file has no such block."""
    header = f"- intent: {label}"
    try:
        at = next(i for i, line in enumerate(lines) if line.rstrip() == header)
    except StopIteration:
        return False
    end = at + 2  # past "- intent:" and "  examples: |"
    while end < len(lines) and lines[end].startswith("    "):
        end += 1
    lines[end:end] = [f"    - {text}\n" for text in texts]
    return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="*", help="retired FAQ or clinical sets, e.g. faq_e")
    parser.add_argument(
        "--written", action="append", type=Path, default=[], help="a file of written training questions"
    )
    args = parser.parse_args()
    if not args.sets and not args.written:
        parser.error("name a retired set or a --written file")
    retired = retired_sets(BLIND)
    not_retired = [name for name in args.sets if name not in retired]
    if not_retired:
        print(f"not marked tuning in {BLIND / 'README.md'}: {', '.join(not_retired)}", file=sys.stderr)
        return 2
    files = sorted(NLU.glob("*.yml"))
    known = {_normal(e.text) for path in files for e in load_examples(path)}
    # Never an example of a held-out file or of a set still blind (tests/unit/test_training_data.py).
    known |= {_normal(e.text) for path in (ROOT / "tests" / "heldout").glob("*.yml") for e in load_examples(path)}
    for path in BLIND.glob("*.yml"):
        if path.stem not in retired:
            items = yaml.safe_load(path.read_text(encoding="utf-8"))["items"]
            known |= {_normal(str(item["text"])) for item in items}
    by_label: dict[str, list[str]] = {}
    sources = [labelled_questions(name) for name in args.sets] + [written_questions(p) for p in args.written]
    for pairs in sources:
        for label, text in pairs:
            if _normal(text) not in known:
                known.add(_normal(text))
                by_label.setdefault(label, []).append(text)
    added = 0
    for path in files:
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        changed = False
        for label in list(by_label):
            if insert_examples(lines, label, by_label[label]):
                added += len(by_label.pop(label))
                changed = True
        if changed:
            path.write_text("".join(lines), encoding="utf-8")
    if by_label:
        print(f"no examples block for: {', '.join(sorted(by_label))}", file=sys.stderr)
        return 1
    print(f"{added} examples added from {', '.join([*args.sets, *(p.name for p in args.written)])}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
