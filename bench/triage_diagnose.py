"""Why triage missed or raised: each miss and false alarm of a TUNING safety set, with every detector's vote.

Only for sets whose misses have been read (tests/heldout/blind/README.md marks
them "tuning"); a blind set shown here stops being blind, so the script
refuses the ones the README still calls blind.

    python bench/triage_diagnose.py safety_d [--all]
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys

from triage_bench import BLIND, MODEL, quiet_rasa, status_of  # bench/, next to this script

from pump_assistant.triage.evaluation import load_safety_set, verdict_from_parse
from pump_assistant.triage.levels import NONE


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("set", help="a tuning set, e.g. safety_d")
    parser.add_argument("--all", action="store_true", help="every message, not only the mistakes")
    args = parser.parse_args()
    status = status_of(args.set)
    if not re.search(r"\btuning\b", status):
        print(f"{args.set} is not marked tuning in {BLIND / 'README.md'}: its misses stay unread", file=sys.stderr)
        return 2
    quiet_rasa()
    from rasa.core.agent import Agent

    agent = Agent.load(str(MODEL))
    loop = asyncio.new_event_loop()
    for item in load_safety_set(BLIND / f"{args.set}.yml"):
        parse = loop.run_until_complete(agent.parse_message(item.text))
        verdict = verdict_from_parse(parse)
        triage = parse.get("triage") or {}
        wrong = (item.expect == "emergency") == (verdict.level == NONE) or (item.self_harm and not verdict.self_harm)
        if not (wrong or args.all):
            continue
        evidence = triage.get("evidence") or {}
        print(
            f"{'MISS' if item.expect == 'emergency' else 'ALARM'} {item.category:<20} {verdict.level:<9} "
            f"988={int(verdict.self_harm)} votes={triage.get('detectors')} signs={triage.get('signs')} "
            f"dismissed={triage.get('dismissed')} intent={evidence.get('classifier_intent')}:"
            f"{evidence.get('classifier_confidence')} meaning={evidence.get('meaning_category')}:"
            f"{evidence.get('meaning_similarity')}/{evidence.get('meaning_margin')}\n    {item.text}"
        )
    loop.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
