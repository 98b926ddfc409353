"""Tune the fallback and "did you mean" thresholds on data, not by feel.

Holds out a stratified 20 % of the *training* examples (never the held-out test
file), trains an NLU model on the rest, and sweeps:

* the FallbackClassifier threshold (config.yml): the lowest intent confidence
  the assistant acts on;
* ANSWER_CONFIDENCE / AMBIGUITY_MARGIN: when the two best FAQ topics are close,
  offer both instead of answering.

The objective counts a wrong answer as three times as bad as a "did you mean"
or a fallback (a patient misled costs more than one who is asked to choose).

    python bench/tune_thresholds.py [--seed 7]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

import yaml

from pump_assistant.config import load_settings
from pump_assistant.evaluation import Example, load_examples, predicted_label

ROOT = Path(__file__).resolve().parent.parent

WRONG_COST = 3.0


def split(seed: int) -> tuple[list[Example], list[Example]]:
    by_label: dict[str, list[Example]] = defaultdict(list)
    for path in sorted((ROOT / "data" / "nlu").glob("*.yml")):
        for example in load_examples(path):
            by_label[example.label].append(example)
    rng = random.Random(seed)
    train, dev = [], []
    for examples in by_label.values():
        rng.shuffle(examples)
        cut = max(1, len(examples) // 5)
        dev += examples[:cut]
        train += examples[cut:]
    return train, dev


def write_nlu(examples: list[Example], path: Path) -> None:
    by_label: dict[str, list[str]] = defaultdict(list)
    for e in examples:
        by_label[e.label].append(e.text)
    blocks = [{"intent": label, "examples": "".join(f"- {t}\n" for t in texts)} for label, texts in by_label.items()]
    path.write_text(yaml.safe_dump({"version": "3.1", "nlu": blocks}, sort_keys=False, allow_unicode=True))


def outcome(parse: dict, expected: str, fallback: float, confidence: float, margin: float) -> str:
    intent = parse["intent"]
    if intent["name"] != "emergency" and intent["confidence"] < fallback:
        return "asked"
    label = predicted_label(parse)
    if label.startswith("faq/"):
        ranking = parse["response_selector"]["faq"]["ranking"]
        if (
            len(ranking) > 1
            and ranking[0]["confidence"] < confidence
            and ranking[0]["confidence"] - ranking[1]["confidence"] < margin
        ):
            return "asked"
    return "right" if label == expected else "wrong"


def configured_fallback_threshold() -> float:
    """The FallbackClassifier's threshold in config.yml (Rasa's default when the component sets none)."""
    from rasa.core.constants import DEFAULT_NLU_FALLBACK_THRESHOLD

    pipeline = yaml.safe_load((ROOT / "config.yml").read_text())["pipeline"]
    component = next((c for c in pipeline if c["name"] == "FallbackClassifier"), None)
    if component is None:
        raise SystemExit("config.yml has no FallbackClassifier to tune")
    return float(component.get("threshold", DEFAULT_NLU_FALLBACK_THRESHOLD))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    from rasa.core.agent import Agent

    train, dev = split(args.seed)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        write_nlu(train, tmp / "nlu.yml")
        subprocess.run(
            [
                str(Path(sys.executable).parent / "rasa"),
                "train",
                "nlu",
                "--nlu",
                str(tmp / "nlu.yml"),
                "--config",
                "config.yml",
                "--out",
                str(tmp),
                "--fixed-model-name",
                "tune",
            ],
            cwd=ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        agent = Agent.load(str(tmp / "tune.tar.gz"))
        loop = asyncio.new_event_loop()
        # The FallbackClassifier would hide the raw intent; read the ranking instead.
        parses = []
        for e in dev:
            parse = loop.run_until_complete(agent.parse_message(e.text))
            ranking = [r for r in parse["intent_ranking"] if r["name"] != "nlu_fallback"]
            if parse["intent"]["name"] == "nlu_fallback" and ranking:
                parse["intent"] = ranking[0]
            parses.append((parse, e.label))

    def evaluate(fallback: float, confidence: float, margin: float) -> tuple[float, dict]:
        counts: dict = defaultdict(int)
        for parse, expected in parses:
            counts[outcome(parse, expected, fallback, confidence, margin)] += 1
        return counts["asked"] + WRONG_COST * counts["wrong"], dict(counts)

    results = []
    grid = [round(0.1 * i, 1) for i in range(1, 10)]
    for fallback in grid:
        for confidence in grid:
            for margin in [0.05, 0.1, 0.2, 0.3, 0.4, 0.5]:
                cost, counts = evaluate(fallback, confidence, margin)
                results.append((cost, counts.get("asked", 0), fallback, confidence, margin, counts))
    # Lowest cost; among equal costs, the fewest questions asked back.
    results.sort(key=lambda r: (r[0], r[1], r[2], r[3], r[4]))
    cost, _, fallback, confidence, margin, counts = results[0]
    settings = load_settings()
    current_fallback = configured_fallback_threshold()
    print(
        json.dumps(
            {
                "dev_examples": len(parses),
                "fallback_threshold": fallback,
                "answer_confidence": confidence,
                "ambiguity_margin": margin,
                "outcomes": counts,
                "next_best": [
                    {
                        "fallback_threshold": f,
                        "answer_confidence": c,
                        "ambiguity_margin": m,
                        "cost": cost_,
                        "outcomes": o,
                    }
                    for cost_, _, f, c, m, o in results[1:8]
                ],
                "current": {
                    "fallback_threshold": current_fallback,
                    "answer_confidence": settings.answer_confidence,
                    "ambiguity_margin": settings.ambiguity_margin,
                    "outcomes": evaluate(current_fallback, settings.answer_confidence, settings.ambiguity_margin)[1],
                },
            },
            indent=2,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
