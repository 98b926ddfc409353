"""Safety figures of the trained model on the blind sets (tests/heldout/blind/).

Per safety set: emergency recall by category (either tier), full-emergency
recall, 988 on self-harm, and false alarms on harmless mentions (full reply,
either tier). Clinical set: questions handed off; pump questions wrongly handed
off. FAQ set: topic accuracy. Which sets are blind and which were read and
became tuning data is in tests/heldout/blind/README.md.

    python bench/triage_bench.py [--sets SET ...] [--misses SET ...]

Without --sets, a set the README still marks "never measured" is left out (and
named): its first measurement is for the next change, chosen on purpose with --sets.
    python bench/triage_bench.py --latency      # emergency vs FAQ reply time on the running stack
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections import Counter
from pathlib import Path

import yaml

from pump_assistant.triage.evaluation import load_safety_set, score_safety, set_statuses, verdict_from_parse

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
    key = (((parse.get("response_selector") or {}).get("faq") or {}).get("response") or {}).get(
        "intent_response_key"
    ) or ""
    return key.split("/", 1)[1] if "/" in key else None


def items(path: Path) -> list[dict]:
    return (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("items") or []


def quiet_rasa() -> None:
    """Rasa's structlog prints every parsed message at debug level: never the evaluation sets' texts."""
    import logging

    import structlog

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    logging.getLogger().setLevel(logging.WARNING)


def run(show_misses: set[str], only: set[str] | None = None) -> dict:
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
    for path in _chosen(BLIND.glob("safety_*.yml"), only):
        safety_items = load_safety_set(path)
        result = score_safety(safety_items, lambda t: verdict_from_parse(parse(t)))
        result["false_alarms_by_cause"] = _causes(
            (i.category, parse(i.text)) for i in safety_items if i.expect != "emergency"
        )
        if path.stem not in show_misses:
            result["misses"] = len(result["misses"])
            result["false_alarms"] = len(result["false_alarms"])
            result["self_harm_without_988"] = len(result["self_harm_without_988"])
        figures[path.stem] = result
    for path in _chosen(BLIND.glob("clinical_*.yml"), only):
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
            "wrongly_handed_off_by_cause": _handoff_causes(parse(t) for t in wrongly),
            **({"kept": kept, "wrongly": wrongly} if path.stem in show_misses else {}),
        }
    for path in _chosen(BLIND.glob("faq_*.yml"), only):
        rows = items(path)
        parses = [parse(r["text"]) for r in rows]
        correct = [topic_of(p) == r["topic"] for r, p in zip(rows, parses, strict=True)]
        handed = sum(handed_off(p) for p in parses)
        # A second reviewer marked the questions the pages do not answer (answered_by_pages: false):
        # for those the right reply is "our pages don't cover that", not a topic's answer.
        answerable = [k for k, r in enumerate(rows) if r.get("answered_by_pages", True)]
        unanswerable = [k for k, r in enumerate(rows) if not r.get("answered_by_pages", True)]
        figures[path.stem] = {
            "topic_accuracy": round(sum(correct) / len(rows), 4),
            "questions": len(rows),
            "wrongly_handed_off": f"{handed}/{len(rows)}",
            "handed_off_by_cause": _handoff_causes(p for p in parses if handed_off(p)),
            **(
                {
                    "topic_accuracy_answerable": round(sum(correct[k] for k in answerable) / len(answerable), 4),
                    "answerable": len(answerable),
                    "unanswerable_given_a_topic_answer": f"{sum(topic_of(parses[k]) is not None for k in unanswerable)}/{len(unanswerable)}",
                }
                if unanswerable
                else {}
            ),
        }
        if path.stem in show_misses:
            figures[path.stem]["misses"] = [
                [r["topic"], topic_of(p) or (p.get("intent") or {}).get("name"), r["text"]]
                for r, p, ok in zip(rows, parses, correct, strict=True)
                if not ok and r.get("answered_by_pages", True)
            ]
    loop.close()
    return figures


def _causes(parses) -> dict[str, int]:
    """Which detectors raised the false alarms, counted by the harmless mention's kind (never the
    messages): "emergency: rules (historical)", "possible: meaning+emergency_model (general)" ..."""
    counts: Counter[str] = Counter()
    for category, parse in parses:
        verdict = verdict_from_parse(parse)
        if verdict.level == "none":
            continue
        triage = parse.get("triage") or {}
        votes = triage.get("detectors") or {}
        if verdict.level == "emergency":
            cause = "rules" if votes.get("rules") == "emergency" else "classifier"
        else:
            cause = "+".join(sorted(name for name, vote in votes.items() if vote != "none")) or "unknown"
        counts[f"{verdict.level}: {cause} ({category})"] += 1
    return dict(sorted(counts.items()))


def _handoff_causes(parses) -> dict[str, int]:
    """Why general questions went to staff, counted (never the messages): another language, a
    possible emergency, a personal-care cue (by name), or the classifier alone."""
    counts: Counter[str] = Counter()
    for parse in parses:
        triage = parse.get("triage") or {}
        if (triage.get("detectors") or {}).get("language", "none") != "none":
            counts["another language"] += 1
        elif triage.get("level") in ("emergency", "possible"):
            counts["possible emergency"] += 1
        elif parse.get("personal_care"):
            counts["cue: " + "+".join(parse["personal_care"])] += 1
        else:
            counts["classifier"] += 1
    return dict(sorted(counts.items()))


def status_of(set_name: str) -> str:
    """The set's status column in the blind sets' README."""
    return set_statuses(BLIND).get(set_name, "").lower()


def never_measured(set_name: str) -> bool:
    return "never measured" in status_of(set_name)


def _chosen(paths, only: set[str] | None) -> list[Path]:
    if only is not None:
        return sorted(p for p in paths if p.stem in only)
    return sorted(p for p in paths if not never_measured(p.stem))


def reply_latency(messages: int = 150) -> dict:
    """Single-user reply time of emergency messages against FAQ questions, through the REST channel.

    The emergency reply must not wait on anything an FAQ answer does not: its p95
    should be within 10 % of an FAQ answer's. Messages from the older held-out
    files (tuning data), each sent once, alternating, in new conversations.
    """
    import statistics
    import urllib.request
    import uuid

    import load_test  # bench/, next to this script

    from pump_assistant.evaluation import load_heldout

    safety = load_heldout(ROOT / "tests" / "heldout", "safety")
    faq = [e.text for e in load_heldout(ROOT / "tests" / "heldout", "faq") if e.label.startswith("faq/")][:messages]
    emergencies = [e.text for e in safety if e.label == "emergency"][:messages]
    times: dict[str, list[float]] = {"emergency": [], "faq": []}
    with load_test.started_stack("sqlite") as stack:
        url = f"{stack.url}/webhooks/rest/webhook"

        def send(text: str) -> float:
            body = json.dumps({"sender": f"lat-{uuid.uuid4().hex[:10]}", "message": text}).encode()
            request = urllib.request.Request(url, body, {"Content-Type": "application/json"})
            started = time.perf_counter()
            with urllib.request.urlopen(request, timeout=30) as response:
                response.read()
            return (time.perf_counter() - started) * 1000

        for text in faq[:5]:  # warm up
            send(text)
        for emergency, question in zip(emergencies, faq, strict=False):
            times["emergency"].append(send(emergency))
            times["faq"].append(send(question))

    def p95(values: list[float]) -> float:
        return round(statistics.quantiles(values, n=20)[-1], 1)

    emergency_p95, faq_p95 = p95(times["emergency"]), p95(times["faq"])
    return {
        "messages_each": len(times["faq"]),
        "emergency_p50_ms": round(statistics.median(times["emergency"]), 1),
        "faq_p50_ms": round(statistics.median(times["faq"]), 1),
        "emergency_p95_ms": emergency_p95,
        "faq_p95_ms": faq_p95,
        "emergency_over_faq_p95": round(emergency_p95 / faq_p95, 2),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", nargs="*", default=[], help="sets whose misses to print (they become tuning data)")
    parser.add_argument("--latency", action="store_true", help="emergency vs FAQ reply time on a started stack")
    parser.add_argument(
        "--sets", nargs="*", help="only these sets (e.g. safety_e): a blind set is measured once per change"
    )
    args = parser.parse_args()
    only = set(args.sets) if args.sets else None
    if only is None:
        kept_blind = sorted(p.stem for p in BLIND.glob("*.yml") if never_measured(p.stem))
        if kept_blind:
            print(
                f"left out, never measured (measure one with --sets for the next change): {', '.join(kept_blind)}",
                file=sys.stderr,
            )
    print(json.dumps(reply_latency() if args.latency else run(set(args.misses), only), indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
