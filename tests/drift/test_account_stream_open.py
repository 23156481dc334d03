"""Opening the account websocket: a node that never answers gets one sentence naming the URL."""

import socket

import pytest

from rekt_tui.domain.errors import RektError
from rekt_tui.drift.pubsub import AccountStream
from rekt_tui.drift.rpc import JsonRpc


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
