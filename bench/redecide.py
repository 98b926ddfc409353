"""Re-decide stored votes with the current triage rules: a rule change checked in seconds.

A model's classifier, meaning and learned-model votes change only when it is
trained again; the rules and their context change with every edit. ``store``
parses the safety sets once with the trained model and keeps each message's
votes; ``decide`` runs the current rules over them and calls
:func:`pump_assistant.triage.decision.decide` as the triage does, and prints each
set's figures. With ``--save`` it keeps the decisions, and with ``--against`` it
lists the messages whose level or 988 changed since a saved run. Those are the
texts to read before a rule change lands. Texts are printed only for sets the
blind sets' README marks **tuning**.

    python bench/redecide.py store --out /tmp/votes.json              # every tuning set (minutes)
    python bench/redecide.py decide --votes /tmp/votes.json --save /tmp/before.json
    # ... edit red_flags.yml, context_rules.yml, context.py ...
    python bench/redecide.py decide --votes /tmp/votes.json --against /tmp/before.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
from pathlib import Path

from pump_assistant.triage.evaluation import retired_sets

ROOT = Path(__file__).resolve().parent.parent

BLIND = ROOT / "tests" / "heldout" / "blind"
MODEL = ROOT / "models" / "pump-assistant.tar.gz"


def store(set_names: list[str], out: Path) -> None:
    import triage_bench  # bench/, next to this script

    triage_bench.quiet_rasa()
    from rasa.core.agent import Agent

    agent = Agent.load(str(MODEL))
    loop = asyncio.new_event_loop()
    votes = {}
    for name in set_names:
        rows = []
        for item in triage_bench.items(BLIND / f"{name}.yml"):
            triage = (loop.run_until_complete(agent.parse_message(item["text"])).get("triage")) or {}
            rows.append({"item": item, "evidence": triage.get("evidence") or {}, "language": triage.get("language")})
        votes[name] = rows
    loop.close()
    out.write_text(json.dumps(votes), encoding="utf-8")
    print(f"votes of {sum(len(v) for v in votes.values())} messages from {len(votes)} sets -> {out}")


def decide_all(votes: dict) -> dict[str, list[dict]]:
    import spacy

    from pump_assistant.triage import Triager
    from pump_assistant.triage.decision import decide
    from pump_assistant.triage.meaning import DEFAULT_MARGIN, DEFAULT_THRESHOLD, MeaningMatch

    triager = Triager(spacy.load(str(ROOT / "models" / "spacy" / "en_pump")))
    decisions: dict[str, list[dict]] = {}
    for name, rows in votes.items():
        decisions[name] = []
        for row in rows:
            evidence = row["evidence"]
            doc = triager.doc(row["item"]["text"])
            rules = triager.rules.detect(doc)
            nearest = match = None
            if evidence.get("meaning_category") is not None:
                similarity, margin = evidence["meaning_similarity"], evidence["meaning_margin"]
                nearest = MeaningMatch(evidence["meaning_category"], similarity, similarity - margin, "")
                match = nearest if similarity >= DEFAULT_THRESHOLD and margin >= DEFAULT_MARGIN else None
            intent = {"name": evidence.get("classifier_intent"), "confidence": evidence.get("classifier_confidence")}
            result = decide(
                doc.text,
                rules,
                intent,
                match,
                nearest,
                row.get("language"),
                evidence.get("self_harm_probability"),
                evidence.get("emergency_probability"),
            )
            decisions[name].append({"level": result.level, "self_harm": result.self_harm, "signs": list(result.signs)})
    return decisions


def figures(votes: dict, decisions: dict) -> dict[str, str]:
    lines = {}
    for name, rows in votes.items():
        pairs = list(zip(rows, decisions[name], strict=True))
        emergencies = [(r, d) for r, d in pairs if r["item"]["expect"] == "emergency"]
        harmless = [(r, d) for r, d in pairs if r["item"]["expect"] != "emergency"]
        self_harm = [(r, d) for r, d in emergencies if r["item"].get("self_harm")]
        caught = sum(d["level"] != "none" for _, d in emergencies)
        lines[name] = (
            f"recall {caught}/{len(emergencies)}, full {sum(d['level'] == 'emergency' for _, d in emergencies)}, "
            f"988 {sum(d['self_harm'] and d['level'] != 'none' for _, d in self_harm)}/{len(self_harm)}, "
            f"harmless full {sum(d['level'] == 'emergency' for _, d in harmless)}/{len(harmless)}, "
            f"either {sum(d['level'] != 'none' for _, d in harmless)}/{len(harmless)}"
        )
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    store_command = commands.add_parser("store", help="parse the sets with the trained model and keep their votes")
    store_command.add_argument("--sets", nargs="*", help="safety sets (default: every one marked tuning)")
    store_command.add_argument("--out", type=Path, required=True)
    decide_command = commands.add_parser("decide", help="re-decide stored votes with the current rules")
    decide_command.add_argument("--votes", type=Path, required=True)
    decide_command.add_argument("--save", type=Path, help="keep these decisions, to compare a later run against")
    decide_command.add_argument("--against", type=Path, help="list messages whose decision changed since this run")
    args = parser.parse_args()
    tuning = {name for name in retired_sets(BLIND) if name.startswith("safety_")}
    if args.command == "store":
        store(args.sets or sorted(tuning), args.out)
        return 0
    votes = json.loads(args.votes.read_text(encoding="utf-8"))
    decisions = decide_all(votes)
    for name, line in figures(votes, decisions).items():
        print(f"{name}: {line}")
    if args.save:
        args.save.write_text(json.dumps(decisions), encoding="utf-8")
    if args.against:
        before = json.loads(args.against.read_text(encoding="utf-8"))
        for name, rows in votes.items():
            for row, old, new in zip(rows, before.get(name) or [], decisions[name], strict=False):
                if (old["level"], old["self_harm"]) == (new["level"], new["self_harm"]):
                    continue
                item = row["item"]
                text = item["text"] if name in tuning else "(blind set: text not shown)"
                print(
                    f"{name} {item['expect']}/{item['category']}: {old['level']}{' +988' if old['self_harm'] else ''}"
                    f" -> {new['level']}{' +988' if new['self_harm'] else ''} | {text}"
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
