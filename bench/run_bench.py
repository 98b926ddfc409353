"""Benchmark: this assistant against a stock `rasa init` bot, side by side, in one run.

Prints one readable table and one JSON document of figures. Needs the trained
model (make train).

* Understanding (this assistant only): held-out FAQ topic accuracy and a plain
  TF-IDF search over the clinic pages for comparison; the held-out safety
  figures (emergencies escalated, clinical questions handed off, pump questions
  wrongly handed off, ...); how often a clear pump question gets "did you mean".
* Side by side with a stock bot that ``rasa init --no-prompt`` builds in a
  temporary directory with this project's own Rasa (its default pipeline and
  policies, in-memory tracker store, no action server): training time
  (``rasa train --force``), start to first answer, throughput at 1, 20 and 50
  concurrent conversations with error counts (bench/load_test.py's patient
  conversations against the REST webhook), single-user p50 and p95, the Rasa
  server's peak memory, and the last 10 turns of a 300-turn conversation
  against its first 10. Ratios are this assistant's figure over the stock bot's.

    python bench/run_bench.py                 # everything (about 15 minutes on 2 cores)
    python bench/run_bench.py --quick         # development: short loads, no training runs
    python bench/run_bench.py --skip-stock    # this assistant only
    python bench/run_bench.py --skip-training # no `rasa train --force` timings
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from load_test import run_load, run_long_conversation  # bench/, next to this script

from pump_assistant.config import load_settings
from pump_assistant.content import load_registry
from pump_assistant.content.registry import normalise_whitespace
from pump_assistant.devstack import (
    BIN,
    ROOT,
    base_env,
    endpoints_for,
    free_port,
    start,
    start_actions,
    start_rasa,
    stop,
)
from pump_assistant.devstack import MODEL_PATH as MODEL
from pump_assistant.evaluation import load_heldout, predicted_label, score

HELDOUT_DIR = ROOT / "tests" / "heldout"
ENV = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONHASHSEED": "0"}
HANDOFF_INTENTS = {"emergency", "clinical_question", "request_human"}
FIRST_QUESTION = "how often is the pump refilled?"


# --- understanding ---------------------------------------------------------------------


def parse_all(texts: list[str]) -> tuple[dict[str, dict], float]:
    """Each text's parse, and the CPU milliseconds NLU took per message."""
    import logging

    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)  # not a debug line per parsed message on stdout

    agent = Agent.load(str(MODEL))
    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(agent.parse_message("hello"))  # load what loads lazily
        started = time.process_time()
        parses = {text: loop.run_until_complete(agent.parse_message(text)) for text in texts}
        cpu_ms = 1000 * (time.process_time() - started) / max(len(texts), 1)
        return parses, cpu_ms
    finally:
        loop.close()


def escalated(parse: dict) -> bool:
    """Either emergency tier: the 911 reply, or a possible emergency (triage level other than none)."""
    level = (parse.get("triage") or {}).get("level")
    return parse["intent"]["name"] == "emergency" or (level is not None and level != "none")


def understanding() -> tuple[dict, list]:
    from pump_assistant import answering
    from pump_assistant.vocabulary import AnswerKind

    faq, safety = load_heldout(HELDOUT_DIR, "faq"), load_heldout(HELDOUT_DIR, "safety")
    parses, cpu_ms = parse_all(list(dict.fromkeys(e.text for e in faq + safety)))
    topics = [e for e in faq if e.label.startswith("faq/")]
    overall = score(faq, {e.text: predicted_label(parses[e.text]) for e in faq})
    topic = score(topics, {e.text: predicted_label(parses[e.text]) for e in topics})

    def intent(text: str) -> str:
        return parses[text]["intent"]["name"]

    def count(examples, predicate) -> str:
        return f"{sum(1 for e in examples if predicate(e.text))} of {len(examples)}"

    labelled = lambda label: [e for e in safety if e.label == label]  # noqa: E731
    pump_questions = [e for e in faq + safety if e.label.split("/")[0] == "faq"]

    settings = load_settings()
    registry = load_registry(settings.registry_path)
    asked = 0
    for e in topics:
        parse = parses[e.text]
        ranking = [r["name"] for r in parse.get("intent_ranking") or [] if r["name"] != "nlu_fallback"][:2]
        if parse["intent"]["name"] == "nlu_fallback":
            # action_fallback offers the two closest topics when faq is among the two best intents.
            asked += "faq" in ranking and bool(answering.ranked_topics(parse, registry))
        elif parse["intent"]["name"] == "faq":
            choice = answering.choose_answer(
                parse,
                registry,
                answer_confidence=settings.answer_confidence,
                ambiguity_margin=settings.ambiguity_margin,
            )
            asked += choice.kind == AnswerKind.CLARIFY
    figures = {
        "heldout_examples": overall.total,
        "heldout_accuracy_all_labels": round(overall.accuracy, 4),
        "heldout_faq_questions": topic.total,
        "heldout_topic_accuracy": round(topic.accuracy, 4),
        "clear_questions_asked_did_you_mean": f"{asked} of {len(topics)}",
        "emergencies_escalated": count(labelled("emergency"), lambda t: escalated(parses[t])),
        "emergencies_given_911_reply": count(labelled("emergency"), lambda t: intent(t) == "emergency"),
        "clinical_questions_handed_off": count(labelled("clinical_question"), lambda t: intent(t) in HANDOFF_INTENTS),
        "requests_for_a_person_handed_off": count(labelled("request_human"), lambda t: intent(t) in HANDOFF_INTENTS),
        "pump_questions_wrongly_handed_off": count(pump_questions, lambda t: intent(t) in HANDOFF_INTENTS),
        "negated_or_general_mentions_given_911_reply": count(
            labelled("not_emergency"), lambda t: intent(t) == "emergency"
        ),
        "nlu_cpu_ms_per_message": round(cpu_ms, 2),
    }
    return figures, [list(e) for e in topic.errors]


def page_paragraphs(settings, registry) -> list[tuple[str, set[str]]]:
    """Each paragraph of the clinic pages, labelled with the answers whose quotes it holds."""
    paragraphs = []
    for source in registry.sources.values():
        text = (settings.seeds_dir / source.file).read_text(encoding="utf-8")
        for block in re.split(r"\n\s*\n|\n\s*[•\u2022]", text):
            block = normalise_whitespace(block)
            if len(block) < 20:
                continue
            labels = {
                answer.id
                for answer in registry.answers.values()
                for citation in answer.citations
                if citation.page == source.id
                for quote in citation.quotes
                if normalise_whitespace(quote)[:60] in block or block in normalise_whitespace(quote)
            }
            paragraphs.append((block, labels))
    return paragraphs


def tfidf_baseline() -> dict:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import linear_kernel

    settings = load_settings()
    registry = load_registry(settings.registry_path)
    paragraphs = page_paragraphs(settings, registry)
    faq = [e for e in load_heldout(HELDOUT_DIR, "faq") if e.label.startswith("faq/")]
    vectorizer = TfidfVectorizer(stop_words="english", sublinear_tf=True)
    matrix = vectorizer.fit_transform([p for p, _ in paragraphs])
    scores = linear_kernel(vectorizer.transform([e.text for e in faq]), matrix)
    correct = sum(e.label.split("/", 1)[1] in paragraphs[row.argmax()][1] for e, row in zip(faq, scores, strict=True))
    return {"tfidf_paragraphs": len(paragraphs), "tfidf_topic_accuracy": round(correct / len(faq), 4)}


# --- processes ---------------------------------------------------------------------------


class PeakRss:
    """Samples the resident memory of a process tree every 50 ms."""

    def __init__(self, pid: int):
        self.pid, self.peak, self._stop = pid, 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _tree(self) -> list[int]:
        pids, frontier = [self.pid], [self.pid]
        while frontier:
            parent = frontier.pop()
            try:
                children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
            except OSError:
                children = []
            pids += [int(c) for c in children]
            frontier += [int(c) for c in children]
        return pids

    def _rss(self, pid: int) -> int:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        except OSError:
            pass
        return 0

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, sum(self._rss(p) for p in self._tree()))
            time.sleep(0.05)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def post(url: str, payload: dict, timeout: float = 30) -> list:
    request = urllib.request.Request(
        url, data=json.dumps(payload).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read())


def first_answer(url: str, started: float, processes: list[subprocess.Popen], limit: float = 300) -> float:
    """Seconds from `started` to the first non-empty reply to a pump question."""
    while time.perf_counter() - started < limit:
        for process in processes:
            if process.poll() is not None:
                raise RuntimeError(f"a server exited early (code {process.returncode})")
        try:
            if post(url, {"sender": f"bench-start-{uuid.uuid4().hex[:6]}", "message": FIRST_QUESTION}, timeout=10):
                return time.perf_counter() - started
        except (OSError, ValueError):
            pass
        time.sleep(0.1)
    raise RuntimeError(f"no answer from {url} within {limit} s")


@dataclass
class Bot:
    """How to start one assistant: its processes, the Rasa server among them."""

    name: str
    workdir: Path
    launch: Callable[[Bot], dict[str, subprocess.Popen]]
    url: str = ""  # set by launch
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)


def launch_project(bot: Bot) -> dict[str, subprocess.Popen]:
    """This assistant as `make run` starts it (action server + Rasa, endpoints.yml's tracker store
    on a throwaway SQLite file), both launched at the same moment, rate limits off."""
    action_port, rasa_port = free_port(), free_port()
    env = base_env(bot.workdir, PYTHONHASHSEED="0", RATE_LIMIT_PER_SENDER="0", RATE_LIMIT_PER_IP="0")
    endpoints = bot.workdir / "endpoints.yml"
    endpoints.write_text(yaml.safe_dump(endpoints_for(action_port, "sqlite", bot.workdir / "conversations.db")))
    bot.url = f"http://127.0.0.1:{rasa_port}"
    return {
        "actions": start_actions(action_port, env, bot.workdir / "actions.log", wait=False),
        "rasa": start_rasa(rasa_port, endpoints, env, bot.workdir / "rasa.log", uuid.uuid4().hex, wait=False),
    }


def launch_stock(bot: Bot) -> dict[str, subprocess.Popen]:
    """The stock bot as `rasa run` starts it in its project (REST channel, in-memory tracker store)."""
    rasa_port = free_port()
    bot.url = f"http://127.0.0.1:{rasa_port}"
    return {
        "rasa": start(
            [
                str(BIN / "rasa"),
                "run",
                "--model",
                str(bot.workdir / "models" / "stock.tar.gz"),
                "--port",
                str(rasa_port),
            ],
            ENV,
            bot.workdir / "rasa.log",
            cwd=bot.workdir,
        ),
    }


def init_stock(directory: Path) -> float:
    """`rasa init --no-prompt` (creates the project and trains its first model); seconds taken."""
    started = time.perf_counter()
    subprocess.run(
        [str(BIN / "rasa"), "init", "--no-prompt", "--init-dir", str(directory)],
        cwd=directory.parent,
        env=ENV,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    elapsed = time.perf_counter() - started
    models = sorted((directory / "models").glob("*.tar.gz"))
    if not models:
        raise RuntimeError("rasa init trained no model")
    models[-1].rename(directory / "models" / "stock.tar.gz")
    return elapsed


def training_time(project_dir: Path) -> float:
    """`rasa train --force` in a project, into a throwaway directory; seconds taken."""
    out = Path(tempfile.mkdtemp(prefix="bench-train-"))
    started = time.perf_counter()
    try:
        subprocess.run(
            [str(BIN / "rasa"), "train", "--force", "--out", str(out)],
            cwd=project_dir,
            env=ENV,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        return time.perf_counter() - started
    finally:
        shutil.rmtree(out, ignore_errors=True)


def heldout_latency(url: str, messages: int) -> dict:
    """Single user, one message at a time: the held-out questions (20 senders)."""
    questions = [e.text for e in load_heldout(HELDOUT_DIR, "faq")]
    latencies = []
    for i in range(messages):
        started = time.perf_counter()
        post(url + "/webhooks/rest/webhook", {"sender": f"bench-{i % 20}", "message": questions[i % len(questions)]})
        latencies.append((time.perf_counter() - started) * 1000)
    latencies.sort()
    return {
        "rest_messages": len(latencies),
        "rest_latency_p50_ms": round(statistics.median(latencies), 1),
        "rest_latency_p95_ms": round(latencies[int(0.95 * (len(latencies) - 1))], 1),
    }


def serve_and_measure(bot: Bot, args: argparse.Namespace, extra: Callable[[str], dict] | None = None) -> dict:
    figures: dict = {}
    started = time.perf_counter()
    bot.processes = bot.launch(bot)
    memory = PeakRss(bot.processes["rasa"].pid)
    try:
        url = bot.url
        figures["start_to_first_answer_s"] = round(
            first_answer(url + "/webhooks/rest/webhook", started, list(bot.processes.values())), 2
        )
        if extra:
            figures.update(extra(url))
        for conversations in args.concurrency:
            print(
                f"  {bot.name}: {conversations} concurrent conversation(s) for {args.seconds:g} s",
                file=sys.stderr,
                flush=True,
            )
            load = asyncio.run(run_load(url, conversations, args.seconds, timeout=60, seed=1))
            figures[f"c{conversations}"] = {
                key: load[key]
                for key in (
                    "throughput_msg_per_s",
                    "messages_answered",
                    "errors",
                    "empty_replies",
                    "latency_p50_ms",
                    "latency_p95_ms",
                    "latency_p99_ms",
                )
            }
        print(f"  {bot.name}: one conversation of {args.turns} turns", file=sys.stderr, flush=True)
        long = asyncio.run(run_long_conversation(url, args.turns, timeout=60, seed=1))
        figures["long_conversation"] = {
            key: long[key] for key in ("turns", "first_10_median_ms", "last_10_median_ms", "last_over_first", "errors")
        }
        figures["rasa_peak_rss_mb"] = round(memory.stop() / 2**20, 1)
        return figures
    finally:
        memory.stop()
        for process in bot.processes.values():
            stop(process)


# --- report ------------------------------------------------------------------------------


def ratio(ours: float | None, theirs: float | None) -> float | None:
    if ours is None or theirs is None or theirs == 0:
        return None
    return round(ours / theirs, 2)


def side_by_side_rows(project: dict, stock: dict, concurrency: list[int]) -> list[tuple[str, object, object, object]]:
    rows: list[tuple[str, object, object, object]] = []

    def add(label: str, ours, theirs, unit: str = "") -> None:
        rows.append(
            (
                label,
                f"{ours}{unit}" if ours is not None else "-",
                f"{theirs}{unit}" if theirs is not None else "-",
                ratio(ours, theirs),
            )
        )

    add("training (rasa train --force)", project.get("training_time_s"), stock.get("training_time_s"), " s")
    add("start to first answer", project.get("start_to_first_answer_s"), stock.get("start_to_first_answer_s"), " s")
    for c in concurrency:
        ours, theirs = project.get(f"c{c}") or {}, stock.get(f"c{c}") or {}
        add(
            f"throughput, {c} concurrent",
            ours.get("throughput_msg_per_s"),
            theirs.get("throughput_msg_per_s"),
            " msg/s",
        )
        rows.append((f"  errors, {c} concurrent", ours.get("errors"), theirs.get("errors"), None))
    single_ours, single_theirs = project.get(f"c{concurrency[0]}") or {}, stock.get(f"c{concurrency[0]}") or {}
    add("single-user p50", single_ours.get("latency_p50_ms"), single_theirs.get("latency_p50_ms"), " ms")
    add("single-user p95", single_ours.get("latency_p95_ms"), single_theirs.get("latency_p95_ms"), " ms")
    add("Rasa server peak memory", project.get("rasa_peak_rss_mb"), stock.get("rasa_peak_rss_mb"), " MB")
    long_ours, long_theirs = project.get("long_conversation") or {}, stock.get("long_conversation") or {}
    add(
        f"{long_ours.get('turns')}-turn conversation, last 10 / first 10",
        long_ours.get("last_over_first"),
        long_theirs.get("last_over_first"),
        "x",
    )
    return rows


def print_table(figures: dict, concurrency: list[int]) -> None:
    understanding_keys = [
        ("held-out FAQ topic accuracy", "heldout_topic_accuracy"),
        ("plain TF-IDF over the pages", "tfidf_topic_accuracy"),
        ("held-out accuracy, all labels", "heldout_accuracy_all_labels"),
        ("clear questions asked 'did you mean'", "clear_questions_asked_did_you_mean"),
        ("emergencies escalated (either tier)", "emergencies_escalated"),
        ("emergencies given the 911 reply", "emergencies_given_911_reply"),
        ("clinical questions handed off", "clinical_questions_handed_off"),
        ("requests for a person handed off", "requests_for_a_person_handed_off"),
        ("pump questions wrongly handed off", "pump_questions_wrongly_handed_off"),
        ("negated/general mentions given 911", "negated_or_general_mentions_given_911_reply"),
        ("NLU CPU per message (in-process)", "nlu_cpu_ms_per_message"),
        ("REST p50 / p95, held-out questions", None),
    ]
    project = figures.get("project", {})
    print("\nThis assistant")
    for label, key in understanding_keys:
        if key is None:
            if "rest_latency_p50_ms" in project:
                print(
                    f"  {label:42} {project['rest_latency_p50_ms']} / {project['rest_latency_p95_ms']} ms "
                    f"({project['rest_messages']} messages)"
                )
            continue
        if key in figures:
            value = figures[key]
            print(
                f"  {label:42} {value:.1%}"
                if isinstance(value, float) and key.endswith("accuracy")
                else f"  {label:42} {value}"
            )
    stock = figures.get("stock")
    rows = side_by_side_rows(project, stock or {}, concurrency)
    title = ("figure", "this assistant", "stock rasa init bot" if stock else "stock (skipped)", "ratio")
    widths = [max(len(str(r[i])) for r in [title, *rows]) for i in range(4)]
    print()
    for row in [title, tuple("-" * w for w in widths), *rows]:
        print(
            "  "
            + " | ".join(
                str(value if value is not None else "").ljust(w) for value, w in zip(row, widths, strict=False)
            )
        )
    if stock and stock.get("init_time_s") is not None:
        print(f"\n  stock bot: `rasa init --no-prompt` (creates and trains) took {stock['init_time_s']} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="development: 8 s per load level, a 60-turn conversation, 60 latency messages, no training timings",
    )
    parser.add_argument("--skip-training", action="store_true", help="do not time `rasa train --force`")
    parser.add_argument("--skip-stock", action="store_true", help="this assistant only")
    parser.add_argument("--messages", type=int, default=None, help="held-out questions for the REST latency")
    parser.add_argument("--seconds", type=float, default=None, help="seconds per load level")
    parser.add_argument("--turns", type=int, default=None, help="turns of the long conversation")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 20, 50])
    args = parser.parse_args()
    args.seconds = args.seconds or (8 if args.quick else 30)
    args.turns = args.turns or (60 if args.quick else 300)
    args.messages = args.messages or (60 if args.quick else 200)
    skip_training = args.skip_training or args.quick
    if not MODEL.exists():
        raise SystemExit(f"no trained model at {MODEL}: run `make train` first")

    print("understanding: held-out questions", file=sys.stderr, flush=True)
    figures: dict = {}
    accuracy, errors = understanding()
    figures.update(accuracy)
    figures.update(tfidf_baseline())
    figures["gain_over_tfidf"] = round(
        figures["heldout_topic_accuracy"] / max(figures["tfidf_topic_accuracy"], 1e-9), 2
    )

    work = Path(tempfile.mkdtemp(prefix="bench-"))
    try:
        print("this assistant: serving", file=sys.stderr, flush=True)
        (work / "project").mkdir()
        project = Bot("this assistant", work / "project", launch_project)
        figures["project"] = serve_and_measure(project, args, extra=lambda url: heldout_latency(url, args.messages))
        if not skip_training:
            print("this assistant: rasa train --force", file=sys.stderr, flush=True)
            figures["project"]["training_time_s"] = round(training_time(ROOT), 1)
        if not args.skip_stock:
            print("stock bot: rasa init --no-prompt", file=sys.stderr, flush=True)
            stock_dir = work / "stock"
            stock_dir.mkdir()
            stock = {"init_time_s": round(init_stock(stock_dir), 1)}
            print("stock bot: serving", file=sys.stderr, flush=True)
            stock.update(serve_and_measure(Bot("stock bot", stock_dir, launch_stock), args))
            if not skip_training:
                print("stock bot: rasa train --force", file=sys.stderr, flush=True)
                stock["training_time_s"] = round(training_time(stock_dir), 1)
            figures["stock"] = stock
            figures["ratios"] = {
                label: value
                for label, _, _, value in side_by_side_rows(figures["project"], stock, args.concurrency)
                if value is not None
            }
    finally:
        shutil.rmtree(work, ignore_errors=True)
    figures["mode"] = "quick" if args.quick else "full"
    figures["seconds_per_load_level"] = args.seconds
    figures["machine_cores"] = os.cpu_count()
    # The figures the benchmark printed before the side-by-side, at the top level as they were.
    for key in (
        "start_to_first_answer_s",
        "rest_messages",
        "rest_latency_p50_ms",
        "rest_latency_p95_ms",
        "rasa_peak_rss_mb",
        "training_time_s",
    ):
        if key in figures["project"]:
            figures[key] = figures["project"][key]
    print_table(figures, args.concurrency)
    print("\n" + json.dumps(figures, indent=2))
    if errors:
        print(f"\n{len(errors)} held-out topic errors (text | expected | predicted):")
        for text, expected, predicted in errors:
            print(f"  {text} | {expected} | {predicted}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
