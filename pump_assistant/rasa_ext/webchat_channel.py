"""The web chat widget's socket.io channel, with an origin check.

Rasa 3.6's socket.io channel creates its server with ``cors_allowed_origins=[]``,
which turns python-engineio's origin check off: any site could open a socket
to the assistant. This channel takes the allowed origins from configuration
(``ALLOWED_ORIGINS``), validates every payload, caps the message length, and
always keeps sessions (a reload keeps the conversation; staff replies reach the
patient's room whichever socket they are on).

It also carries its own engine.io WebSocket adapter for sanic. The one in
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

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOOutput
from sanic import Blueprint, Sanic, response
from socketio import AsyncServer
from websockets.connection import CLOSED

from pump_assistant import log_redaction
from pump_assistant.config import get_settings
from pump_assistant.inbound import EMPTY_REPLY, TOO_LONG_REPLY, clean_text, too_long
from pump_assistant.ratelimit import TOO_MANY_MESSAGE, RateLimiter, rate_limiter
from pump_assistant.rasa_ext.display_flags import display_flags
from pump_assistant.rasa_ext.reply_guard import handle_with_reply_guard

logger = logging.getLogger(__name__)

USER_EVENT = "user_uttered"
BOT_EVENT = "bot_uttered"
SESSION_ID_MAX = 64
SOCKETIO_PATH = "/socket.io/"


def _valid_session_id(value: Any) -> Optional[str]:
    if isinstance(value, str) and 8 <= len(value) <= SESSION_ID_MAX and value.replace("-", "").isalnum():
        return value
    return None


async def _receive(ws: Any) -> Any:
    """The next whole message from a sanic 21.12 WebSocket, as its ``recv()`` would give it.

    Same locking and close handling as sanic's ``recv()``, but the frame
    assembler's ``get()`` is wrapped in a task, which Python 3.11 requires.
    """
    if ws.recv_lock.locked():
        raise OSError("another task is already reading this websocket")
    async with ws.recv_lock:
        if ws.connection.state is CLOSED:
            raise OSError("websocket closed")
        # sanic cancels recv_cancel when a close frame or EOF arrives.
        cancelled = ws.recv_cancel = asyncio.get_running_loop().create_future()
        message = asyncio.ensure_future(ws.assembler.get())
        try:
            await asyncio.wait((cancelled, message), return_when=asyncio.FIRST_COMPLETED)
            if not message.done():
                raise OSError("websocket closed")
            return message.result()
        finally:
            if not message.done():
                message.cancel()
            cancelled.cancel()
            ws.recv_cancel = None


class _SanicWebSocket:
    """engine.io's sanic WebSocket adapter (same interface), working on Python 3.11."""

    def __init__(self, handler: Callable[["_SanicWebSocket"], Awaitable[None]], server: Any) -> None:
        self.handler = handler
        self.server = server
        self._sock: Any = None
        self.environ: Dict[str, Any] = {}

    async def __call__(self, environ: Dict[str, Any]) -> None:
        request = environ["sanic.request"]
        self._sock = await request.transport.get_protocol().websocket_handshake(request)
        self.environ = environ
        await self.handler(self)
        # No HTTP response: the 101 already answered the request, and bytes
        # written now would land in the WebSocket stream (see the module doc).
        return None

    async def close(self) -> None:
        await self._sock.close()

    async def send(self, message: Any) -> None:
        await self._sock.send(message)

    async def wait(self) -> Any:
        data = await _receive(self._sock)
        if not isinstance(data, (bytes, str)):
            raise OSError("not a websocket message")
        return data


class WebChatBlueprint(Blueprint):
    """Serves socket.io at the app's ``/socket.io/``, outside the blueprint's URL prefix."""

    def __init__(self, sio: AsyncServer, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ctx.sio = sio

    def register(self, app: Sanic, options: Dict[Text, Any]) -> None:
        sio: AsyncServer = self.ctx.sio
        # The handlers reach the agent (for the reply guard) through the app.
        self.ctx.app = app
        sio.eio._async = {**sio.eio._async, "websocket": _SanicWebSocket}

        async def webchat_socketio(request):
            if request.headers.get("upgrade", "").lower() != "websocket":
                return await sio.handle_request(request)
            # Listed where sanic cancels its own WebSocket handlers when the
            # server stops, so open chats close at once instead of holding the
            # shutdown for the whole graceful timeout.
            session = asyncio.ensure_future(sio.handle_request(request))
            app.websocket_tasks.add(session)
            try:
                return await session
            finally:
                app.websocket_tasks.discard(session)

        # A WebSocket session ends with no response to send; sanic accepts a
        # None from handlers marked like its own websocket handlers. Polling
        # and refused requests still return their HTTP response.
        webchat_socketio.is_websocket = True  # type: ignore[attr-defined]
        app.add_route(webchat_socketio, SOCKETIO_PATH, methods=["GET", "POST", "OPTIONS"])
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
        return "webchat"

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
            await self._send_message(recipient_id, out)
        rest = {key: message[key] for key in ("custom", "image", "attachment", "elements") if message.get(key)}
        if rest:
            await super().send_response(recipient_id, rest)


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
        bp = WebChatBlueprint(sio, "webchat_webhook", __name__)
        log_redaction.install()

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

        per_sender = rate_limiter(settings.rate_limit_per_sender, "webchat_sender", settings.redis_url)

        async def reply(session_id: str, text: str) -> None:
            await sio.emit(BOT_EVENT, {"text": text}, room=session_id)

        @sio.on(USER_EVENT)
        async def user_uttered(sid: Text, data: Any) -> None:
            if not isinstance(data, dict):
                await sio.emit("error_message", {"error": "a message needs text and a session"}, room=sid)
                return
            session_id = _valid_session_id(data.get("session_id"))
            text = data.get("message")
            if not session_id or not isinstance(text, str):
                await sio.emit("error_message", {"error": "a message needs text and a session"}, room=sid)
                return
            if not per_sender.check(session_id).allowed:
                await reply(session_id, TOO_MANY_MESSAGE)
                return
            text = clean_text(text)
            if not text:
                await reply(session_id, EMPTY_REPLY)
                return
            if too_long(text):
                await reply(session_id, TOO_LONG_REPLY)
                return
            output = WebChatOutput(sio, BOT_EVENT)
            message = UserMessage(text, output, session_id, input_channel=self.name())
            app = getattr(bp.ctx, "app", None)
            await handle_with_reply_guard(on_new_message, message, getattr(getattr(app, "ctx", None), "agent", None))

        return bp
