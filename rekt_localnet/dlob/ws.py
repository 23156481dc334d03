"""The DLOB websocket (`/ws`): orderbook and trades channels, heartbeats, slow clients.

Protocol, as the DLOB server speaks it: a client sends
`{"type": "subscribe", "marketType": "perp", "channel": "orderbook", "market": "SOL-PERP"}`
and gets an acknowledgement, then (orderbook) the current book at once, then a new book
whenever it changed, at most once per slot. Every message about a channel is
`{"channel": "orderbook_perp_0", "data": "<JSON text>"}`: `data` is a string the client
parses a second time. `{"channel": "heartbeat"}` comes every few seconds; the server never
pings. A client that lets more than a bound of bytes queue up is closed with 1008.
"""

import asyncio
import json
import logging
from collections.abc import Callable
from socket import SO_SNDBUF, SOL_SOCKET

from aiohttp import WSMsgType, web

from rekt_localnet.dlob.markets import MarketQueryError, by_name

log = logging.getLogger(__name__)

CHANNELS = ("orderbook", "trades")
POLICY_VIOLATION = 1008
UNSUPPORTED_DATA = 1003
GOING_AWAY = 1001


def _dumps(value: object) -> str:
    return json.dumps(value, separators=(",", ":"))


class Client:
    """One connection: a byte-bounded outbox drained by its own writer task."""

    def __init__(self, socket: web.WebSocketResponse, limit_bytes: int, silent: Callable[[], bool]) -> None:
        self.socket = socket
        self.channels: set[str] = set()
        self._limit = limit_bytes
        self._silent = silent
        self._queued = 0
        self._queue: asyncio.Queue[str] = asyncio.Queue()
        self._writer = asyncio.create_task(self._write())
        self._closer: asyncio.Task | None = None
        self.closing = False

    def send(self, message: dict | str) -> None:
        if self.closing or self._silent():
            return
        text = message if isinstance(message, str) else _dumps(message)
        if self._queued + len(text) > self._limit:
            log.warning("closing a DLOB websocket client that stopped reading")
            self.closing = True
            self._writer.cancel()
            self._closer = asyncio.get_running_loop().create_task(self._close_slow())
            return
        self._queued += len(text)
        self._queue.put_nowait(text)

    async def _close_slow(self) -> None:
        try:
            await self.socket.close(code=POLICY_VIOLATION, message=b"client too slow")
        except ConnectionError:
            pass

    async def _write(self) -> None:
        while True:
            text = await self._queue.get()
            try:
                await self.socket.send_str(text)
            except ConnectionError:
                return
            self._queued -= len(text)

    async def stop(self) -> None:
        self._writer.cancel()
        try:
            await self._writer
        except asyncio.CancelledError:
            pass


class ChannelHub:
    """Who listens to which channel; serves `/ws` connections."""

    def __init__(
        self,
        *,
        snapshot: Callable[[str], str | None],
        silent: Callable[[], bool],
        heartbeat_s: float,
        limit_bytes: int,
        send_buffer_bytes: int | None = None,
    ) -> None:
        """`limit_bytes` bounds what a client may leave queued here; `send_buffer_bytes`,
        if given, caps the kernel's send buffer per socket, which otherwise grows to
        megabytes and hides a stalled client for as long."""
        self._snapshot = snapshot
        self._silent = silent
        self._heartbeat_s = heartbeat_s
        self._limit = limit_bytes
        self._send_buffer = send_buffer_bytes
        self.clients: set[Client] = set()

    def subscribers(self, channel: str) -> list[Client]:
        return [client for client in self.clients if channel in client.channels]

    def channels(self) -> set[str]:
        return {channel for client in self.clients for channel in client.channels}

    def publish(self, channel: str, data: str) -> None:
        message = _dumps({"channel": channel, "data": data})
        for client in self.subscribers(channel):
            client.send(message)

    async def close_all(self, code: int = GOING_AWAY) -> None:
        """Close every socket at once (a stalled client must not hold up the others)."""
        for client in self.clients:
            client.closing = True
        closing = [client.socket.close(code=code, message=b"closed by the localnet") for client in list(self.clients)]
        await asyncio.gather(*closing, return_exceptions=True)

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse(autoping=True)
        await socket.prepare(request)
        if self._send_buffer is not None and request.transport is not None:
            raw = request.transport.get_extra_info("socket")
            raw.setsockopt(SOL_SOCKET, SO_SNDBUF, self._send_buffer)
        client = Client(socket, self._limit, self._silent)
        self.clients.add(client)
        beat = asyncio.create_task(self._heartbeat(client))
        try:
            async for message in socket:
                if message.type == WSMsgType.TEXT:
                    await self._on_message(client, message.data)
        finally:
            beat.cancel()
            self.clients.discard(client)
            await client.stop()
        return socket

    async def _heartbeat(self, client: Client) -> None:
        while True:
            await asyncio.sleep(self._heartbeat_s)
            client.send({"channel": "heartbeat"})

    async def _on_message(self, client: Client, text: str) -> None:
        try:
            request = json.loads(text)
            kind = str(request["type"]).lower()
        except (ValueError, KeyError, TypeError):
            return
        if kind not in ("subscribe", "unsubscribe"):
            return
        channel = request.get("channel")
        if not isinstance(channel, str):
            await client.socket.close(code=UNSUPPORTED_DATA, message=b"no channel given")
            return
        try:
            name = self._channel_name(request)
        except MarketQueryError as error:
            client.send({"channel": channel, "error": f"Error {kind[:-1]}ing to channel: {error}"})
            return
        if kind == "unsubscribe":
            client.channels.discard(name)
            return
        client.channels.add(name)
        client.send({
            "message": f"Subscribe received for channel: {channel}, market: {request.get('market')}, "
            f"marketType: {request.get('marketType')}"
        })
        data = self._snapshot(name)
        if data is not None:
            client.send({"channel": name, "data": data})

    @staticmethod
    def _channel_name(request: dict) -> str:
        channel = request["channel"].lower()
        if channel not in CHANNELS:
            raise MarketQueryError(f"unknown channel {request['channel']!r}; use orderbook or trades")
        market_type = request.get("marketType")
        if not isinstance(market_type, str) or market_type.lower() not in ("perp", "spot"):
            raise MarketQueryError('marketType must be "perp" or "spot"')
        market = request.get("market")
        if not isinstance(market, str):
            raise MarketQueryError("market must be a market name such as SOL-PERP")
        return f"{channel}_{by_name(market, market_type).channel_suffix}"
