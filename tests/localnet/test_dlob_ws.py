"""The DLOB websocket over a real socket: acknowledgement and snapshot on subscribe,
double-encoded data, updates at most once per slot and only on change, heartbeats,
unsubscribe, trades, and 1008 for a client that stops reading."""

import asyncio
import json
import os
import socket
import struct
import time
from urllib.parse import urlsplit

import aiohttp

from rekt_localnet.oracle_feed import OracleFeed
from tests.localnet.dlob_support import SOL, dlob_server, open_ledger, order, place_maker

SUBSCRIBE = {"type": "subscribe", "marketType": "perp", "channel": "orderbook", "market": "SOL-PERP"}


async def receive(ws, timeout: float = 2.0) -> dict:
    message = await ws.receive(timeout=timeout)
    assert message.type == aiohttp.WSMsgType.TEXT, message
    return json.loads(message.data)


async def silent(ws, seconds: float = 0.1) -> bool:
    """Whether nothing arrives on `ws` for `seconds`."""
    try:
        await ws.receive(timeout=seconds)
    except asyncio.TimeoutError:
        return True
    return False


async def book_message(ws) -> dict:
    """The next orderbook message, its data parsed a second time."""
    while True:
        message = await receive(ws)
        if message.get("channel", "").startswith("orderbook_"):
            assert isinstance(message["data"], str)
            return json.loads(message["data"])


async def test_subscribe_gets_ack_then_snapshot_then_updates_on_change(tmp_path):
    ledger = open_ledger(tmp_path / "ledger")
    async with dlob_server(ledger) as (server, url), aiohttp.ClientSession() as session:
        ws = await session.ws_connect(url + "/ws")
        await ws.send_json(SUBSCRIBE)
        ack = await receive(ws)
        assert ack == {"message": "Subscribe received for channel: orderbook, market: SOL-PERP, marketType: perp"}
        raw = await receive(ws)
        assert raw["channel"] == "orderbook_perp_0"
        snapshot = json.loads(raw["data"])
        assert snapshot["marketName"] == "SOL-PERP" and snapshot["slot"] == ledger.slot
        assert all("dlob" not in level["sources"] for level in snapshot["bids"])
        # A slot where nothing changed sends nothing.
        ledger.advance_slot()
        assert await silent(ws)
        # A new maker order shows at the next slot, once.
        place_maker(ledger, [order(1, "bid", 149_500_000, 3 * SOL)])
        ledger.advance_slot()
        update = await book_message(ws)
        assert update["slot"] == ledger.slot
        assert {"price": "149500000", "size": str(3 * SOL), "sources": {"dlob": str(3 * SOL)}} in update["bids"]
        # The oracle moving the AMM is a change too.
        OracleFeed(ledger, seed=0, slot_ms=400, walk=False).set_price("SOL", 151_000_000)
        ledger.advance_slot()
        moved = await book_message(ws)
        assert moved["oracle"] == 151_000_000 and int(moved["bids"][0]["price"]) > 150_900_000
        await ws.send_json({**SUBSCRIBE, "type": "unsubscribe"})
        await asyncio.sleep(0.05)
        place_maker(ledger, [order(2, "ask", 152_000_000, SOL)])
        ledger.advance_slot()
        assert await silent(ws) and not server.hub.channels()
        await ws.close()
    ledger.close()


async def test_heartbeat_and_bad_subscriptions(tmp_path):
    ledger = open_ledger(tmp_path / "ledger")
    async with dlob_server(ledger, heartbeat_s=0.05) as (server, url), aiohttp.ClientSession() as session:
        ws = await session.ws_connect(url + "/ws")
        started = time.monotonic()
        assert await receive(ws) == {"channel": "heartbeat"}
        assert await receive(ws) == {"channel": "heartbeat"}
        assert 0.08 < time.monotonic() - started < 1.0
        await ws.send_json({**SUBSCRIBE, "market": "DOGE-PERP"})
        error = await receive(ws)
        while error.get("channel") == "heartbeat":
            error = await receive(ws)
        assert error["channel"] == "orderbook" and "unrecognized marketName" in error["error"]
        await ws.send_json({"type": "subscribe", "market": "SOL-PERP", "marketType": "perp"})
        closing = await ws.receive(timeout=2)
        while closing.type == aiohttp.WSMsgType.TEXT:
            closing = await ws.receive(timeout=2)
        assert closing.type == aiohttp.WSMsgType.CLOSE and closing.data == 1003
    ledger.close()


async def test_trades_channel(tmp_path):
    ledger = open_ledger(tmp_path / "ledger")
    async with dlob_server(ledger) as (server, url), aiohttp.ClientSession() as session:
        ws = await session.ws_connect(url + "/ws")
        await ws.send_json({"type": "subscribe", "marketType": "perp", "channel": "trades", "market": "ETH-PERP"})
        assert "Subscribe received" in (await receive(ws))["message"]
        await asyncio.sleep(0.02)
        trade = {"marketType": "perp", "marketIndex": 2, "action": "fill", "price": 3500.0, "slot": ledger.slot}
        server.publish_trade(trade)
        server.publish_trade({**trade, "marketIndex": 0})  # another market: not sent
        message = await receive(ws)
        assert message["channel"] == "trades_perp_2" and json.loads(message["data"]) == trade
        await ws.close()
    ledger.close()


async def _raw_subscriber(url: str) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A websocket client on a plain TCP stream that subscribes and then stops reading."""
    parts = urlsplit(url)
    # A small receive window, so the kernel holds little of what the server sends.
    raw = socket.socket()
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    raw.setblocking(False)
    await asyncio.get_running_loop().sock_connect(raw, (parts.hostname, parts.port))
    reader, writer = await asyncio.open_connection(sock=raw, limit=4096)
    writer.write(
        b"GET /ws HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    )
    await reader.readuntil(b"\r\n\r\n")
    payload = json.dumps(SUBSCRIBE).encode()
    mask = os.urandom(4)
    masked = bytes(byte ^ mask[i % 4] for i, byte in enumerate(payload))
    writer.write(bytes([0x81, 0x80 | len(payload)]) + mask + masked)
    await writer.drain()
    return reader, writer


async def _close_code(reader: asyncio.StreamReader) -> int:
    """Read frames until the close frame; its status code."""
    while True:
        first, second = await reader.readexactly(2)
        length = second & 0x7F
        if length == 126:
            length = struct.unpack(">H", await reader.readexactly(2))[0]
        elif length == 127:
            length = struct.unpack(">Q", await reader.readexactly(8))[0]
        body = await reader.readexactly(length)
        if first & 0x0F == 0x8:
            return struct.unpack(">H", body[:2])[0]


async def test_a_client_that_stops_reading_is_closed_with_1008(tmp_path):
    ledger = open_ledger(tmp_path / "ledger")
    feed = OracleFeed(ledger, seed=5, slot_ms=400)
    async with dlob_server(ledger, outbox_limit_bytes=20_000, send_buffer_bytes=4096) as (server, url):
        reader, writer = await _raw_subscriber(url)
        reader._transport.pause_reading()
        deadline = time.monotonic() + 10
        while server.hub.clients and not any(client.closing for client in server.hub.clients):
            assert time.monotonic() < deadline, "the slow client was never closed"
            feed.tick(ledger.advance_slot())
            await asyncio.sleep(0.002)
        reader._transport.resume_reading()
        assert await asyncio.wait_for(_close_code(reader), 5) == 1008
        writer.close()
    ledger.close()
