"""Conversation events from Rasa's event broker (RabbitMQ), read on the staff side.

In the scale-out profile every Rasa instance publishes each conversation event
to one RabbitMQ queue. The web service consumes it, so the front desk sees when
a handed-off patient last wrote, whichever instance took the message, without
asking Rasa. Without ``RABBITMQ_HOST`` (embedded defaults) nothing runs here.

Each web service process keeps the latest patient message per conversation in
memory (bounded); two instances of the web service would share the messages
of the queue between them, so run one consumer, or give each its own queue.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from collections import OrderedDict
from typing import Any

logger = logging.getLogger(__name__)
RECONNECT_SECONDS = 5.0


class ConversationActivity:
    """When each conversation's patient last wrote, and on which channel."""

    def __init__(self, limit: int = 10_000) -> None:
        self._latest: OrderedDict[str, tuple[float, str | None]] = OrderedDict()
        self._limit = limit

    def record(self, event: Any) -> bool:
        """Takes one broker message's event; True when it was a patient message."""
        if not isinstance(event, dict) or event.get("event") != "user":
            return False
        sender, timestamp = event.get("sender_id"), event.get("timestamp")
        if not isinstance(sender, str) or not isinstance(timestamp, (int, float)) or isinstance(timestamp, bool):
            return False
        known = self._latest.get(sender)
        # Two Rasa instances publish on two connections: messages may arrive out of order.
        if known is None or timestamp > known[0]:
            channel = event.get("input_channel")
            self._latest[sender] = (float(timestamp), channel if isinstance(channel, str) else None)
        self._latest.move_to_end(sender)
        while len(self._latest) > self._limit:
            self._latest.popitem(last=False)
        return True

    def last_patient_message(self, sender_id: str) -> dict | None:
        known = self._latest.get(sender_id)
        if known is None:
            return None
        at = dt.datetime.fromtimestamp(known[0], dt.UTC).isoformat().replace("+00:00", "Z")
        return {"at": at, "channel": known[1]}


async def consume_forever(url: str, queue_name: str, activity: ConversationActivity) -> None:
    """Reads the queue for as long as the service runs, reconnecting when RabbitMQ goes away."""
    import aio_pika

    while True:
        try:
            connection = await aio_pika.connect_robust(url)
            async with connection:
                channel = await connection.channel()
                await channel.set_qos(prefetch_count=100)
                queue = await channel.declare_queue(queue_name, durable=True)
                logger.info("reading conversation events from queue %s", queue_name)
                async with queue.iterator() as messages:
                    async for message in messages:
                        async with message.process():  # acknowledged once handled, even if unreadable
                            try:
                                activity.record(json.loads(message.body))
                            except ValueError:
                                logger.warning("skipped an unreadable conversation event")
        except asyncio.CancelledError:
            raise
        except Exception as error:
            logger.warning(
                "conversation events unavailable (%s); retrying in %.0f s", type(error).__name__, RECONNECT_SECONDS
            )
            await asyncio.sleep(RECONNECT_SECONDS)
