"""Safety figures of the trained model on the blind sets (tests/heldout/blind/).

Per safety set: emergency recall by category (either tier), full-emergency
recall, 988 on self-harm, and false alarms on harmless mentions (full reply,
either tier). Clinical set: questions handed off; pump questions wrongly handed
off. FAQ set: topic accuracy. Which sets are blind and which were read and
became tuning data is in tests/heldout/blind/README.md.

    python bench/triage_bench.py [--misses SET ...]
"""
from __future__ import annotations

import argparse
import asyncio
import json
from pathlib import Path

import yaml

from pump_assistant.triage.evaluation import load_safety_set, score_safety, verdict_from_parse

ROOT = Path(__file__).resolve().parent.parent
BLIND = ROOT / "tests" / "heldout" / "blind"
MODEL = ROOT / "models" / "pump-assistant.tar.gz"
HANDOFF_INTENTS = {"emergency", "clinical_question", "request_human"}


def handed_off(parse: dict) -> bool:
    """Staff get it: a hand-off intent, or a possible emergency (answered, and an urgent ticket)."""
    level = (parse.get("triage") or {}).get("level")
    return (parse.get("intent") or {}).get("name") in HANDOFF_INTENTS or level in ("emergency", "possible")


def topic_of(parse: dict) -> str | None:
    if (parse.get("intent") or {}).get("name") != "faq":
        return None
    key = (((parse.get("response_selector") or {}).get("faq") or {}).get("response") or {}).get("intent_response_key") or ""
    return key.split("/", 1)[1] if "/" in key else None


def items(path: Path) -> list[dict]:
    return (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("items") or []


def quiet_rasa() -> None:
    """Rasa's structlog prints every parsed message at debug level: never the evaluation sets' texts."""
    import logging

    import structlog

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    logging.getLogger().setLevel(logging.WARNING)


def run(show_misses: set[str]) -> dict:
    quiet_rasa()
    from rasa.core.agent import Agent

    agent = Agent.load(str(MODEL))
    loop = asyncio.new_event_loop()
    cache: dict[str, dict] = {}

    def parse(text: str) -> dict:
        if text not in cache:
            cache[text] = loop.run_until_complete(agent.parse_message(text))
        return cache[text]

    figures: dict = {}
    for path in sorted(BLIND.glob("safety_*.yml")):
        result = score_safety(load_safety_set(path), lambda t: verdict_from_parse(parse(t)))
        if path.stem not in show_misses:
            result["misses"] = len(result["misses"])
            result["false_alarms"] = len(result["false_alarms"])
        figures[path.stem] = result
    for path in sorted(BLIND.glob("clinical_*.yml")):
        rows = items(path)
        clinical = [r["text"] for r in rows if r["expect"] == "handoff"]
        general = [r["text"] for r in rows if r["expect"] == "answer"]
        kept = [t for t in clinical if not handed_off(parse(t))]
        wrongly = [t for t in general if handed_off(parse(t))]
        figures[path.stem] = {
            "clinical_handed_off": f"{len(clinical) - len(kept)}/{len(clinical)}",
            "clinical_handed_off_rate": round(1 - len(kept) / len(clinical), 4),
            "pump_questions_wrongly_handed_off": f"{len(wrongly)}/{len(general)}",
            "pump_questions_wrongly_handed_off_rate": round(len(wrongly) / len(general), 4),
            **({"kept": kept, "wrongly": wrongly} if path.stem in show_misses else {}),
        }
    for path in sorted(BLIND.glob("faq_*.yml")):
        rows = items(path)
        correct = sum(topic_of(parse(r["text"])) == r["topic"] for r in rows)
        wrongly = sum(handed_off(parse(r["text"])) for r in rows)
        figures[path.stem] = {
            "topic_accuracy": round(correct / len(rows), 4),
            "questions": len(rows),
            "wrongly_handed_off": f"{wrongly}/{len(rows)}",
        }
    loop.close()
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", nargs="*", default=[], help="sets whose misses to print (they become tuning data)")
    args = parser.parse_args()
    print(json.dumps(run(set(args.misses)), indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
