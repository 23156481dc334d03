"""Opening the account websocket: a node that never answers gets one sentence naming the URL."""

import socket

import pytest
from aiohttp import web

from rekt_tui.domain.errors import RektError
from rekt_tui.drift.pubsub import AccountStream
from rekt_tui.drift.rpc import JsonRpc
from tests.http_stub import http_stub


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def test_a_websocket_that_never_answers_is_one_sentence():
    port = _closed_port()
    rpc = JsonRpc(f"http://127.0.0.1:{port}")
    stream = AccountStream(f"ws://127.0.0.1:{port}", rpc, lambda *_: None, lambda _: None)
    try:
        with pytest.raises(RektError, match=rf"could not subscribe to ws://127\.0\.0\.1:{port} within 0\.5 s"):
            await stream.open(["11111111111111111111111111111111"], timeout_s=0.5)
    finally:
        await stream.close()
        await rpc.close()


async def test_why_a_socket_fails_reads_as_a_sentence():
    """A rate-limited handshake and a closed port are said in words in the feed's reason (what the
    activity log shows), not as the client library's exception text."""
    async def busy(request: web.Request) -> web.Response:
        return web.Response(status=429, text="slow down")

    closed = _closed_port()
    async with http_stub({"/": busy}) as busy_url:
        busy_ws = busy_url.replace("http://", "ws://")
        for url, expected in ((busy_ws, "the server answered HTTP 429"),
                              (f"ws://127.0.0.1:{closed}", f"cannot connect to 127.0.0.1:{closed}")):  # fmt: skip
            events = []
            rpc = JsonRpc(url.replace("ws://", "http://"))
            stream = AccountStream(url, rpc, lambda *_: None, events.append)
            try:
                with pytest.raises(RektError):
                    await stream.open(["11111111111111111111111111111111"], timeout_s=0.5)
            finally:
                await stream.close()
                await rpc.close()
            assert expected in [event.reason for event in events]
