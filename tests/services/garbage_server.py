"""A server that answers every request with HTTP 200 and something no client should trust:
text that is not JSON, JSON of the wrong shape, or numbers that are not numbers. It runs in
a thread of its own, so subprocesses (the CLI) and the test's own loop can both reach it."""

import asyncio
import socket
import threading
from collections.abc import Iterator

import pytest
from aiohttp import web

# Path -> what it answers; anything else (JSON-RPC posts included) gets plain garbage.
ANSWERS: dict[str, str] = {
    "/contracts": '{"contracts": [{"ticker_id": "SOL-PERP", "last_price": "NaN"}]}',
    "/market/SOL-PERP/trades": '{"records": [{"ts": 1, "takerOrderDirection": "up"}]}',
    "/market/SOL-PERP/candles/60": '{"records": "none"}',
    "/fundingRates": "[1, 2, 3]",
    "/l2": '{"bids": [], "asks": []}',
}


async def _answer(request: web.Request) -> web.Response:
    body = ANSWERS.get(request.path, "<html>garbage</html>")
    return web.Response(text=body, content_type="application/json")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def garbage_server() -> Iterator[str]:
    loop = asyncio.new_event_loop()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", _answer)
    runner = web.AppRunner(app)
    port = _free_port()
    loop.run_until_complete(runner.setup())
    loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", port).start())
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(timeout=5)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(timeout=5)
    loop.close()
