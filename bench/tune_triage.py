"""Choose the meaning detector's threshold and margin on the training data, never on evaluation sets.

The contrast bank is half of the ordinary training questions; the other half
measures false alarms, the training emergencies measure recall. Prints a grid
and the pair with the best recall whose false-alarm rate stays under the cap.

    python bench/tune_triage.py [--cap 0.01]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from pump_assistant.evaluation import load_examples
from pump_assistant.nlp.sentence_encoder import SentenceEncoder
from pump_assistant.triage.meaning import MeaningDetector, load_descriptions

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cap", type=float, default=0.01, help="largest false-alarm rate on ordinary questions")
    args = parser.parse_args()
    examples = [e for path in sorted((ROOT / "data" / "nlu").glob("*.yml")) for e in load_examples(path)]
    emergencies = [e.text for e in examples if e.label == "emergency"]
    ordinary = [e.text for e in examples if e.label != "emergency"]
    rng = np.random.default_rng(0)
    order = rng.permutation(len(ordinary))
    bank_half, test_half = order[: len(order) // 2], order[len(order) // 2 :]

    encoder = SentenceEncoder()
    descriptions = load_descriptions()
    bank = encoder.encode([t for _, t in descriptions])
    ordinary_vectors = encoder.encode(ordinary)
    emergency_vectors = encoder.encode(emergencies)
    detector = MeaningDetector(
        bank, [c for c, _ in descriptions], [t for _, t in descriptions], ordinary_vectors[bank_half]
    )
    hits = [detector.nearest(v) for v in emergency_vectors]
    alarms = [detector.nearest(ordinary_vectors[i]) for i in test_half]

    grid = []
    for threshold in np.arange(0.30, 0.80, 0.02):
        for margin in np.arange(-0.12, 0.16, 0.02):
            recall = np.mean([m.similarity >= threshold and m.margin >= margin for m in hits])
            false = np.mean([m.similarity >= threshold and m.margin >= margin for m in alarms])
            grid.append((round(float(threshold), 2), round(float(margin), 2), float(recall), float(false)))
    allowed = [g for g in grid if g[3] <= args.cap]
    best = max(allowed, key=lambda g: (g[2], -g[3], g[0]))
    print(
        json.dumps(
            {
                "training_emergencies": len(emergencies),
                "ordinary_questions_tested": len(test_half),
                "cap": args.cap,
                "best": {
                    "threshold": best[0],
                    "margin": best[1],
                    "recall": round(best[2], 4),
                    "false_alarms": round(best[3], 4),
                },
            },
            indent=1,
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
