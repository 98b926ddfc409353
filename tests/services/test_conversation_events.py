"""The staff side reads Rasa's conversation events from the real RabbitMQ on loopback."""
from __future__ import annotations

import asyncio
import json
import uuid

import pytest

from pump_assistant.vocabulary import Channel
from webservice.conversation_events import ConversationActivity, consume_forever

pytestmark = pytest.mark.services

URL = "amqp://guest:guest@127.0.0.1/"


async def _publish_then_consume(queue_name: str) -> tuple[ConversationActivity, int]:
    import aio_pika

    connection = await aio_pika.connect(URL)
    async with connection:
        channel = await connection.channel()
        await channel.declare_queue(queue_name, durable=True)
        bodies = [
            json.dumps({"event": "user", "sender_id": "p-late", "timestamp": 2000.0, "input_channel": Channel.SMS}).encode(),
            json.dumps({"event": "user", "sender_id": "p-late", "timestamp": 1000.0, "input_channel": Channel.REST}).encode(),
            b"\xff not json",
            json.dumps({"event": "bot", "sender_id": "p-late", "timestamp": 3000.0}).encode(),
        ]
        for body in bodies:
            await channel.default_exchange.publish(aio_pika.Message(body), routing_key=queue_name)

        activity = ConversationActivity()
        consumer = asyncio.create_task(consume_forever(URL, queue_name, activity))
        try:
            for _ in range(100):
                queue = await channel.declare_queue(queue_name, durable=True, passive=True)
                if activity.last_patient_message("p-late") and queue.declaration_result.message_count == 0:
                    break
                await asyncio.sleep(0.1)
        finally:
            consumer.cancel()
            with pytest.raises(asyncio.CancelledError):
                await consumer
        # The consumer's connection is closed: anything it had not acknowledged is back in the queue.
        await asyncio.sleep(0.5)
        left = (await channel.declare_queue(queue_name, durable=True, passive=True)).declaration_result.message_count
        await channel.queue_delete(queue_name)
    return activity, left


def test_the_web_service_reads_every_event_and_keeps_the_latest_patient_message():
    activity, left = asyncio.run(_publish_then_consume(f"pump_events_test_{uuid.uuid4().hex[:8]}"))
    assert activity.last_patient_message("p-late") == {"at": "1970-01-01T00:33:20Z", "channel": Channel.SMS}
    assert left == 0, "every message acknowledged, the unreadable one too"
