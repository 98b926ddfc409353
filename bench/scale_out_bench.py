"""Scale-out benchmark: the production profile with 1 Rasa instance, then with 2, on this machine.

Each phase starts one action server and N Rasa instances on loopback from
deploy/endpoints.production.yml, as the scale-out profile runs them: the
``ResilientSQLTrackerStore`` on the local PostgreSQL (a fresh database
``bench_scaleout_<random>`` per phase, dropped afterwards; also the tickets'
``DATABASE_URL``), the Redis lock store (db 1, a fresh key prefix) and the
RabbitMQ event broker (a fresh queue on an exchange of its own, deleted
afterwards; ``--no-broker`` leaves the broker out). Rasa starts through
``pump_assistant.serve`` with no token, so its HTTP API stays closed; only the
REST channel is used, with the rate limits off.

The load is bench/load_test.py's patient conversations, ``--conversations``
(default 50) at once for ``--seconds`` (default 60), each conversation kept on
one instance (conversations dealt round-robin, as sticky routing would spread
them). The same seed gives both phases the same conversations. Then, for every
conversation (``--check-sample`` for fewer), PostgreSQL must hold exactly the
messages sent, in order, each once, each followed by exactly the replies the
patient got, each once, and no event row twice; RabbitMQ must have received one
message per stored event. The exit status is 1 on any error or failed check.

    python bench/scale_out_bench.py                  # N=1 then N=2, 60 s each
    python bench/scale_out_bench.py --seconds 40 --json
    python bench/scale_out_bench.py --instances 2 --no-broker

Prints throughput, p50/p95/p99 latency, errors, the check and where the
machine's CPU went for each phase, and the N=2 / N=1 ratios; ``--json`` adds
one JSON line. Every process, the databases, the queues and the lock keys are
removed on exit, also on Ctrl-C, SIGTERM or a failure (child processes also get
SIGTERM if this script is killed outright). Needs the trained model (make train)
and PostgreSQL (trust auth for ``postgres``), Redis and RabbitMQ (guest/guest)
on 127.0.0.1, as tests/services does.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import yaml
from load_test import (  # bench/, next to this script
    MODEL,
    Outcome,
    Tally,
    Turn,
    add_load_arguments,
    cpu_seconds,
    drive_conversations,
    exchange,
    load_figures,
    new_session,
    percentile,
    warm_up,
)

from pump_assistant.devstack import (
    LOOPBACK_POSTGRES,
    LOOPBACK_RABBITMQ,
    LOOPBACK_REDIS_HOST,
    LOOPBACK_REDIS_LOCK_DB,
    LOOPBACK_REDIS_PORT,
    ROOT,
    base_env,
    free_port,
    production_endpoints_env,
    shielded,
    start_actions,
    start_rasa,
    stop_all,
    wait_for_http,
)

PRODUCTION_ENDPOINTS = ROOT / "deploy" / "endpoints.production.yml"
POSTGRES_SERVER = LOOPBACK_POSTGRES
REDIS_HOST, REDIS_PORT, REDIS_LOCK_DB = LOOPBACK_REDIS_HOST, LOOPBACK_REDIS_PORT, LOOPBACK_REDIS_LOCK_DB
RABBITMQ_URL = LOOPBACK_RABBITMQ
# Processes of the shared services, by /proc/<pid>/comm, for the CPU account.
SERVICE_COMMANDS = {"PostgreSQL": ("postgres",), "RabbitMQ": ("beam.smp",), "Redis": ("redis-server",)}


# --- processes ----------------------------------------------------------------------


def _interrupted(signum, _frame) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


# --- the shared services: a fresh database, queue, exchange and lock prefix per phase --


def admin_engine():
    from sqlalchemy import create_engine

    return create_engine(f"{POSTGRES_SERVER}/postgres", isolation_level="AUTOCOMMIT", pool_pre_ping=True)


def _admin_execute(statement: str) -> None:
    from sqlalchemy import text

    engine = admin_engine()
    try:
        with engine.connect() as connection:
            connection.execute(text(statement))
    finally:
        engine.dispose()


def create_database(name: str) -> str:
    _admin_execute(f'CREATE DATABASE "{name}"')
    return f"{POSTGRES_SERVER}/{name}"


def drop_database(name: str) -> None:
    _admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def stale_databases() -> list[str]:
    from sqlalchemy import text

    engine = admin_engine()
    try:
        with engine.connect() as connection:
            return [
                row[0]
                for row in connection.execute(
                    text("SELECT datname FROM pg_database WHERE datname LIKE 'bench_scaleout_%'")
                )
            ]
    finally:
        engine.dispose()


def redis_client():
    import redis

    return redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=REDIS_LOCK_DB)


def lock_keys(prefix: str) -> list[bytes]:
    client = redis_client()
    try:
        return list(client.scan_iter(match=f"{prefix}:*", count=1000))
    finally:
        client.close()


def delete_lock_keys(prefix: str) -> None:
    client = redis_client()
    try:
        keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


async def queue_count(queue: str) -> int:
    import aio_pika

    connection = await aio_pika.connect(RABBITMQ_URL)
    async with connection:
        channel = await connection.channel()
        declared = await channel.declare_queue(queue, durable=True, passive=True)
        count = declared.declaration_result.message_count
        if count is None:  # a passive declare's DeclareOk always carries it
            raise RuntimeError(f"RabbitMQ gave no message count for queue {queue}")
        return count


async def delete_queue_and_exchange(queue: str, exchange: str) -> None:
    import aio_pika

    connection = await aio_pika.connect(RABBITMQ_URL)
    async with connection:
        channel = await connection.channel()
        await channel.queue_delete(queue)
        await channel.exchange_delete(exchange)


def production_endpoints(exchange: str | None) -> dict:
    """deploy/endpoints.production.yml, its ${VAR} values left for Rasa to fill in; the
    event broker on an exchange of its own (Rasa's default, rasa-exchange, is a fanout
    shared with anything else on this RabbitMQ), or no broker."""
    endpoints = yaml.safe_load(PRODUCTION_ENDPOINTS.read_text())
    if exchange is None:
        endpoints.pop("event_broker", None)
    else:
        endpoints["event_broker"]["exchange_name"] = exchange
    return endpoints


# --- one phase: N Rasa instances + one action server -------------------------------


@dataclass
class Phase:
    instances: int
    urls: list[str]
    pids: dict[str, int]
    database_url: str
    lock_prefix: str
    queue: str | None
    work: Path


@contextlib.contextmanager
def started_phase(instances: int, broker: bool, keep_logs: bool) -> Iterator[Phase]:
    if not MODEL.exists():
        raise SystemExit(f"no trained model at {MODEL}: run `make train` first")
    tag = uuid.uuid4().hex[:10]
    work = Path(tempfile.mkdtemp(prefix=f"scale-out-{instances}-"))
    database = f"bench_scaleout_{tag}"
    lock_prefix = f"bench{tag}"  # letters and digits only, or Rasa ignores it
    queue = exchange = f"bench_scaleout_{tag}" if broker else None
    action_port = free_port()
    rasa_ports = [free_port() for _ in range(instances)]
    processes: dict[str, subprocess.Popen] = {}
    database_created = False
    failed = True
    try:
        database_url = create_database(database)
        database_created = True
        env = base_env(
            work,
            PUMP_DATA_DIR=str(work),
            DATABASE_URL=database_url,  # tickets and the reply guard, as in production
            # Every conversation comes from one address at machine speed.
            RATE_LIMIT_PER_SENDER="0",
            RATE_LIMIT_PER_IP="0",
            **production_endpoints_env(action_port, database, lock_prefix, queue or "unused"),
        )
        env.pop("REDIS_URL", None)  # the caller's socket.io rooms are not this run's (the bench talks REST)
        endpoints = work / "endpoints.yml"
        endpoints.write_text(yaml.safe_dump(production_endpoints(exchange), sort_keys=False))
        print(
            f"[N={instances}] starting the action server on :{action_port} and Rasa on "
            f"{', '.join(f':{p}' for p in rasa_ports)}; database {database}, lock prefix {lock_prefix}, "
            f"broker {'queue ' + queue if queue else 'off'}; logs in {work}",
            file=sys.stderr,
            flush=True,
        )
        processes["actions"] = start_actions(action_port, env, work / "actions.log", own_session=True)
        # All instances load at once, as behind a load balancer.
        for index, port in enumerate(rasa_ports):
            processes[f"rasa{index + 1}"] = start_rasa(
                port,
                endpoints,
                env,
                work / f"rasa{index + 1}.log",
                None,
                wait=False,
                credentials=ROOT / "credentials.yml",
                own_session=True,
            )
        for index, port in enumerate(rasa_ports):
            name = f"rasa{index + 1}"
            wait_for_http(f"http://127.0.0.1:{port}/", processes[name], work / f"{name}.log", seconds=300)
        yield Phase(
            instances,
            [f"http://127.0.0.1:{p}" for p in rasa_ports],
            {name: p.pid for name, p in processes.items()},
            database_url,
            lock_prefix,
            queue,
            work,
        )
        failed = False
    except KeyboardInterrupt:
        failed = False  # stopped on purpose: no logs to read
        raise
    finally:
        with shielded():
            print(f"[N={instances}] cleaning up", file=sys.stderr, flush=True)
            stop_all(list(processes.values()))
            problems = []
            if database_created:
                try:
                    drop_database(database)
                except Exception as error:  # noqa: BLE001 - report and go on cleaning
                    problems.append(f"database {database} not dropped: {error}")
            try:
                delete_lock_keys(lock_prefix)
            except Exception as error:  # noqa: BLE001
                problems.append(f"Redis keys {lock_prefix}:* not deleted: {error}")
            if queue and exchange:
                try:
                    asyncio.run(delete_queue_and_exchange(queue, exchange))
                except Exception as error:  # noqa: BLE001
                    problems.append(f"RabbitMQ queue/exchange {queue} not deleted: {error}")
            for problem in problems:
                print(f"[N={instances}] clean-up: {problem}", file=sys.stderr, flush=True)
            if failed or keep_logs:
                for log in sorted(work.glob("*.log")):
                    if failed:
                        tail = log.read_text(errors="replace")[-2000:]
                        print(f"--- {log.name} (last lines) ---\n{tail}", file=sys.stderr)
                print(f"[N={instances}] logs kept in {work}", file=sys.stderr, flush=True)
            else:
                shutil.rmtree(work, ignore_errors=True)


# --- CPU account -----------------------------------------------------------------------


def machine_busy_seconds() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    ticks = os.sysconf("SC_CLK_TCK")
    total = sum(values[:8])
    idle = values[3] + values[4]
    return (total - idle) / ticks, total / ticks


def service_seconds() -> dict[str, dict[int, float]]:
    found: dict[str, dict[int, float]] = {name: {} for name in SERVICE_COMMANDS}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "comm").read_text().strip()
            for name, commands in SERVICE_COMMANDS.items():
                if command in commands:
                    found[name][int(entry.name)] = cpu_seconds(int(entry.name))
        except (OSError, ValueError, IndexError):
            continue
    return found


@dataclass
class CpuSnapshot:
    wall: float
    machine: float
    ours: dict[str, float]
    services: dict[str, dict[int, float]]
    generator: float


def cpu_snapshot(pids: dict[str, int]) -> CpuSnapshot:
    return CpuSnapshot(
        time.perf_counter(),
        machine_busy_seconds()[0],
        {name: cpu_seconds(pid) for name, pid in pids.items()},
        service_seconds(),
        time.process_time(),
    )


def cpu_account(before: CpuSnapshot, after: CpuSnapshot) -> dict[str, float]:
    """Cores busy on average during the run, by part; `other` is everything else on the machine."""
    wall = after.wall - before.wall
    account: dict[str, float] = {}
    rasa = [name for name in after.ours if name.startswith("rasa")]
    for name in rasa:
        account[f"Rasa {name[4:]}"] = (after.ours[name] - before.ours[name]) / wall
    account["action server"] = (after.ours["actions"] - before.ours["actions"]) / wall
    for service, seconds in after.services.items():
        account[service] = sum(s - before.services[service].get(pid, 0.0) for pid, s in seconds.items()) / wall
    account["load generator"] = (after.generator - before.generator) / wall
    machine = (after.machine - before.machine) / wall
    account["other processes"] = max(0.0, machine - sum(account.values()))
    account["machine"] = machine
    return {name: round(cores, 2) for name, cores in account.items()}


def peak_memory_mb(pid: int) -> int | None:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) // 1024
    return None


# --- load: conversations spread over the instances, each kept on one -------------------


@dataclass
class Conversation:
    instance: int
    turns: list[tuple[str, list[str] | None]] = field(default_factory=list)  # (sent, reply texts or None)


async def send_keeping_replies(
    session: aiohttp.ClientSession, url: str, sender: str, text: str, timeout: float
) -> tuple[Outcome, list[str] | None]:
    """bench/load_test.py's send(), keeping the reply texts for the check."""
    outcome, replies = await exchange(session, url, sender, text, timeout)
    if outcome.error:
        return outcome, None
    if not isinstance(replies, list):
        return Outcome(outcome.latency_ms, "invalid_json"), None
    texts = [r["text"] for r in replies if isinstance(r, dict) and isinstance(r.get("text"), str)]
    return Outcome(outcome.latency_ms, replies=len(replies)), texts


async def run_spread_load(
    urls: list[str], conversations: int, seconds: float, timeout: float, seed: int
) -> tuple[dict, dict[str, Conversation]]:
    run_id = uuid.uuid4().hex[:8]
    tally = Tally()
    per_instance = [Tally() for _ in urls]
    transcripts: dict[str, Conversation] = {}
    dealer = itertools.count()
    async with new_session(conversations + len(urls)) as session:

        def begin(sender: str) -> Turn:
            # Sticky: the whole conversation goes to one instance; conversations dealt round-robin.
            instance = next(dealer) % len(urls)
            record = transcripts[sender] = Conversation(instance)

            async def say(text: str) -> Outcome:
                outcome, replies = await send_keeping_replies(session, urls[instance], sender, text, timeout)
                per_instance[instance].add(outcome)
                record.turns.append((text, replies))
                return outcome

            return say

        duration = await drive_conversations(conversations, seconds, seed, f"so-{run_id}", tally, begin)
    figures = {
        "instances": len(urls),
        **load_figures(tally, conversations, duration),
        "messages_answered_by_instance": [len(t.latencies_ms) for t in per_instance],
        "latency_p50_ms_by_instance": [percentile(sorted(t.latencies_ms), 0.5) for t in per_instance],
    }
    return figures, transcripts


# --- correctness: what PostgreSQL holds against what the patients sent and got --------


def stored_turns(database_url: str, senders: list[str]) -> dict[str, list[tuple[str, float, str]]]:
    from sqlalchemy import bindparam, create_engine, text

    engine = create_engine(database_url)
    rows: dict[str, list] = {sender: [] for sender in senders}
    try:
        with engine.connect() as connection:
            query = text(
                "SELECT sender_id, type_name, timestamp, data FROM events WHERE sender_id IN :senders ORDER BY id"
            ).bindparams(bindparam("senders", expanding=True))
            for start in range(0, len(senders), 500):
                for row in connection.execute(query, {"senders": senders[start : start + 500]}):
                    rows[row.sender_id].append((row.type_name, row.timestamp, row.data))
    finally:
        engine.dispose()
    return rows


def same_replies(bot_texts: list[str], received: list[str]) -> bool:
    """Whether the stored bot messages of a turn are the replies the patient got, each once.
    Rasa's REST channel splits a text without buttons at blank lines, so compare the
    turn's texts joined, whitespace aside (a missing or doubled reply changes them)."""
    return " ".join(" ".join(bot_texts).split()) == " ".join(" ".join(received).split())


def check_conversation(conversation: Conversation, rows: list[tuple[str, float, str]]) -> list[str]:
    """What is wrong with what PostgreSQL holds against the turns the patient had (nothing: [])."""
    problems: list[str] = []
    seen: set = set()
    user_turns = 0
    stored: list[tuple[str, list[str]]] = []  # (user text, bot texts until the next user message)
    for row in rows:
        type_name, _, data = row
        event = json.loads(data)
        if row in seen:
            name = event.get("name") or event.get("text") or ""
            problems.append(f"event stored twice: {type_name} {name} (after turn {user_turns})".rstrip())
            continue  # count the turns below as if it were stored once
        seen.add(row)
        if type_name == "user":
            user_turns += 1
            stored.append((event.get("text") or "", []))
        elif type_name == "bot" and stored:
            stored[-1][1].append(event.get("text") or "")
    sent = [text for text, _ in conversation.turns]
    if [text for text, _ in stored] != sent:
        problems.append(f"user messages: {len(stored)} stored, {len(sent)} sent (or in another order)")
        return problems
    for number, ((_, got), (_, bot_texts)) in enumerate(zip(conversation.turns, stored, strict=True), start=1):
        if not bot_texts:
            problems.append(f"turn {number}: no bot reply stored")
        elif got is None or not same_replies(bot_texts, got):
            problems.append(f"turn {number}: the stored replies differ from the replies received")
    return problems


def check_phase(phase: Phase, transcripts: dict[str, Conversation], sample: int, seed: int) -> dict:
    with_errors = {sender for sender, c in transcripts.items() if any(r is None for _, r in c.turns)}
    clean = {sender: c for sender, c in transcripts.items() if c.turns and sender not in with_errors}
    senders = sorted(clean)
    if sample and sample < len(senders):
        senders = sorted(random.Random(seed).sample(senders, sample))
    rows = stored_turns(phase.database_url, senders)
    problems: dict[str, list[str]] = {}
    for sender in senders:
        found = check_conversation(clean[sender], rows[sender])
        if found:
            problems[sender] = found
    kinds = Counter(problem for found in problems.values() for problem in found)
    result = {
        "conversations": len(transcripts),
        "conversations_checked": len(senders),
        "conversations_with_an_error_skipped": len(with_errors),
        "turns_checked": sum(len(clean[s].turns) for s in senders),
        "events_checked": sum(len(rows[s]) for s in senders),
        "conversations_with_problems": len(problems),
        "problems_by_kind": dict(kinds.most_common()),
        "problem_example": dict(itertools.islice(problems.items(), 1)),
        "redis_locks_left": len(lock_keys(phase.lock_prefix)),
    }
    stored = published = 0  # events in PostgreSQL and on the queue (no broker: neither counted)
    if phase.queue:
        from sqlalchemy import create_engine, text

        engine = create_engine(phase.database_url)
        try:
            with engine.connect() as connection:
                stored = connection.execute(text("SELECT count(*) FROM events")).scalar_one()
        finally:
            engine.dispose()
        # Publishing runs in the background: give the last events a moment.
        deadline = time.monotonic() + 20
        published = asyncio.run(queue_count(phase.queue))
        while published < stored and time.monotonic() < deadline:
            time.sleep(1)
            published = asyncio.run(queue_count(phase.queue))
        result["events_stored"] = stored
        result["events_published"] = published
    result["ok"] = not problems and len(senders) > 0 and published == stored
    return result


# --- output ----------------------------------------------------------------------------


def run_phase(instances: int, args: argparse.Namespace) -> dict:
    with started_phase(instances, broker=not args.no_broker, keep_logs=args.keep_logs) as phase:
        for url in phase.urls:
            # Loads what loads lazily on each instance, outside the measurement.
            async def _warm(u: str = url) -> None:
                async with new_session(1) as session:
                    await warm_up(session, u, uuid.uuid4().hex[:8])

            asyncio.run(_warm())
        load_before = os.getloadavg()[0]
        before = cpu_snapshot(phase.pids)
        figures, transcripts = asyncio.run(
            run_spread_load(phase.urls, args.conversations, args.seconds, args.timeout, args.seed)
        )
        after = cpu_snapshot(phase.pids)
        figures["cpu_cores_busy"] = cpu_account(before, after)
        answered = figures["messages_answered"]
        figures["machine_cpu_ms_per_message"] = (
            round(1000 * (after.machine - before.machine) / answered, 1) if answered else None
        )
        figures["load_average_before"] = round(load_before, 2)
        figures["rasa_peak_memory_mb"] = [
            peak_memory_mb(pid) for name, pid in phase.pids.items() if name.startswith("rasa")
        ]
        print(f"[N={instances}] checking the conversations in PostgreSQL", file=sys.stderr, flush=True)
        figures["check"] = check_phase(phase, transcripts, args.check_sample, args.seed)
    return figures


def ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 2) if a and b else None


def print_report(phases: dict[int, dict], args: argparse.Namespace) -> dict:
    counts = sorted(phases)
    broker = "off" if args.no_broker else "RabbitMQ (a queue on an exchange of its own)"
    print(
        f"scale-out profile on {os.cpu_count()} cores: PostgreSQL tracker store (ResilientSQLTrackerStore), "
        f"Redis lock store, event broker {broker}, one action server; {args.conversations} concurrent "
        f"conversations for {args.seconds:g} s per phase, each kept on one instance"
    )
    header = f"{'':32}" + "".join(f"{f'{n} instance' + ('s' if n > 1 else ''):>16}" for n in counts)
    ratios = {}
    if 1 in phases and 2 in phases:
        one, two = phases[1], phases[2]
        ratios = {
            "throughput": ratio(two["throughput_msg_per_s"], one["throughput_msg_per_s"]),
            "latency_p50": ratio(two["latency_p50_ms"], one["latency_p50_ms"]),
            "latency_p95": ratio(two["latency_p95_ms"], one["latency_p95_ms"]),
        }
        header += f"{'2 / 1':>10}"
    print(header)

    def row(label: str, values: list, extra: str = "") -> None:
        print(f"{label:32}" + "".join(f"{str(v):>16}" for v in values) + (f"{extra:>10}" if ratios else ""))

    row("messages per second", [p["throughput_msg_per_s"] for p in phases.values()], str(ratios.get("throughput", "")))
    row("latency p50 ms", [p["latency_p50_ms"] for p in phases.values()], str(ratios.get("latency_p50", "")))
    row("latency p95 ms", [p["latency_p95_ms"] for p in phases.values()], str(ratios.get("latency_p95", "")))
    row("latency p99 ms", [p["latency_p99_ms"] for p in phases.values()])
    row("machine CPU ms per message", [p["machine_cpu_ms_per_message"] for p in phases.values()])
    row("errors", [f"{p['errors']} of {p['messages_sent']}" for p in phases.values()])
    row("answered, by instance", [" + ".join(map(str, p["messages_answered_by_instance"])) for p in phases.values()])
    row("conversations started", [p["conversations_started"] for p in phases.values()])
    row("Rasa peak memory MB", [" + ".join(map(str, p["rasa_peak_memory_mb"])) for p in phases.values()])
    row("load average before", [p["load_average_before"] for p in phases.values()])
    parts = list(next(iter(phases.values()))["cpu_cores_busy"])
    for part in sorted(
        set(parts) | {k for p in phases.values() for k in p["cpu_cores_busy"]},
        key=lambda k: (k == "machine", k == "other processes", not k.startswith("Rasa"), k),
    ):
        row(f"cores busy: {part}", [p["cpu_cores_busy"].get(part, "") for p in phases.values()])
    for n, p in phases.items():
        check = p["check"]
        line = (
            f"check N={n}: {check['conversations_checked']} of {check['conversations']} conversations, "
            f"{check['turns_checked']} turns, {check['events_checked']} events in PostgreSQL: "
            f"{check['conversations_with_problems']} with a problem"
        )
        if check["conversations_with_an_error_skipped"]:
            line += f" ({check['conversations_with_an_error_skipped']} with an error not checked)"
        if "events_published" in check:
            line += f"; RabbitMQ {check['events_published']} messages for {check['events_stored']} stored events"
        line += f"; Redis locks left {check['redis_locks_left']}; {'OK' if check['ok'] else 'FAILED'}"
        print(line)
        for problem, count in check["problems_by_kind"].items():
            print(f"  {count} x {problem}")
        for sender, found in check["problem_example"].items():
            print(f"  e.g. {sender}: {'; '.join(found)}")
        if p["errors"]:
            print(f"  errors N={n}: " + ", ".join(f"{k}: {v}" for k, v in sorted(p["errors_by_kind"].items())))
    return ratios


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--instances", default="1,2", help="Rasa instance counts to run, in order (default 1,2)")
    add_load_arguments(parser, seconds_help="how long each phase sends")
    parser.add_argument(
        "--check-sample", type=int, default=0, help="check this many conversations in PostgreSQL (default 0: every one)"
    )
    parser.add_argument("--no-broker", action="store_true", help="leave the RabbitMQ event broker out")
    parser.add_argument("--keep-logs", action="store_true", help="keep the processes' logs (kept anyway on failure)")
    parser.add_argument("--json", action="store_true", help="also print the figures as one JSON line")
    args = parser.parse_args(argv)
    try:
        args.instance_counts = [int(n) for n in args.instances.split(",") if n.strip()]
    except ValueError:
        parser.error("--instances: comma-separated numbers, e.g. 1,2")
    if not args.instance_counts or min(args.instance_counts) < 1:
        parser.error("--instances: numbers of at least 1")
    if args.conversations < 1 or args.seconds <= 0 or args.timeout <= 0 or args.check_sample < 0:
        parser.error("--conversations, --seconds and --timeout must be positive, --check-sample at least 0")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # Ctrl-C even when started from a shell that ignores it for background jobs (Python
    # then installs no handler of its own); SIGTERM and a closed terminal too, unless nohup.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupted)
    if signal.getsignal(signal.SIGHUP) is not signal.SIG_IGN:
        signal.signal(signal.SIGHUP, _interrupted)
    stale = stale_databases()
    if stale:
        print(
            f"note: databases left by an earlier run that was killed outright: {', '.join(stale)} "
            f"(DROP DATABASE them if no other run is going on)",
            file=sys.stderr,
        )
    phases: dict[int, dict] = {}
    try:
        for count in args.instance_counts:
            phases[count] = run_phase(count, args)
    except KeyboardInterrupt:
        print("interrupted: everything started was stopped and removed", file=sys.stderr)
        return 130
    ratios = print_report(phases, args)
    ok = all(p["errors"] == 0 and p["check"]["ok"] for p in phases.values())
    if args.json:
        print(
            json.dumps(
                {
                    "mode": "scale_out",
                    "machine_cores": os.cpu_count(),
                    "conversations": args.conversations,
                    "seconds": args.seconds,
                    "event_broker": None if args.no_broker else "rabbitmq",
                    "phases": {str(n): p for n, p in phases.items()},
                    "ratio_2_over_1": ratios,
                    "ok": ok,
                }
            )
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
