"""sanic's WebSocket internals the web chat channel needs, behind public names of our own.

Written against sanic 21.12.2 (the version Rasa 3.6 pins) with websockets 10.4.
On an upgrade, run tests/unit/test_private_api.py first: it names any of
``PRIVATE_NAMES`` that is gone.

* :func:`websocket_handshake`: the connection's ``WebSocketProtocol.websocket_handshake``
  (sanic does it itself only for routes added with ``app.websocket``);
* :func:`receive`: ``WebsocketImplProtocol.recv()`` rewritten from its internals
  (``recv_lock``, ``recv_cancel``, ``connection.state``, ``assembler``): sanic
  21.12's own hands ``asyncio.wait`` a bare coroutine, which Python 3.11 refuses;
* :func:`cancelled_on_shutdown`: ``app.websocket_tasks``, the tasks sanic cancels
  when the server stops;
* :func:`mark_websocket_handler`: the ``is_websocket`` mark that lets a handler
  return no response (sanic checks it with ``hasattr``).
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any, Awaitable, Callable, Iterator, TypeVar

from websockets.connection import CLOSED

from pump_assistant.rasa_ext.adapters import PrivateName

WRITTEN_AGAINST = "sanic==21.12.2, websockets==10.4"


def _websocket(cls: Any) -> Any:
    return cls(connection=None)


def _app(cls: Any) -> Any:
    import uuid

    return cls(f"private_api_check_{uuid.uuid4().hex[:8]}")


PRIVATE_NAMES = (
    PrivateName("sanic.server.protocols.websocket_protocol.WebSocketProtocol", "websocket_handshake"),
    PrivateName("sanic.server.websockets.impl.WebsocketImplProtocol", "recv_lock", instance=_websocket),
    PrivateName("sanic.server.websockets.impl.WebsocketImplProtocol", "recv_cancel", instance=_websocket),
    PrivateName("sanic.server.websockets.impl.WebsocketImplProtocol", "connection", instance=_websocket),
    PrivateName("sanic.server.websockets.impl.WebsocketImplProtocol", "assembler", instance=_websocket),
    PrivateName("sanic.server.websockets.frame.WebsocketFrameAssembler", "get"),
    PrivateName("websockets.connection", "CLOSED"),
    PrivateName("sanic.Sanic", "websocket_tasks", instance=_app),
)
# Not an attribute of anything sanic defines: sanic looks for it on route handlers.
WEBSOCKET_HANDLER_MARK = "is_websocket"


async def websocket_handshake(request: Any) -> Any:
    """Upgrade ``request``'s connection; the sanic WebSocket (``send``, ``close``, :func:`receive`)."""
    return await request.transport.get_protocol().websocket_handshake(request)


async def receive(ws: Any) -> Any:
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


@contextlib.contextmanager
def cancelled_on_shutdown(app: Any, task: "asyncio.Future[Any]") -> Iterator[None]:
    """While inside, ``task`` is among the WebSocket tasks sanic cancels when the server stops."""
    app.websocket_tasks.add(task)
    try:
        yield
    finally:
        app.websocket_tasks.discard(task)


Handler = TypeVar("Handler", bound=Callable[..., Awaitable[Any]])


def mark_websocket_handler(handler: Handler) -> Handler:
    """Let ``handler`` end with no response, as sanic's own WebSocket handlers do."""
    setattr(handler, WEBSOCKET_HANDLER_MARK, True)
    return handler
