"""The scale-out profile on the real services: two Rasa instances, one action server,
PostgreSQL conversations and tickets, a Redis lock store, RabbitMQ events.

Everything runs from deploy/endpoints.production.yml with its values in the
environment, as in production. The tests run in file order: the last one kills
an instance.
"""
from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pytest
from sqlalchemy import create_engine, text

from pump_assistant.vocabulary import DisplayFlag, Intent
from tests.support.processes import (
    MODEL_PATH,
    ROOT,
    base_env,
    free_port,
    get_json,
    post_json,
    production_endpoints_env,
    start_actions,
    start_rasa,
    stop,
    wait_for_http,
)

pytestmark = pytest.mark.services

TOKEN = "scale-out-rasa-token"
CLINIC_PHONE = "(555) 010-0142"
CONVERSATION = ["hello", "what is an intrathecal pump?", "how long does the battery last?", "thanks"]


@dataclass
class Cluster:
    env: dict
    work: object
    rasa_ports: list
    action_port: int
    database_url: str
    queue: str
    processes: dict = field(default_factory=dict)

    def url(self, index: int) -> str:
        return f"http://127.0.0.1:{self.rasa_ports[index]}"

    def say(self, index: int, sender: str, message: str) -> list:
        status, replies = post_json(f"{self.url(index)}/webhooks/rest/webhook", {"sender": sender, "message": message})
        assert status == 200, (status, replies)
        return replies

    def tracker_events(self, index: int, sender: str) -> list:
        return get_json(f"{self.url(index)}/conversations/{sender}/tracker?token={TOKEN}")["events"]

    def rows_of(self, sender: str, query: str) -> list:
        """The rows ``query`` (which names the sender as ``:s``) finds in PostgreSQL."""
        engine = create_engine(self.database_url)
        try:
            with engine.connect() as connection:
                return connection.execute(text(query), {"s": sender}).all()
        finally:
            engine.dispose()

    def stored_event_rows(self, sender: str) -> list:
        return self.rows_of(sender, "SELECT type_name, timestamp, data FROM events WHERE sender_id = :s ORDER BY id")

    def tickets_for(self, sender: str) -> list:
        return self.rows_of(sender, "SELECT reason, urgency, trigger_message FROM handoff_tickets WHERE sender_id = :s")


def user_texts(events: list) -> list:
    return [e["text"] for e in events if e["event"] == "user"]


def assert_every_message_answered_once_in_order(events: list, sent: list) -> None:
    assert user_texts(events) == sent
    # each user message is followed by at least one bot reply before the next one
    turns, replies = 0, []
    for event in events:
        if event["event"] == "user":
            turns += 1
            replies.append(0)
        elif event["event"] == "bot" and turns:
            replies[-1] += 1
    assert all(count >= 1 for count in replies), replies


@pytest.fixture(scope="module")
def cluster(postgres_url, tmp_path_factory):
    if not MODEL_PATH.exists():
        pytest.fail(f"no trained model at {MODEL_PATH}: run `make train` first")
    work = tmp_path_factory.mktemp("cluster")
    run_id = uuid.uuid4().hex[:10]
    action_port = free_port()
    rasa_ports = [free_port(), free_port()]
    database = postgres_url.rsplit("/", 1)[1]
    env = base_env(
        work,
        DATABASE_URL=postgres_url,
        CLINIC_PHONE=CLINIC_PHONE,
        RATE_LIMIT_PER_IP="0",
        **production_endpoints_env(action_port, database, f"it{run_id}", f"pump_events_{run_id}"),
        # socket.io rooms shared through Redis: a staff reply reaches the socket on any instance
        REDIS_URL="redis://127.0.0.1:6379/2",
    )
    endpoints = ROOT / "deploy" / "endpoints.production.yml"
    cluster = Cluster(env, work, rasa_ports, action_port, postgres_url, env["RABBITMQ_QUEUE"])
    try:
        cluster.processes["actions"] = start_actions(action_port, env, work / "actions.log")
        # Both instances load at once, as they would behind a load balancer.
        for index, port in enumerate(rasa_ports):
            cluster.processes[index] = start_rasa(port, endpoints, env, work / f"rasa{index}.log", TOKEN, wait=False)
        for index, port in enumerate(rasa_ports):
            wait_for_http(f"http://127.0.0.1:{port}/", cluster.processes[index], work / f"rasa{index}.log", seconds=300)
        yield cluster
    finally:
        for process in cluster.processes.values():
            stop(process)
        asyncio.run(_delete_queue(cluster.queue))


async def _delete_queue(name: str) -> None:
    import aio_pika

    connection = await aio_pika.connect("amqp://guest:guest@127.0.0.1/")
    async with connection:
        channel = await connection.channel()
        await channel.queue_delete(name)


async def _drain_queue(name: str) -> list:
    import aio_pika

    bodies = []
    connection = await aio_pika.connect("amqp://guest:guest@127.0.0.1/")
    async with connection:
        channel = await connection.channel()
        queue = await channel.declare_queue(name, durable=True, passive=True)
        while True:
            message = await queue.get(no_ack=True, fail=False, timeout=5)
            if message is None:
                return bodies
            bodies.append(json.loads(message.body))


def test_fifty_conversations_alternating_between_two_instances_keep_every_event(cluster):
    senders = [f"so-{uuid.uuid4().hex[:12]}" for _ in range(50)]

    def converse(sender: str) -> None:
        for turn, message in enumerate(CONVERSATION):
            assert cluster.say(turn % 2, sender, message), f"no reply to {message!r}"

    with ThreadPoolExecutor(max_workers=10) as pool:
        list(pool.map(converse, senders))

    published = asyncio.run(_drain_queue(cluster.queue))
    for sender in senders:
        # Both instances see the same conversation, whichever served the last message.
        events = cluster.tracker_events(0, sender)
        assert cluster.tracker_events(1, sender) == events
        assert_every_message_answered_once_in_order(events, CONVERSATION)
        rows = cluster.stored_event_rows(sender)
        assert len(rows) == len(events), "every event stored exactly once"
        assert len({(r.type_name, r.timestamp, r.data) for r in rows}) == len(rows), "no duplicated rows"
        # The event broker carried every event to the staff side exactly once. Each instance
        # publishes on its own connection, so the queue may interleave two instances'
        # messages: a consumer orders a conversation by the events' timestamps.
        delivered = [b for b in published if b.get("sender_id") == sender]
        assert sorted((b["event"], b["timestamp"]) for b in delivered) == sorted((e["event"], e["timestamp"]) for e in events)
        in_time_order = sorted(delivered, key=lambda b: b["timestamp"])
        assert [b["text"] for b in in_time_order if b["event"] == "user"] == CONVERSATION


def test_a_database_restart_mid_conversation_loses_no_event_and_no_ticket(cluster):
    cluster_version = subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True, check=True).stdout.split()
    version, name = cluster_version[0], cluster_version[1]
    sender = f"db-{uuid.uuid4().hex[:12]}"
    sent = ["hi", "what happens during the trial?"]
    for turn, message in enumerate(sent):
        cluster.say(turn % 2, sender, message)

    during = "how is the pump refilled?"
    replies_during = []
    restart = subprocess.Popen(["pg_ctlcluster", version, name, "restart", "-m", "fast"])
    talker = threading.Thread(target=lambda: replies_during.append(cluster.say(0, sender, during)))
    talker.start()
    assert restart.wait(timeout=120) == 0
    talker.join(timeout=120)
    assert replies_during and replies_during[0], "the message sent during the restart was answered"

    clinical = "my incision is red and leaking, what should I do?"
    after = [clinical, "thank you"]
    for turn, message in enumerate(after):
        cluster.say(turn % 2, sender, message)

    events = cluster.tracker_events(1, sender)
    assert user_texts(events) == sent + [during] + after
    assert len(cluster.stored_event_rows(sender)) == len(events)
    # A leaking incision is a red flag (a possible spinal-fluid leak or infection): an urgent ticket.
    assert ("clinical", "urgent", clinical) in [tuple(t) for t in cluster.tickets_for(sender)]


def test_with_the_action_server_down_the_patient_still_gets_help_and_emergencies_reach_staff(cluster):
    stop(cluster.processes.pop("actions"))
    try:
        sender = f"ad-{uuid.uuid4().hex[:12]}"
        [faq_reply] = cluster.say(0, sender, "how long does the battery last?")
        assert CLINIC_PHONE in faq_reply["text"] and "911" in faq_reply["text"]

        emergency = "I can barely breathe and I'm so sleepy I can't stay awake"
        replies = cluster.say(1, sender, emergency)
        assert any("911" in r.get("text", "") for r in replies)
        assert ("emergency", "emergency", emergency) in [tuple(t) for t in cluster.tickets_for(sender)]
    finally:
        cluster.processes["actions"] = start_actions(cluster.action_port, cluster.env, cluster.work / "actions2.log")


async def _chat_on_socket(cluster, instance: int, reply_through: int) -> tuple[list, str]:
    """A widget on one instance asks a clinical question; staff reply through the other instance."""
    import socketio

    received: asyncio.Queue = asyncio.Queue()
    session_id = uuid.uuid4().hex
    client = socketio.AsyncClient(reconnection=False)
    client.on("bot_uttered", lambda data: received.put_nowait(data))
    confirmed = asyncio.Event()
    client.on("session_confirm", lambda _: confirmed.set())
    # long-polling: this python-engineio client's WebSocket needs a newer aiohttp than Rasa pins
    await client.connect(cluster.url(instance), socketio_path="/socket.io", transports=["polling"])
    try:
        await client.emit("session_request", {"session_id": session_id})
        await asyncio.wait_for(confirmed.wait(), 10)
        await client.emit("user_uttered", {"session_id": session_id, "message": "can I take ibuprofen with my pump?"})
        first = await asyncio.wait_for(received.get(), 30)
        staff_text = f"Hello, this is Nurse Ana ({uuid.uuid4().hex[:6]}). I will call you today."
        status, _ = await asyncio.to_thread(
            post_json,
            f"{cluster.url(reply_through)}/conversations/{session_id}/trigger_intent"
            f"?output_channel=latest&include_events=NONE&token={TOKEN}",
            {"name": Intent.EXTERNAL_STAFF_REPLY, "entities": {"staff_message": staff_text, "staff_name": "Nurse Ana"}},
        )
        assert status == 200
        later = []
        while not any(staff_text in m.get("text", "") for m in later):
            later.append(await asyncio.wait_for(received.get(), 30))
        return [first, *later], staff_text
    finally:
        await client.disconnect()


def test_a_staff_reply_reaches_the_web_chat_whichever_instance_holds_the_socket(cluster):
    messages, staff_text = asyncio.run(_chat_on_socket(cluster, instance=0, reply_through=1))
    assert "staff" in messages[0]["text"] or "clinician" in messages[0]["text"]
    [staff_message] = [m for m in messages if staff_text in m.get("text", "")]
    assert staff_message.get(DisplayFlag.FROM_STAFF) is True


def test_a_killed_instance_leaves_the_conversation_to_the_other(cluster):
    sender = f"kill-{uuid.uuid4().hex[:12]}"
    cluster.say(0, sender, CONVERSATION[0])
    cluster.say(1, sender, CONVERSATION[1])
    cluster.processes[0].send_signal(signal.SIGKILL)
    cluster.processes[0].wait(timeout=30)
    for message in CONVERSATION[2:]:
        cluster.say(1, sender, message)
    assert_every_message_answered_once_in_order(cluster.tracker_events(1, sender), CONVERSATION)

