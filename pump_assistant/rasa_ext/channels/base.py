"""What the project's input channels share.

Each channel is made from credentials.yml with no settings (secrets come from
the environment, never from credentials.yml), serves a health check at its
blueprint's ``GET /``, redacts its log lines, limits the rate per sender (and
per address) through :mod:`pump_assistant.ratelimit`, admits each message
through :func:`pump_assistant.inbound.admit`, and hands it to Rasa through the
reply guard, so no message goes unanswered.
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable, ClassVar, Dict, Optional, Text

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response

from pump_assistant import log_redaction
from pump_assistant.config import get_settings
from pump_assistant.rasa_ext.channels.reply_guard import handle_with_reply_guard
from pump_assistant.ratelimit import RateLimiter, rate_limiter


class PatientChannel(InputChannel):
    channel_name: ClassVar[str]

    @classmethod
    def name(cls) -> Text:
        return cls.channel_name

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "PatientChannel":
        return cls()

    def with_health(self, bp: Blueprint) -> Blueprint:
        """``bp`` with the health check at ``GET /``; the channel's log lines redacted from now on."""
        log_redaction.install()

        @bp.get("/")
        async def health(_: Any) -> response.HTTPResponse:
            return response.json({"status": "ok"})

        return bp

    def new_blueprint(self, name: str) -> Blueprint:
        # Rasa mounts each channel's blueprint under /webhooks/<name>, whatever prefix it had.
        return self.with_health(Blueprint(name, type(self).__module__))

    @staticmethod
    def rate_limiter(per_minute: int, name: str) -> RateLimiter:
        """A limiter shared by every instance when REDIS_URL is set, else this process's own."""
        return rate_limiter(per_minute, name, get_settings().redis_url)

    @staticmethod
    async def hand_over(
        on_new_message: Callable[[UserMessage], Awaitable[Any]], message: UserMessage, app: Any
    ) -> bool:
        """Rasa handles ``message``; the safe reply stands in when it answers nothing (see reply_guard)."""
        return await handle_with_reply_guard(on_new_message, message, getattr(getattr(app, "ctx", None), "agent", None))
