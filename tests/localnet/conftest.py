"""Fixtures: a real localnet on free loopback ports with its own data dir, and a client."""

import socket
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from rekt_localnet import LocalnetError, LocalnetHandle, serve

# Fast slots keep the suite quick; tests that care about timing say so.
TEST_SLOT_MS = 50


def free_port_pair() -> int:
    """A port p such that p and p + 1 are both free right now (the ws port is p + 1)."""
    for _ in range(50):
        with socket.socket() as first:
            first.bind(("127.0.0.1", 0))
            port = first.getsockname()[1]
            if port >= 65534:
                continue
            with socket.socket() as second:
                try:
                    second.bind(("127.0.0.1", port + 1))
                except OSError:
                    continue
            return port
    raise RuntimeError("no free pair of loopback ports")


async def start_localnet(data_dir: Path, **options) -> LocalnetHandle:
    """`serve` on a free port pair, retrying if another process grabbed it meanwhile.

    Unless a test asks otherwise, the DLOB API takes any free port and oracle prices stay
    at genesis (tests that want the random walk pass `oracle_walk=True`), with no makers
    or keeper (tests of market life pass `market_life=True`), and no synthetic order flow
    (tests of market data pass `order_flow=True`), so fills and prices stay predictable.
    """
    options = {"dlob_port": 0, "oracle_walk": False, "market_life": False, "order_flow": False, **options}
    for _ in range(5):
        try:
            return await serve(data_dir, port=free_port_pair(), **options)
        except LocalnetError as error:
            if "cannot listen" not in str(error):
                raise
    raise RuntimeError("could not start a localnet on free ports")


class Rpc:
    """Raw JSON-RPC over HTTP, returning whole response objects."""

    def __init__(self, session: aiohttp.ClientSession, url: str) -> None:
        self.session = session
        self.url = url
        self._ids = 0

    async def post(self, payload, **kwargs):
        async with self.session.post(self.url, json=payload, **kwargs) as response:
            return await response.json()

    async def call(self, method: str, *params):
        self._ids += 1
        return await self.post({"jsonrpc": "2.0", "id": self._ids, "method": method, "params": list(params)})

    async def result(self, method: str, *params):
        response = await self.call(method, *params)
        assert "error" not in response, response
        return response["result"]


@pytest.fixture
async def localnet(tmp_path) -> AsyncIterator[LocalnetHandle]:
    handle = await start_localnet(tmp_path / "data", slot_ms=TEST_SLOT_MS)
    yield handle
    await handle.stop()


@pytest.fixture
async def rpc(localnet) -> AsyncIterator[Rpc]:
    async with aiohttp.ClientSession() as session:
        yield Rpc(session, localnet.rpc_url)
