"""Sending text messages through Twilio's REST API without blocking the event loop."""

from __future__ import annotations

import logging

import aiohttp

logger = logging.getLogger(__name__)


class TwilioSendError(RuntimeError):
    pass


class TwilioApi:
    def __init__(self, account_sid: str, auth_token: str, from_number: str, api_base: str = "https://api.twilio.com"):
        self._sid = account_sid
        self._auth = aiohttp.BasicAuth(account_sid, auth_token)
        self._from = from_number
        self._url = f"{api_base.rstrip('/')}/2010-04-01/Accounts/{account_sid}/Messages.json"

    async def send(self, to: str, body: str) -> str:
        """Send one message; returns Twilio's message SID."""
        timeout = aiohttp.ClientTimeout(total=15)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            try:
                async with session.post(
                    self._url, auth=self._auth, data={"To": to, "From": self._from, "Body": body}
                ) as response:
                    payload = await response.json(content_type=None)
                    if response.status >= 300:
                        raise TwilioSendError(f"Twilio answered {response.status}: {payload}")
                    return str(payload.get("sid", ""))
            except aiohttp.ClientError as exc:
                raise TwilioSendError(str(exc)) from exc
