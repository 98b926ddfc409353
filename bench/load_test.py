"""Load test for the REST channel: many concurrent patient conversations, or one very long one.

Each of N conversation slots plays patient conversations back to back (a fresh
sender id for each conversation) and sends its next message as soon as the
previous reply arrives, for D seconds. Prints throughput, latency percentiles
and errors by kind; ``--json`` adds one JSON line with the same figures.

    python bench/load_test.py --start --conversations 50 --seconds 60
    python bench/load_test.py --url http://localhost:5005 --conversations 200
    python bench/load_test.py --start --long-conversation 300

``--start`` runs the action server and the Rasa server from models/ on free
loopback ports with throwaway SQLite databases and endpoints.yml's tracker store
(``--tracker-store memory`` leaves the tracker store out, to see what the SQL
store costs; ``sqlite-stock`` uses Rasa's own ``type: SQL``).
Against a running server, its per-sender and per-IP rate limits (RATE_LIMIT_*)
must be off, or the run measures HTTP 429s.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import yaml

from pump_assistant.devstack import BIN, base_env, endpoints_for, free_port, start_actions, start_rasa, stop
from pump_assistant.devstack import MODEL_PATH as MODEL

WEBHOOK = "/webhooks/rest/webhook"

# Written for this test; none of it comes from tests/heldout/ or the training data.
FAQ_QUESTIONS = {
    "what_is_pump": [
        "what is an intrathecal pump exactly",
        "a friend has a pain pump, what is that thing",
        "how does a pump that puts medicine near the spine work",
    ],
    "parts_and_placement": [
        "where do they put the pump in your body",
        "is the pump visible under the skin, how big is it",
    ],
    "medications": [
        "which medicines can they put inside the pump",
        "does the pump only use morphine",
    ],
    "conditions_treated": [
        "which pain conditions is an implanted pump meant for",
        "can a pump help with muscle spasticity",
    ],
    "candidates": [
        "what makes somebody suitable for a pain pump",
        "what do you need before they will consider you for a pump",
    ],
    "psych_evaluation": ["why do i have to see a psychologist before the pump"],
    "trial": [
        "can you walk me through the trial period for the pump",
        "what's the point of testing it first before the real implant",
    ],
    "trial_duration": ["how many days does the trial usually last"],
    "trial_success": ["how will they know whether my trial went well"],
    "implant_procedure": [
        "what happens in the implant surgery",
        "how long is the operation to put the pump in",
    ],
    "anesthesia": ["will i be asleep when they implant the pump"],
    "hospital_stay": ["do you have to stay in the hospital after the implant"],
    "recovery": [
        "what is recovery like after getting the pump",
        "when do the stitches come out after the implant",
    ],
    "refills": [
        "how frequently do i come in to get the pump topped up",
        "who refills the pump and what if it runs empty",
    ],
    "battery": [
        "how many years does the battery in these pumps go for",
        "what do they do when the battery in the pump gets low",
    ],
    "side_effects": [
        "any side effects i should expect from the pump?",
        "are there fewer side effects than with pain pills",
    ],
    "risks": ["what can go wrong with an intrathecal pump"],
    "programming": ["how do they change the settings on the pump"],
    "permanence": ["is the pump permanent or can it come out"],
    "effectiveness": ["how well do these pumps actually work for pain"],
    # Questions patients ask that the clinic pages do not answer (intent not_covered).
    "mri": ["can i still have an MRI scan with a pump inside me"],
    "travel": [
        "does the device beep going through airport security",
        "is it ok to fly on a plane with the pump",
    ],
}
GREETINGS = ["hi", "hello there", "good morning", "hey, I have a question about the pump"]
HELP = ["what kind of things can you help me with"]
FOLLOW_UPS = ["how long does that take", "can you tell me more about that", "and what happens after that"]
FEEDBACK = ["that was helpful, thanks", "that didn't really answer my question"]
SMALL_TALK = ["are you a real nurse or a computer", "is this a chatbot", "what's the weather like today"]
THANKS = ["thank you", "thanks so much"]
GOODBYES = ["bye", "ok that's all, goodbye"]
# A question about the patient's own care: a hand-off to staff, then the contact questions.
CLINICAL = [
    "my legs have felt weaker since my last refill, should my dose be lowered",
    "can the clinic turn my pump up a little, the pain is back in the evenings",
    "is it okay to take ibuprofen with the medicine in my pump",
]
CONTACT_ANSWERS = ["yes please", "Dana Whitfield", "555-014-2288", "weekday afternoons"]


def plan_conversation(rng: random.Random) -> list[str]:
    """One patient's visit: a greeting or not, a few pump questions, small talk, now and then a clinical question."""
    faq = [q for questions in FAQ_QUESTIONS.values() for q in questions]
    turns: list[str] = []
    if rng.random() < 0.6:
        turns.append(rng.choice(GREETINGS))
    if rng.random() < 0.1:
        turns.append(rng.choice(HELP))
    for _ in range(rng.randint(1, 5)):
        turns.append(rng.choice(faq))
        roll = rng.random()
        if roll < 0.15:
            turns.append(rng.choice(FOLLOW_UPS))
        elif roll < 0.25:
            turns.append(rng.choice(FEEDBACK))
    if rng.random() < 0.1:
        turns.append(rng.choice(SMALL_TALK))
    if rng.random() < 0.08:
        # After a hand-off staff own the conversation; the patient answers the contact questions and waits.
        return turns + [rng.choice(CLINICAL), *CONTACT_ANSWERS]
    if rng.random() < 0.5:
        turns.append(rng.choice(THANKS))
    if rng.random() < 0.4:
        turns.append(rng.choice(GOODBYES))
    return turns


def long_conversation_messages(turns: int, rng: random.Random) -> list[str]:
    """FAQ and small talk only (a hand-off would change the code path midway); the
    first ten and last ten messages are the same, so only the conversation's length differs."""
    pool = [q for questions in FAQ_QUESTIONS.values() for q in questions] + FOLLOW_UPS + FEEDBACK + THANKS
    ends = [rng.choice(pool) for _ in range(10)]
    return ends + [rng.choice(pool) for _ in range(turns - 20)] + ends


@dataclass
class Outcome:
    latency_ms: float
    error: str | None = None
    replies: int = 0


@dataclass
class Tally:
    latencies_ms: list[float] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)
    sent: int = 0
    empty_replies: int = 0
    conversations_started: int = 0

    def add(self, outcome: Outcome) -> None:
        self.sent += 1
        if outcome.error:
            self.errors[outcome.error] += 1
            return
        self.latencies_ms.append(outcome.latency_ms)
        if outcome.replies == 0:
            self.empty_replies += 1


async def exchange(
    session: aiohttp.ClientSession, url: str, sender: str, text: str, timeout: float
) -> tuple[Outcome, object]:
    """One message to the REST channel: its outcome (no reply count yet) and the parsed reply body
    (None when the message failed). Also bench/scale_out_bench.py's."""
    started = time.perf_counter()

    def elapsed_ms() -> float:
        return (time.perf_counter() - started) * 1000

    try:
        async with session.post(
            url + WEBHOOK,
            json={"sender": sender, "message": text},
            timeout=aiohttp.ClientTimeout(total=timeout),
        ) as response:
            body = await response.read()
            if response.status != 200:
                return Outcome(elapsed_ms(), f"http_{response.status}"), None
            replies = json.loads(body)
            return Outcome(elapsed_ms()), replies
    except TimeoutError:
        return Outcome(elapsed_ms(), "timeout"), None
    except aiohttp.ClientConnectionError:
        return Outcome(elapsed_ms(), "connection_error"), None
    except aiohttp.ClientError:
        return Outcome(elapsed_ms(), "client_error"), None
    except ValueError:
        return Outcome(elapsed_ms(), "invalid_json"), None


async def send(session: aiohttp.ClientSession, url: str, sender: str, text: str, timeout: float) -> Outcome:
    outcome, replies = await exchange(session, url, sender, text, timeout)
    if outcome.error:
        return outcome
    return Outcome(outcome.latency_ms, replies=len(replies) if isinstance(replies, list) else 0)


def percentile(sorted_values: list[float], fraction: float) -> float | None:
    if not sorted_values:
        return None
    rank = max(0, min(len(sorted_values) - 1, round(fraction * len(sorted_values) + 0.5) - 1))
    return round(sorted_values[rank], 1)


def new_session(connections: int) -> aiohttp.ClientSession:
    # aiohttp's default pool of 100 connections would queue conversations in the client, not the server.
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=connections, force_close=False))


async def warm_up(session: aiohttp.ClientSession, url: str, run_id: str) -> None:
    # The first messages load the sentence encoder and build TensorFlow's graphs: not what we measure.
    for text in ("hello", "how frequently do i come in to get the pump topped up"):
        outcome = await send(session, url, f"load-{run_id}-warmup", text, timeout=300)
        if outcome.error:
            raise RuntimeError(f"warm-up message failed ({outcome.error}); is Rasa running at {url}?")


async def warm_up_alone(url: str) -> None:
    async with new_session(1) as session:
        await warm_up(session, url, uuid.uuid4().hex[:8])


Turn = Callable[[str], Awaitable[Outcome]]


async def drive_conversations(
    conversations: int, seconds: float, seed: int, prefix: str, tally: Tally, begin: Callable[[str], Turn]
) -> float:
    """``conversations`` slots, each playing planned patient conversations back to back (sender
    ``{prefix}-{slot}-{number}``) until ``seconds`` have passed; ``begin(sender)`` opens a
    conversation and gives the function that sends one of its messages. Outcomes go to ``tally``.
    New messages stop at the deadline; replies still in flight are waited for and counted.
    Returns the run's duration in seconds. Also bench/scale_out_bench.py's."""
    deadline = time.monotonic() + seconds

    async def converse(slot: int) -> None:
        rng = random.Random(f"{seed}-{slot}")
        number = 0
        while time.monotonic() < deadline:
            say = begin(f"{prefix}-{slot}-{number}")
            number += 1
            tally.conversations_started += 1
            for text in plan_conversation(rng):
                if time.monotonic() >= deadline:
                    return
                outcome = await say(text)
                tally.add(outcome)
                if outcome.error == "connection_error":
                    await asyncio.sleep(0.5)  # a refused connection fails at once: do not spin

    started = time.perf_counter()
    await asyncio.gather(*(converse(slot) for slot in range(conversations)))
    return time.perf_counter() - started


async def run_load(url: str, conversations: int, seconds: float, timeout: float, seed: int) -> dict:
    run_id = uuid.uuid4().hex[:8]
    tally = Tally()
    async with new_session(conversations + 1) as session:
        await warm_up(session, url, run_id)

        def begin(sender: str) -> Turn:
            return lambda text: send(session, url, sender, text, timeout)

        duration = await drive_conversations(conversations, seconds, seed, f"load-{run_id}", tally, begin)
    return {"mode": "concurrent", "url": url, **load_figures(tally, conversations, duration)}


def load_figures(tally: Tally, conversations: int, duration: float) -> dict:
    """Throughput, latency percentiles and errors of a timed run (also bench/scale_out_bench.py's)."""
    latencies = sorted(tally.latencies_ms)
    return {
        "conversations": conversations,
        "conversations_started": tally.conversations_started,
        "duration_s": round(duration, 1),
        "messages_sent": tally.sent,
        "messages_answered": len(latencies),
        "empty_replies": tally.empty_replies,
        "throughput_msg_per_s": round(len(latencies) / duration, 2),
        "latency_p50_ms": percentile(latencies, 0.50),
        "latency_p95_ms": percentile(latencies, 0.95),
        "latency_p99_ms": percentile(latencies, 0.99),
        "latency_max_ms": percentile(latencies, 1.0),
        "errors": sum(tally.errors.values()),
        "errors_by_kind": dict(tally.errors),
    }


async def run_long_conversation(url: str, turns: int, timeout: float, seed: int) -> dict:
    if turns < 20:
        raise SystemExit("--long-conversation needs at least 20 turns (first 10 vs last 10)")
    run_id = uuid.uuid4().hex[:8]
    sender = f"load-{run_id}-long"
    latencies: list[float | None] = []
    errors: Counter = Counter()
    async with new_session(2) as session:
        await warm_up(session, url, run_id)
        started = time.perf_counter()
        for text in long_conversation_messages(turns, random.Random(seed)):
            outcome = await send(session, url, sender, text, timeout)
            if outcome.error:
                errors[outcome.error] += 1
            latencies.append(None if outcome.error else outcome.latency_ms)
        duration = time.perf_counter() - started

    def median_of(window: list[float | None]) -> float | None:
        answered = [value for value in window if value is not None]
        return round(statistics.median(answered), 1) if answered else None

    first, last = median_of(latencies[:10]), median_of(latencies[-10:])
    blocks = {
        f"{start + 1}-{min(start + 50, turns)}": median_of(latencies[start : start + 50])
        for start in range(0, turns, 50)
    }
    return {
        "mode": "long_conversation",
        "url": url,
        "turns": turns,
        "duration_s": round(duration, 1),
        "first_10_median_ms": first,
        "last_10_median_ms": last,
        "last_over_first": round(last / first, 2) if first and last else None,
        "median_ms_by_50_turns": blocks,
        "errors": sum(errors.values()),
        "errors_by_kind": dict(errors),
    }


def print_summary(figures: dict, server_cpu: dict | None) -> None:
    errors = ", ".join(f"{kind}: {count}" for kind, count in sorted(figures["errors_by_kind"].items())) or "none"
    if figures["mode"] == "concurrent":
        print(f"conversations:  {figures['conversations']} concurrent ({figures['conversations_started']} started)")
        print(f"duration:       {figures['duration_s']} s")
        print(
            f"messages sent:  {figures['messages_sent']} ({figures['messages_answered']} answered, "
            f"{figures['empty_replies']} with an empty reply)"
        )
        print(f"throughput:     {figures['throughput_msg_per_s']} messages/s")
        print(
            f"latency:        p50 {figures['latency_p50_ms']} ms, p95 {figures['latency_p95_ms']} ms, "
            f"p99 {figures['latency_p99_ms']} ms, max {figures['latency_max_ms']} ms"
        )
    else:
        print(f"conversation:   1, {figures['turns']} turns in {figures['duration_s']} s")
        print(
            f"median latency: first 10 turns {figures['first_10_median_ms']} ms, "
            f"last 10 turns {figures['last_10_median_ms']} ms (x{figures['last_over_first']})"
        )
        print("by 50 turns:    " + ", ".join(f"{k}: {v} ms" for k, v in figures["median_ms_by_50_turns"].items()))
    print(f"errors:         {figures['errors']} ({errors})")
    if server_cpu:
        print("server CPU:     " + ", ".join(f"{name} {cores} cores" for name, cores in server_cpu.items()))


# --- starting the stack (--start) -------------------------------------------------


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux /proc), to tell busy servers from idle ones."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class StartedStack:
    url: str
    pids: dict[str, int]


@contextlib.contextmanager
def started_stack(tracker_store: str) -> Iterator[StartedStack]:
    """The action server and the Rasa server as processes (pump_assistant.devstack, as the tests start them)."""
    if not MODEL.exists():
        raise SystemExit(f"no trained model at {MODEL}: run `make train` first")
    work = Path(tempfile.mkdtemp(prefix="load-test-"))
    action_port, rasa_port = free_port(), free_port()
    # Every conversation comes from one address at machine speed: the public
    # endpoints' rate limits would answer most of it with 429.
    env = base_env(work, RATE_LIMIT_PER_SENDER="0", RATE_LIMIT_PER_IP="0")
    endpoints = work / "endpoints.yml"
    endpoints.write_text(yaml.safe_dump(endpoints_for(action_port, tracker_store, work / "conversations.db")))
    processes: dict[str, subprocess.Popen] = {}
    try:
        print(
            f"starting: action server on :{action_port}, rasa on :{rasa_port}, tracker store {tracker_store}, "
            f"logs in {work}",
            file=sys.stderr,
            flush=True,
        )
        processes["actions"] = start_actions(action_port, env, work / "actions.log")
        # Rasa's HTTP API stays closed to the load (random token); only the REST channel is used.
        processes["rasa"] = start_rasa(rasa_port, endpoints, env, work / "rasa.log", uuid.uuid4().hex)
        yield StartedStack(f"http://127.0.0.1:{rasa_port}", {name: p.pid for name, p in processes.items()})
    finally:
        for process in processes.values():
            stop(process)
        shutil.rmtree(work, ignore_errors=True)


# --- profile ------------------------------------------------------------------------

# Where a stack sample is counted, first match wins (paths as py-spy reports them).
PROFILE_PARTS = (
    ("tracker store (SQL)", ("sqlalchemy", "tracker_store.py", "rasa_ext/stores/", "sqlite3")),
    ("action server call", ("rasa/core/actions/action.py", "aiohttp")),
    ("sentence embedding (MiniLM, NumPy)", ("sentence_encoder.py", "sentence_featurizer.py")),
    (
        "DIET / ResponseSelector (TensorFlow)",
        ("tensorflow", "keras", "rasa/utils/tensorflow", "diet_classifier", "response_selector"),
    ),
    ("spaCy and sparse featurizers", ("spacy", "thinc", "featurizers/sparse_featurizer", "sklearn", "scipy")),
    ("safety net and personal-care cues", ("pump_assistant/nlp/safety.py", "pump_assistant/nlp/personal_care.py")),
    (
        "dialogue policies and tracker replay",
        ("rasa/core/policies", "rasa/shared/core/trackers.py", "rasa/core/featurizers", "rasa/shared/core/domain.py"),
    ),
    ("tracker (de)serialisation", ("rasa/shared/core/events.py", "json")),
    ("HTTP server and event loop", ("sanic", "asyncio", "uvloop", "httptools")),
)


def start_profiler(pid: int) -> tuple[subprocess.Popen, Path]:
    output = Path(tempfile.mkdtemp(prefix="load-profile-")) / "rasa.txt"
    spy = shutil.which("py-spy", path=str(BIN)) or shutil.which("py-spy")
    if spy is None:
        raise SystemExit("--profile needs py-spy (requirements/dev.txt)")
    process = subprocess.Popen(
        [spy, "record", "--pid", str(pid), "--format", "raw", "--output", str(output), "--rate", "50", "--nonblocking"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return process, output


def finish_profile(process: subprocess.Popen, output: Path) -> dict:
    process.send_signal(2)  # py-spy writes its file on SIGINT
    process.wait(timeout=60)
    shares: Counter = Counter()
    total = 0
    for line in output.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        total += int(count)
        # Deepest frame first: the part doing the work, not the one that called it.
        frames = stack.split(";")[::-1]
        part = next(
            (label for frame in frames for label, needles in PROFILE_PARTS if any(n in frame for n in needles)),
            "other (idle threads, Python runtime)",
        )
        shares[part] += int(count)
    return {label: round(100 * n / total, 1) for label, n in shares.most_common()} if total else {}


# --- command line ------------------------------------------------------------------


def add_load_arguments(parser: argparse.ArgumentParser, seconds_help: str) -> None:
    """--conversations, --seconds, --timeout and --seed (also bench/scale_out_bench.py's)."""
    parser.add_argument("--conversations", type=int, default=50, help="concurrent conversations (default 50)")
    parser.add_argument("--seconds", type=float, default=60, help=f"{seconds_help} (default 60)")
    parser.add_argument("--timeout", type=float, default=30, help="seconds before a message counts as timed out")
    parser.add_argument("--seed", type=int, default=1, help="seed for the choice of messages")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://localhost:5005", help="the Rasa server (ignored with --start)")
    add_load_arguments(parser, seconds_help="how long to keep sending")
    parser.add_argument(
        "--long-conversation",
        type=int,
        metavar="TURNS",
        default=0,
        help="instead: one conversation of TURNS turns; first 10 vs last 10 turn latency",
    )
    parser.add_argument(
        "--start",
        action="store_true",
        help="start the action server and Rasa from models/ for this run, stop them after",
    )
    parser.add_argument(
        "--tracker-store",
        choices=("sqlite", "sqlite-stock", "memory"),
        default="sqlite",
        help="with --start: endpoints.yml's tracker store on a throwaway SQLite file (default), "
        "Rasa's stock SQL store on one, or Rasa's in-memory store",
    )
    parser.add_argument("--json", action="store_true", help="also print the figures as one JSON line")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="with --start: sample the Rasa server with py-spy during the run and print where its time goes",
    )
    args = parser.parse_args(argv)
    if args.conversations < 1 or args.seconds <= 0 or args.timeout <= 0:
        parser.error("--conversations, --seconds and --timeout must be positive")
    return args


async def measure(args: argparse.Namespace, url: str) -> dict:
    if args.long_conversation:
        return await run_long_conversation(url, args.long_conversation, args.timeout, args.seed)
    return await run_load(url, args.conversations, args.seconds, args.timeout, args.seed)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    server_cpu = None
    if args.start:
        with started_stack(args.tracker_store) as stack:
            asyncio.run(warm_up_alone(stack.url))
            cpu_before = {name: cpu_seconds(pid) for name, pid in stack.pids.items()}
            profiler = start_profiler(stack.pids["rasa"]) if args.profile else None
            wall_before = time.perf_counter()
            figures = asyncio.run(measure(args, stack.url))
            wall = time.perf_counter() - wall_before
            if profiler is not None:
                figures["profile"] = finish_profile(*profiler)
            server_cpu = {
                name: round((cpu_seconds(pid) - cpu_before[name]) / wall, 2) for name, pid in stack.pids.items()
            }
        figures["tracker_store"] = args.tracker_store
        figures["server_cpu_cores"] = server_cpu
    else:
        figures = asyncio.run(measure(args, args.url.rstrip("/")))
    figures["machine_cores"] = os.cpu_count()
    print_summary(figures, server_cpu)
    for part, percent in (figures.get("profile") or {}).items():
        print(f"  profile {percent:5.1f} %  {part}")
    if args.json:
        print(json.dumps(figures))
    answered = figures.get("messages_answered", figures.get("turns", 0) - figures["errors"])
    return 0 if answered else 1


if __name__ == "__main__":
    sys.exit(main())
