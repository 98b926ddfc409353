"""Talking to the Rasa server over its HTTP API (the web service never imports Rasa)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import aiohttp

# Rasa's routes take the conversation id as a raw path segment and never
# percent-decode it, so "%2B15552220000" would be a different conversation from
# "+15552220000". Every character a sender id may hold (inbound.SENDER_ID_PATTERN)
# is legal in a URL path, and goes as it is.
SENDER_ID_SAFE = "+:@"


def conversation_path(sender_id: str) -> str:
    return quote(sender_id, safe=SENDER_ID_SAFE)


class RasaUnavailable(RuntimeError):
    pass


class RasaClient:
    def __init__(self, base_url: str, token: str, timeout_s: float = 10.0, history_timeout_s: float = 3.0):
        self._base = base_url.rstrip("/")
        self._token = token
        self._session: aiohttp.ClientSession | None = None
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        # Reading a conversation's history serves a ticket being opened: staff wait for it.
        self._history_timeout = aiohttp.ClientTimeout(total=history_timeout_s)

    async def start(self) -> None:
        self._session = aiohttp.ClientSession(timeout=self._timeout)

    async def close(self) -> None:
        if self._session:
            await self._session.close()

    async def trigger_intent(self, sender_id: str, intent: str, entities: dict[str, Any] | None = None) -> list:
        """Run an intent in a conversation; replies go out on the patient's latest channel."""
        if self._session is None:
            raise RasaUnavailable("client not started")
        url = f"{self._base}/conversations/{conversation_path(sender_id)}/trigger_intent"
        params = {"output_channel": "latest", "include_events": "NONE"}
        if self._token:
            params["token"] = self._token
        try:
            async with self._session.post(
                url, params=params, json={"name": intent, "entities": entities or {}}
            ) as response:
                if response.status != 200:
                    raise RasaUnavailable(f"Rasa answered {response.status}")
                body = await response.json()
                return body.get("messages") or []
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise RasaUnavailable(str(exc)) from exc

    async def conversation_events(self, sender_id: str) -> list:
        """The events of a conversation since its last restart (Rasa's tracker; an unknown id has none of note)."""
        if self._session is None:
            raise RasaUnavailable("client not started")
        url = f"{self._base}/conversations/{conversation_path(sender_id)}/tracker"
        params = {"include_events": "AFTER_RESTART"}
        if self._token:
            params["token"] = self._token
        try:
            async with self._session.get(url, params=params, timeout=self._history_timeout) as response:
                if response.status != 200:
                    raise RasaUnavailable(f"Rasa answered {response.status}")
                body = await response.json()
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise RasaUnavailable(type(exc).__name__) from exc
        events = body.get("events") if isinstance(body, dict) else None
        return events if isinstance(events, list) else []

    async def parse(self, text: str) -> dict:
        """Rasa's NLU reading of a text (the console's "ask" box)."""
        if self._session is None:
            raise RasaUnavailable("client not started")
        params = {"token": self._token} if self._token else {}
        try:
            async with self._session.post(f"{self._base}/model/parse", params=params, json={"text": text}) as response:
                if response.status != 200:
                    raise RasaUnavailable(f"Rasa answered {response.status}")
                return await response.json()
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise RasaUnavailable(str(exc)) from exc

    async def healthy(self) -> bool:
        if self._session is None:
            return False
        try:
            async with self._session.get(f"{self._base}/") as response:
                return response.status == 200
        except (aiohttp.ClientError, TimeoutError):
            return False
