"""Benchmark: held-out accuracy (and a TF-IDF baseline), latency, start-up, training time, memory.

Prints one JSON document of figures. Needs the trained model (make train).

    python bench/run_bench.py [--skip-training] [--messages N]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pump_assistant.config import load_settings  # noqa: E402
from pump_assistant.content import load_registry  # noqa: E402
from pump_assistant.content.registry import normalise_whitespace  # noqa: E402
from pump_assistant.evaluation import load_heldout, predicted_label, score  # noqa: E402

HELDOUT_DIR = ROOT / "tests" / "heldout"
MODEL = ROOT / "models" / "pump-assistant.tar.gz"
BIN = Path(sys.executable).parent
ENV = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "3"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def heldout_accuracy() -> dict:
    from rasa.core.agent import Agent

    examples = load_heldout(HELDOUT_DIR, "faq")
    agent = Agent.load(str(MODEL))
    loop = asyncio.new_event_loop()
    predictions = {e.text: predicted_label(loop.run_until_complete(agent.parse_message(e.text))) for e in examples}
    faq = [e for e in examples if e.label.startswith("faq/")]
    overall, topics = score(examples, predictions), score(faq, predictions)
    return {
        "heldout_examples": overall.total,
        "heldout_accuracy_all_labels": round(overall.accuracy, 4),
        "heldout_faq_questions": topics.total,
        "heldout_topic_accuracy": round(topics.accuracy, 4),
        "heldout_topic_errors": [list(e) for e in topics.errors],
    }


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
    correct = sum(e.label.split("/", 1)[1] in paragraphs[row.argmax()][1] for e, row in zip(faq, scores))
    return {"tfidf_paragraphs": len(paragraphs), "tfidf_topic_accuracy": round(correct / len(faq), 4)}


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


def rest_latency(messages: int) -> dict:
    action_port, rasa_port = free_port(), free_port()
    workdir = Path(tempfile.mkdtemp(prefix="bench-"))
    endpoints = workdir / "endpoints.yml"
    endpoints.write_text(f'action_endpoint:\n  url: "http://127.0.0.1:{action_port}/webhook"\n')
    env = {**ENV, "DATABASE_URL": f"sqlite:///{workdir / 'bench.db'}"}
    actions = subprocess.Popen(
        [str(BIN / "rasa"), "run", "actions", "--actions", "actions", "--port", str(action_port)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    started = time.perf_counter()
    rasa = subprocess.Popen(
        [str(BIN / "rasa"), "run", "--model", str(MODEL), "--port", str(rasa_port), "--endpoints", str(endpoints)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    memory = PeakRss(rasa.pid)
    url = f"http://127.0.0.1:{rasa_port}/webhooks/rest/webhook"
    try:
        first_answer = None
        while time.perf_counter() - started < 180:
            try:
                if post(url, {"sender": "bench-start", "message": "how often is the pump refilled?"}, timeout=5):
                    first_answer = time.perf_counter() - started
                    break
            except OSError:
                time.sleep(0.2)
        questions = [e.text for e in load_heldout(HELDOUT_DIR, "faq")]
        latencies = []
        for i in range(messages):
            t0 = time.perf_counter()
            post(url, {"sender": f"bench-{i % 20}", "message": questions[i % len(questions)]})
            latencies.append((time.perf_counter() - t0) * 1000)
        latencies.sort()
        return {
            "start_to_first_answer_s": round(first_answer, 2) if first_answer else None,
            "rest_messages": len(latencies),
            "rest_latency_p50_ms": round(statistics.median(latencies), 1),
            "rest_latency_p95_ms": round(latencies[int(0.95 * (len(latencies) - 1))], 1),
            "rasa_peak_rss_mb": round(memory.stop() / 2**20, 1),
        }
    finally:
        memory.stop()
        for process in (rasa, actions):
            process.terminate()
        for process in (rasa, actions):
            process.wait(timeout=30)
        shutil.rmtree(workdir, ignore_errors=True)


def training_time() -> dict:
    out = Path(tempfile.mkdtemp(prefix="bench-train-"))
    started = time.perf_counter()
    subprocess.run(
        [str(BIN / "rasa"), "train", "--force", "--out", str(out)],
        cwd=ROOT, env=ENV, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    shutil.rmtree(out, ignore_errors=True)
    return {"training_time_s": round(time.perf_counter() - started, 1)}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--skip-training", action="store_true", help="do not time a full training run")
    parser.add_argument("--messages", type=int, default=200)
    args = parser.parse_args()
    figures: dict = {}
    figures.update(heldout_accuracy())
    figures.update(tfidf_baseline())
    figures["gain_over_tfidf"] = round(figures["heldout_topic_accuracy"] / max(figures["tfidf_topic_accuracy"], 1e-9), 2)
    figures.update(rest_latency(args.messages))
    if not args.skip_training:
        figures.update(training_time())
    errors = figures.pop("heldout_topic_errors")
    print(json.dumps(figures, indent=2))
    if errors:
        print(f"\n{len(errors)} held-out topic errors (text | expected | predicted):")
        for text, expected, predicted in errors:
            print(f"  {text} | {expected} | {predicted}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
