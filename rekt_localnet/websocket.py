"""The websocket endpoint (HTTP port + 1, where driftpy and web3.js look for it).

Each connection has a bounded outgoing queue drained by its own writer task, so a ledger
change never waits on a socket. A client that lets its queue fill up is closed with 1008
(policy violation) rather than allowed to grow the server's memory without bound.
Text `ping` messages and JSON-RPC notifications (no `id`), which web3.js sends to keep the
socket alive, get no answer.
"""

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable

from aiohttp import WSMsgType, web

from rekt_localnet.subscriptions import SubscriptionHub
from rekt_localnet.wire import INVALID_REQUEST, METHOD_NOT_FOUND, PARSE_ERROR, RpcError

log = logging.getLogger(__name__)

OUTBOX_LIMIT = 10_000
CLOSE_ALL = web.AppKey("close_all", Callable[[], Awaitable[None]])
POLICY_VIOLATION = 1008
GOING_AWAY = 1001


class Connection:
    """One websocket client: its queue of outgoing messages and the task writing them."""

    def __init__(self, socket: web.WebSocketResponse) -> None:
        self._socket = socket
        self._queue: asyncio.Queue[str | None] = asyncio.Queue(OUTBOX_LIMIT)
        self._writer = asyncio.create_task(self._write())
        self.overflowed = False

    def send(self, message: dict) -> None:
        if self.overflowed:
            return
        try:
            self._queue.put_nowait(json.dumps(message, separators=(",", ":")))
        except asyncio.QueueFull:
            self.overflowed = True
            log.warning("closing a websocket client that stopped reading")
            asyncio.get_running_loop().create_task(
                self._socket.close(code=POLICY_VIOLATION, message=b"client too slow")
            )

    async def _write(self) -> None:
        while (text := await self._queue.get()) is not None:
            try:
                await self._socket.send_str(text)
            except ConnectionError:
                return

    async def close(self) -> None:
        self._writer.cancel()
        try:
            await self._writer
        except asyncio.CancelledError:
            pass


def _error(code: int, message: str, request_id: object = None) -> dict:
    return {"jsonrpc": "2.0", "error": {"code": code, "message": message}, "id": request_id}


def _handle(hub: SubscriptionHub, connection: Connection, request: object) -> None:
    if not isinstance(request, dict) or not isinstance(request.get("method"), str):
        connection.send(_error(INVALID_REQUEST, "Invalid request"))
        return
    if "id" not in request:
        return
    request_id, name = request["id"], request["method"]
    method = hub.method(name)
    if method is None:
        connection.send(_error(METHOD_NOT_FOUND, f"Method not found: {name}", request_id))
        return
    params = request.get("params") or []
    try:
        if not isinstance(params, list):
            raise RpcError(INVALID_REQUEST, "Invalid request: params must be an array")
        result, follow_up = method(connection, params)
    except RpcError as error:
        connection.send({"jsonrpc": "2.0", "error": error.to_json(), "id": request_id})
        return
    connection.send({"jsonrpc": "2.0", "result": result, "id": request_id})
    if follow_up is not None:
        follow_up()


def websocket_app(hub: SubscriptionHub) -> web.Application:
    """The aiohttp application serving Solana's pubsub protocol at `/`.

    Open sockets are closed with 1001 (going away) when the server shuts down, so
    clients reconnect instead of the server waiting on them.
    """
    sockets: set[web.WebSocketResponse] = set()

    async def handle(request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse(autoping=True)
        await socket.prepare(request)
        connection = Connection(socket)
        sockets.add(socket)
        try:
            async for message in socket:
                if message.type != WSMsgType.TEXT:
                    continue
                if message.data.strip() == "ping":
                    continue
                try:
                    payload = json.loads(message.data)
                except ValueError:
                    connection.send(_error(PARSE_ERROR, "Parse error"))
                    continue
                for item in payload if isinstance(payload, list) else [payload]:
                    _handle(hub, connection, item)
        finally:
            sockets.discard(socket)
            hub.drop(connection)
            await connection.close()
        return socket

    async def close_all(_app: web.Application | None = None) -> None:
        for socket in list(sockets):
            await socket.close(code=GOING_AWAY, message=b"localnet stopping")

    app = web.Application()
    app.router.add_get("/", handle)
    app.on_shutdown.append(close_all)
    # The close-websockets fault closes every socket through this.
    app[CLOSE_ALL] = close_all
    return app
