"""Lay out data/nlu/ by intent family, one file each, as a reference Rasa project does.

Reads the given NLU files (default: every data/nlu/*.yml), groups every example
by the family of its intent, drops repeats (case and spacing ignored; the first
occurrence in file-name order wins, as scripts/dedupe_nlu.py), and writes one
file per family. FAQ topics are grouped by their ``topic`` in the answer
registry (content/answers.yml): ``faq_<topic>.yml``. Example lines are copied
exactly as written. The files read are removed unless a family file replaces
them. Running it again on the result changes nothing.

    python scripts/split_nlu_by_family.py            # fold every file in data/nlu
    python scripts/split_nlu_by_family.py --check    # exit 1 if a file holds another family's intent
    python scripts/split_nlu_by_family.py data/nlu/new_batch.yml ...   # fold just these (and the family files)
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NLU_DIR = ROOT / "data" / "nlu"
sys.path.insert(0, str(ROOT))

# Intent family -> (file, what belongs there). FAQ topics are added from the registry.
FAMILIES: dict[str, tuple[str, list[str], str]] = {
    "emergency": (
        "emergency.yml",
        ["emergency"],
        "A serious sign happening now (911; 988 for thoughts of self-harm), also in indirect\n"
        "# words: thoughts of self-harm, caregivers describing what they see, home-nurse shorthand\n"
        "# with vital signs, text shorthand and non-native English. Triage runs after the\n"
        "# classifier as well (pump_assistant/triage).",
    ),
    "clinical": (
        "clinical.yml",
        ["clinical_question"],
        "Questions about one person's own care (doses, medicines, wound, symptoms, alarms,\n"
        "# refills, pregnancy, candidacy with their own history, their own procedures, attempts\n"
        "# to get a dose): handed to staff. Many contain FAQ-sounding words on purpose; a general\n"
        "# question about the pump is faq/<topic> (docs/topics.md). Mentions of red-flag words\n"
        "# (denied, past, hypothetical, someone else's) are labelled by what is actually asked.",
    ),
    "handoff": (
        "handoff.yml",
        ["request_human", "inform_contact"],
        "Asking for a person, and the contact details the hand-off form asks for.",
    ),
    "conversation": (
        "conversation.yml",
        ["greet", "goodbye", "thank", "affirm", "deny"],
        "The conversation itself: greetings, thanks, goodbyes, yes and no.",
    ),
    "smalltalk": (
        "smalltalk.yml",
        ["bot_challenge", "help"],
        "About the assistant: is it a bot, what can it help with.",
    ),
    "followups": (
        "followups.yml",
        ["followup_duration", "followup_more", "feedback_helpful", "feedback_not_helpful"],
        "After an answer: a short follow-up read against the topic just answered, or feedback.",
    ),
    "out_of_scope": ("out_of_scope.yml", ["out_of_scope"], "Nothing to do with the pump or the clinic."),
    "limits": (
        "limits.yml",
        ["not_covered"],
        "Pump questions the clinic's pages do not answer (the assistant says so and offers staff).",
    ),
}
HEADER = 'version: "3.1"\n'


def faq_families() -> dict[str, tuple[str, list[str], str]]:
    from pump_assistant.config import load_settings
    from pump_assistant.content import load_registry

    registry = load_registry(load_settings().registry_path)
    by_topic: dict[str, list[str]] = defaultdict(list)
    for answer in registry.answers.values():
        by_topic[answer.topic].append(f"faq/{answer.id}")
    return {
        f"faq_{topic}": (
            f"faq_{topic}.yml",
            intents,
            f"General pump questions answered from the clinic's pages, registry topic '{topic}'.\n"
            "# Often phrased with I/my, and some mention red-flag words in a general question:\n"
            "# labelled by what is actually asked.",
        )
        for topic, intents in by_topic.items()
    }


def read_blocks(path: Path) -> list[tuple[str, list[str]]]:
    """(intent, example lines as written) for each intent block of a Rasa NLU YAML file."""
    blocks: list[tuple[str, list[str]]] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        stripped = line.strip()
        indent = len(line) - len(line.lstrip(" "))
        if not stripped or stripped.startswith("#") or (indent == 0 and stripped.startswith(("version:", "nlu:"))):
            continue
        if indent <= 2 and stripped.startswith("- intent:"):
            blocks.append((stripped.split(":", 1)[1].strip(), []))
        elif blocks and indent >= 2 and stripped.replace(" ", "") == "examples:|":
            continue
        elif blocks and indent >= 4 and stripped.startswith("- "):
            blocks[-1][1].append(stripped[2:])
        else:
            raise SystemExit(f"{path.name}:{number}: cannot read {line!r} (only intents with examples are supported)")
    return blocks


def render(description: str, intents: list[str], examples: dict[str, list[str]]) -> str:
    lines = [HEADER, f"# {description}\n", "nlu:\n"]
    for intent in intents:
        if not examples.get(intent):
            continue
        lines.append(f"- intent: {intent}\n  examples: |\n")
        lines += [f"    - {text}\n" for text in examples[intent]]
    return "".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path, help="NLU files to fold in (default: all of data/nlu)")
    parser.add_argument("--check", action="store_true", help="only report files that hold another family's intent")
    args = parser.parse_args()
    families = {**FAMILIES, **faq_families()}
    family_of = {intent: name for name, (_, intents, _) in families.items() for intent in intents}
    file_of = {name: NLU_DIR / file for name, (file, _, _) in families.items()}

    if args.check:
        wrong = [
            f"{path.name}: {intent}"
            for path in sorted(NLU_DIR.glob("*.yml"))
            for intent, _ in read_blocks(path)
            if file_of.get(family_of.get(intent, "")) != path
        ]
        print("\n".join(wrong) or "every example is in its family's file")
        return 1 if wrong else 0

    family_files = {path for path in file_of.values() if path.exists()}
    sources = sorted({p.resolve() for p in (args.files or NLU_DIR.glob("*.yml"))} | family_files)
    examples: dict[str, list[str]] = defaultdict(list)
    seen: set[str] = set()
    dropped = 0
    for path in sources:
        for intent, lines in read_blocks(path):
            if intent not in family_of:
                raise SystemExit(f"{path.name}: intent {intent!r} has no family; add it to FAMILIES")
            for text in lines:
                key = " ".join(text.lower().split())
                if key in seen:
                    dropped += 1
                    continue
                seen.add(key)
                examples[intent].append(text)
    written = set()
    for name, (_, intents, description) in families.items():
        if any(examples.get(intent) for intent in intents):
            file_of[name].write_text(render(description, intents, examples), encoding="utf-8")
            written.add(file_of[name])
    for path in sources:
        if path not in written:
            path.unlink()
    print(
        f"{sum(map(len, examples.values()))} examples in {len(written)} family files"
        f"{f', {dropped} repeats dropped' if dropped else ''}; removed: "
        + (", ".join(sorted(p.name for p in sources if p not in written)) or "none")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
