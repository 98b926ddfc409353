"""The web chat widget's socket.io channel, with an origin check.

Rasa 3.6's socket.io channel creates its server with ``cors_allowed_origins=[]``,
which turns python-engineio's origin check off: any site could open a socket
to the assistant. This channel takes the allowed origins from configuration
(``ALLOWED_ORIGINS``), validates every payload, caps the message length, and
always keeps sessions (a reload keeps the conversation; staff replies reach the
patient's room whichever socket they are on).

It also puts its own engine.io WebSocket adapter for sanic in place
(:mod:`..adapters.engineio_private`, :mod:`..adapters.sanic_private`). The one in
python-engineio reads with sanic 21.12's ``WebsocketImplProtocol.recv()``, which
hands ``asyncio.wait`` a bare coroutine; Python 3.11 refuses that (TypeError),
so every socket was closed right after engine.io's open packet, and the adapter
then returned an HTTP "200 OK" that sanic wrote into the WebSocket byte stream
behind the close frame: browsers reported "Invalid frame header" and the widget
fell back to REST, where staff replies cannot be pushed. Rasa 3.6 needs
sanic 21.12, and no 21.12 release fixes ``recv()``.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import uuid
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOOutput
from sanic import Blueprint, Sanic
from socketio import AsyncServer

from pump_assistant.config import get_settings
from pump_assistant.inbound import Refused, admit
from pump_assistant.rasa_ext.adapters.engineio_private import use_sanic_websocket
from pump_assistant.rasa_ext.adapters.rasa_private import send_socketio_message
from pump_assistant.rasa_ext.adapters.sanic_private import cancelled_on_shutdown, mark_websocket_handler
from pump_assistant.rasa_ext.channels.base import PatientChannel
from pump_assistant.rasa_ext.channels.display_flags import display_flags
from pump_assistant.vocabulary import Channel

logger = logging.getLogger(__name__)

USER_EVENT = "user_uttered"
BOT_EVENT = "bot_uttered"
SESSION_ID_MAX = 64
SOCKETIO_PATH = "/socket.io/"


def _valid_session_id(value: Any) -> Optional[str]:
    if isinstance(value, str) and 8 <= len(value) <= SESSION_ID_MAX and value.replace("-", "").isalnum():
        return value
    return None


class WebChatBlueprint(Blueprint):
    """Serves socket.io at the app's ``/socket.io/``, outside the blueprint's URL prefix."""

    def __init__(self, sio: AsyncServer, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ctx.sio = sio

    def register(self, app: Sanic, options: Dict[Text, Any]) -> None:
        sio: AsyncServer = self.ctx.sio
        # The handlers reach the agent (for the reply guard) through the app.
        self.ctx.app = app
        use_sanic_websocket(sio.eio)

        async def webchat_socketio(request):
            if request.headers.get("upgrade", "").lower() != "websocket":
                return await sio.handle_request(request)
            # Listed where sanic cancels its own WebSocket handlers when the
            # server stops, so open chats close at once instead of holding the
            # shutdown for the whole graceful timeout.
            session = asyncio.ensure_future(sio.handle_request(request))
            with cancelled_on_shutdown(app, session):
                return await session

        # A WebSocket session ends with no response to send; sanic accepts a
        # None from handlers marked like its own websocket handlers. Polling
        # and refused requests still return their HTTP response.
        app.add_route(mark_websocket_handler(webchat_socketio), SOCKETIO_PATH, methods=["GET", "POST", "OPTIONS"])
        app.enable_websocket()
        super().register(app, options)


class WebChatOutput(SocketIOOutput):
    """One ``bot_uttered`` per bot message, text whole.

    Rasa's socket.io output splits text at blank lines, which would tear an
    answer's "Source:" paragraph off into a message of its own, and drops the
    flags the widget styles staff replies by. Each message carries its event's
    ``timestamp``, so the widget knows what of the conversation it has seen.
    """

    @classmethod
    def name(cls) -> Text:
        return Channel.WEBCHAT

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        out: Dict[Text, Any] = {}
        if message.get("text"):
            out["text"] = message["text"]
        buttons = message.get("quick_replies") or message.get("buttons") or []
        if buttons:
            out["quick_replies"] = [
                {"content_type": "text", "title": b.get("title"), "payload": b.get("payload")} for b in buttons
            ]
        if out:
            out.update(display_flags(message))
            # The event's time in the tracker: a reopened widget asks only for what came after the last it has.
            timestamp = message.get("timestamp")
            if isinstance(timestamp, (int, float)) and not isinstance(timestamp, bool):
                out["timestamp"] = timestamp
            await send_socketio_message(self, recipient_id, out)
        rest = {key: message[key] for key in ("custom", "image", "attachment", "elements") if message.get(key)}
        if rest:
            await super().send_response(recipient_id, rest)


class WebChatInput(PatientChannel):
    channel_name = Channel.WEBCHAT

    def __init__(self) -> None:
        self.sio: Optional[AsyncServer] = None

    def get_output_channel(self) -> Optional[OutputChannel]:
        return WebChatOutput(self.sio, BOT_EVENT) if self.sio else None

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
        bp = self.with_health(WebChatBlueprint(sio, "webchat_webhook", __name__))

        @sio.on("session_request")
        async def session_request(sid: Text, data: Optional[Dict]) -> None:
            requested = _valid_session_id((data or {}).get("session_id")) if isinstance(data, dict) else None
            session_id = requested or uuid.uuid4().hex
            joined = sio.enter_room(sid, session_id)
            if inspect.isawaitable(joined):  # a coroutine in newer python-socketio
                await joined
            await sio.emit("session_confirm", session_id, room=sid)

        per_sender = self.rate_limiter(settings.rate_limit_per_sender, "webchat_sender")

        async def reply(session_id: str, text: str) -> None:
            await sio.emit(BOT_EVENT, {"text": text}, room=session_id)

        @sio.on(USER_EVENT)
        async def user_uttered(sid: Text, data: Any) -> None:
            fields = data if isinstance(data, dict) else {}
            admitted = admit(
                fields.get("session_id"),
                fields.get("message"),
                per_sender=per_sender,
                malformed=None if isinstance(data, dict) else "not an object",
                sender_check=_valid_session_id,
            )
            if isinstance(admitted, Refused):
                if admitted.sender is None:  # malformed, or no usable session: only this socket hears of it
                    await sio.emit("error_message", {"error": "a message needs text and a session"}, room=sid)
                else:
                    await reply(admitted.sender, admitted.reply)
                return
            session_id, text = admitted.sender, admitted.text
            output = WebChatOutput(sio, BOT_EVENT)
            message = UserMessage(text, output, session_id, input_channel=self.name())
            await self.hand_over(on_new_message, message, getattr(bp.ctx, "app", None))

        return bp
