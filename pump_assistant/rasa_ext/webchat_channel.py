"""The web chat widget's socket.io channel, with an origin check.

Rasa 3.6's socket.io channel creates its server with ``cors_allowed_origins=[]``,
which turns python-engineio's origin check off: any site could open a socket
to the assistant. This channel takes the allowed origins from configuration
(``ALLOWED_ORIGINS``), validates every payload, caps the message length, and
always keeps sessions (a reload keeps the conversation; staff replies reach the
patient's room whichever socket they are on).
"""
from __future__ import annotations

import inspect
import logging
import uuid
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOOutput
from sanic import Blueprint, response
from socketio import AsyncServer

from pump_assistant.config import get_settings

logger = logging.getLogger(__name__)

USER_EVENT = "user_uttered"
BOT_EVENT = "bot_uttered"
MAX_MESSAGE_CHARS = 2000
SESSION_ID_MAX = 64


def _valid_session_id(value: Any) -> Optional[str]:
    if isinstance(value, str) and 8 <= len(value) <= SESSION_ID_MAX and value.replace("-", "").isalnum():
        return value
    return None


class WebChatInput(InputChannel):
    @classmethod
    def name(cls) -> Text:
        return "webchat"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "WebChatInput":
        return cls()

    def __init__(self) -> None:
        self.sio: Optional[AsyncServer] = None

    def get_output_channel(self) -> Optional[OutputChannel]:
        return SocketIOOutput(self.sio, BOT_EVENT) if self.sio else None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        settings = get_settings()
        client_manager = None
        if settings.redis_url:
            # Several Rasa instances: a staff reply reaches the socket whichever instance holds it.
            from socketio import AsyncRedisManager

            client_manager = AsyncRedisManager(settings.redis_url)
        sio = AsyncServer(
            async_mode="sanic",
            cors_allowed_origins=list(settings.allowed_origins),
            client_manager=client_manager,
        )
        self.sio = sio
        bp = SocketBlueprint(sio, "/socket.io", "webchat_webhook", __name__)

        @bp.route("/", methods=["GET"])
        async def health(_):
            return response.json({"status": "ok"})

        @sio.on("session_request")
        async def session_request(sid: Text, data: Optional[Dict]) -> None:
            requested = _valid_session_id((data or {}).get("session_id")) if isinstance(data, dict) else None
            session_id = requested or uuid.uuid4().hex
            joined = sio.enter_room(sid, session_id)
            if inspect.isawaitable(joined):  # a coroutine in newer python-socketio
                await joined
            await sio.emit("session_confirm", session_id, room=sid)

        @sio.on(USER_EVENT)
        async def user_uttered(sid: Text, data: Any) -> None:
            if not isinstance(data, dict):
                return
            session_id = _valid_session_id(data.get("session_id"))
            text = data.get("message")
            if not session_id or not isinstance(text, str):
                await sio.emit("error_message", {"error": "a message needs text and a session"}, room=sid)
                return
            text = text.strip()
            if not text:
                return
            if len(text) > MAX_MESSAGE_CHARS:
                await sio.emit(
                    BOT_EVENT,
                    {"text": f"Your message is too long for me to read. Please keep it under {MAX_MESSAGE_CHARS} characters."},
                    room=session_id,
                )
                return
            output = SocketIOOutput(sio, BOT_EVENT)
            await on_new_message(UserMessage(text, output, session_id, input_channel=self.name()))

        return bp
