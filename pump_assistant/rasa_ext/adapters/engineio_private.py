"""python-engineio's private driver table, and the sanic WebSocket class the web chat puts in it.

Written against python-engineio 4.15.1 (with python-socketio 5.18.1).
On an upgrade, run tests/unit/test_private_api.py first: it names any of
``PRIVATE_NAMES`` that is gone.

* ``AsyncServer._async``: the async driver's functions and classes by name; its
  ``"websocket"`` entry is the class engine.io wraps a WebSocket request in.
  The one in ``engineio.async_drivers.sanic`` reads with sanic 21.12's broken
  ``recv()`` (see :mod:`.sanic_private`) and answers a finished WebSocket with an
  HTTP response written into the socket's byte stream, so the web chat puts
  :class:`SanicWebSocket` there (same interface: ``__call__``, ``send``, ``wait``, ``close``).
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable, Dict

from pump_assistant.rasa_ext.adapters import PrivateName, sanic_private

WRITTEN_AGAINST = "python-engineio==4.15.1, python-socketio==5.18.1"

PRIVATE_NAMES = (PrivateName("engineio.AsyncServer", "_async", instance=lambda cls: cls(async_mode="sanic")),)
WEBSOCKET_DRIVER_KEY = "websocket"


class SanicWebSocket:
    """engine.io's sanic WebSocket adapter (same interface), working on Python 3.11."""

    def __init__(self, handler: Callable[["SanicWebSocket"], Awaitable[None]], server: Any) -> None:
        self.handler = handler
        self.server = server
        self._sock: Any = None
        self.environ: Dict[str, Any] = {}

    async def __call__(self, environ: Dict[str, Any]) -> None:
        self._sock = await sanic_private.websocket_handshake(environ["sanic.request"])
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
        data = await sanic_private.receive(self._sock)
        if not isinstance(data, (bytes, str)):
            raise OSError("not a websocket message")
        return data


def use_sanic_websocket(engineio_server: Any) -> None:
    """Make ``engineio_server`` (a socket.io server's ``eio``) wrap WebSockets in :class:`SanicWebSocket`."""
    engineio_server._async = {**engineio_server._async, WEBSOCKET_DRIVER_KEY: SanicWebSocket}
