"""How the learned self-harm and emergency detectors do on safety sets they never saw.

Their figures on the blind sets come with everything else the triage does; this
isolates them, on tuning data only. The detectors are fitted as the triage
component fits them (``pump_assistant.triage.learned.fit``), but without the
retired sets named by ``--hold-out``; the held-out sets' messages are then read:

* self-harm recall at each cut-off, on all of the held-out self-harm messages and on
  those the rules do not read as self-harm (what the model must add);
* false alarms: held-out messages without self-harm, and the retired FAQ and
  clinical questions (ordinary questions in the reviewers' words).

    python bench/learned_leave_out.py [--hold-out safety_ab safety_ac ...] [--c 10] [--word-weight 2]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import yaml

from pump_assistant.evaluation import load_examples as load_nlu_examples
from pump_assistant.nlp.vector_cache import cached_vectors
from pump_assistant.triage import learned
from pump_assistant.triage.evaluation import retired_sets
from pump_assistant.triage.meaning import load_descriptions

ROOT = Path(__file__).resolve().parent.parent
BLIND = ROOT / "tests" / "heldout" / "blind"
CACHE = ROOT / "models" / "cache" / "leave_out_vectors.npz"
CUT_OFFS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
NEWEST = ["safety_ab", "safety_ac", "safety_ad", "safety_ae"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hold-out", nargs="*", default=NEWEST, help="retired safety sets left out of training")
    parser.add_argument("--c", type=float, default=learned.DEFAULT_C)
    parser.add_argument("--word-weight", type=float, default=learned.WORD_WEIGHT)
    parser.add_argument(
        "--emergency", action="store_true", help="also: the emergency model on the messages the rules call emergencies"
    )
    args = parser.parse_args()
    held = set(args.hold_out)
    assert held <= retired_sets(BLIND), "only retired (tuning) sets may be held out here"

    from pump_assistant.nlp.build import build_pipeline
    from pump_assistant.nlp.sentence_encoder import SentenceEncoder
    from pump_assistant.triage.context import ConText
    from pump_assistant.triage.rules import RuleDetector

    retired = yaml.safe_load(learned.RETIRED_SETS_FILE.read_text(encoding="utf-8"))["items"]
    train = [r for r in retired if r["set"] not in held]
    test = [r for r in retired if r["set"] in held]
    nlu = [e for path in sorted((ROOT / "data" / "nlu").glob("*.yml")) for e in load_nlu_examples(path)]
    test_texts = {" ".join(str(r["text"]).lower().split()) for r in test}
    # NLU examples that are, word for word, held-out messages leave with them.
    ordinary = [e.text for e in nlu if e.label != "emergency" and " ".join(e.text.lower().split()) not in test_texts]
    questions = [
        str(i["text"])
        for name in sorted(retired_sets(BLIND))
        if not name.startswith("safety")
        for i in yaml.safe_load((BLIND / f"{name}.yml").read_text(encoding="utf-8"))["items"]
        if i.get("expect", "answer") in ("answer",) or "topic" in i
    ]
    examples = learned.load_examples()
    descriptions = load_descriptions()
    encoder = SentenceEncoder()
    emergency_examples = [e.text for e in nlu if e.label == "emergency"] if args.emergency else []
    texts = [
        *examples,
        *ordinary,
        *emergency_examples,
        *(t for _, t in descriptions),
        *(str(r["text"]) for r in retired),
        *questions,
    ]
    vectors = cached_vectors(encoder, texts, CACHE)

    yes = [(t, vectors[t]) for t in examples] + [(t, vectors[t]) for c, t in descriptions if c == "self_harm"]
    no = [(t, vectors[t]) for t in ordinary] + [(t, vectors[t]) for c, t in descriptions if c != "self_harm"]
    for r in train:
        (yes if r["self_harm"] else no).append((str(r["text"]), vectors[str(r["text"])]))
    model = learned.fit(yes, no, c=args.c) if args.word_weight == learned.WORD_WEIGHT else _fit(yes, no, args)

    nlp = build_pipeline()
    rules = RuleDetector(nlp, ConText(nlp))

    def p(text: str) -> float:
        return model.probability(text, vectors[text])

    self_harm = [str(r["text"]) for r in test if r["self_harm"]]
    rules_miss = [t for t in self_harm if not rules.detect(nlp(t)).self_harm]
    other = [str(r["text"]) for r in test if not r["self_harm"]]
    harmless = [str(r["text"]) for r in test if not r["emergency"]]
    scores = {
        name: np.array([p(t) for t in group])
        for name, group in [
            ("self_harm", self_harm),
            ("rules_miss", rules_miss),
            ("other", other),
            ("harmless", harmless),
            ("questions", questions),
        ]
    }
    downgrade = (
        _full_alarm_check(args, nlp, rules, vectors, nlu, train, test, descriptions, test_texts)
        if args.emergency
        else {}
    )
    print(
        json.dumps(
            {
                **({"rules_full_emergency_by_emergency_model": downgrade} if downgrade else {}),
                "held_out": sorted(held),
                "c": args.c,
                "word_weight": args.word_weight,
                "counts": {k: len(v) for k, v in scores.items()},
                "by_cut_off": {
                    str(cut): {
                        "self_harm_recall": round(float((scores["self_harm"] >= cut).mean()), 3),
                        "recall_where_rules_miss": round(float((scores["rules_miss"] >= cut).mean()), 3),
                        "other_held_out_flagged": round(float((scores["other"] >= cut).mean()), 4),
                        "harmless_flagged": round(float((scores["harmless"] >= cut).mean()), 4),
                        "questions_flagged": round(float((scores["questions"] >= cut).mean()), 4),
                    }
                    for cut in CUT_OFFS
                },
            },
            indent=1,
        )
    )
    return 0


def _full_alarm_check(args, nlp, rules, vectors, nlu, train, test, descriptions, test_texts) -> dict:
    """The emergency model, fitted without the held-out sets, read on the held-out messages the rules
    alone call full emergencies: how many true emergencies and harmless mentions fall under each cut-off."""
    from pump_assistant.triage.levels import EMERGENCY

    def held(text: str) -> bool:
        return " ".join(text.lower().split()) in test_texts

    yes = [(e.text, vectors[e.text]) for e in nlu if e.label == "emergency" and not held(e.text)]
    yes += [(t, vectors[t]) for _, t in descriptions]
    no = [(e.text, vectors[e.text]) for e in nlu if e.label != "emergency" and not held(e.text)]
    for r in train:
        (yes if r["emergency"] else no).append((str(r["text"]), vectors[str(r["text"])]))
    model = learned.fit(yes, no, c=args.c)
    raised = [r for r in test if rules.detect(nlp(str(r["text"]))).level == EMERGENCY]
    true = np.array([model.probability(str(r["text"]), vectors[str(r["text"])]) for r in raised if r["emergency"]])
    false = np.array([model.probability(str(r["text"]), vectors[str(r["text"])]) for r in raised if not r["emergency"]])
    return {
        "emergencies": len(true),
        "harmless": len(false),
        "below": {
            str(cut): {"emergencies": int((true < cut).sum()), "harmless": int((false < cut).sum())}
            for cut in (0.05, 0.1, 0.2, 0.3, 0.5)
        },
    }


def _fit(yes, no, args):
    saved = learned.WORD_WEIGHT
    learned.WORD_WEIGHT = args.word_weight
    try:
        return learned.fit(yes, no, c=args.c)
    finally:
        learned.WORD_WEIGHT = saved


if __name__ == "__main__":
    raise SystemExit(main())
