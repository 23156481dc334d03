"""The side of the book a preview takes, read from a book server over loopback HTTP: a 429 is
tried again, and a server that keeps refusing gives no levels (the preview then says so)."""

import contextlib

from aiohttp import web

from rekt_tui.domain.records import Direction
from rekt_tui.drift.dlob import book_levels

BOOK = {
    "marketName": "SOL-PERP", "marketType": "perp", "marketIndex": 0, "slot": 7, "oracle": "150000000",
    "bids": [{"price": "149900000", "size": "2000000000"}],
    "asks": [{"price": "150100000", "size": "1000000000"}, {"price": "150200000", "size": "3000000000"}],
}  # fmt: skip


@contextlib.asynccontextmanager
async def serve(port: int, refusals: int):
    """A book server on loopback that answers 429 to its first `refusals` requests."""
    asked: list[str] = []

    async def l2(request: web.Request) -> web.Response:
        asked.append(request.query["marketName"])
        if len(asked) <= refusals:
            return web.Response(status=429, text="Too Many Requests")
        return web.json_response(BOOK)

    app = web.Application()
    app.router.add_get("/l2", l2)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield f"http://127.0.0.1:{port}", asked
    finally:
        await runner.cleanup()


async def test_a_429_is_tried_again(unused_tcp_port):
    async with serve(unused_tcp_port, refusals=2) as (url, asked):
        levels = await book_levels(url, "SOL-PERP", Direction.LONG)
        assert levels == ((150_100_000, 10**9), (150_200_000, 3 * 10**9)) and asked == ["SOL-PERP"] * 3
        assert await book_levels(url, "SOL-PERP", Direction.SHORT) == ((149_900_000, 2 * 10**9),)


async def test_a_server_that_keeps_refusing_gives_no_levels(unused_tcp_port):
    async with serve(unused_tcp_port, refusals=10**6) as (url, asked):
        assert await book_levels(url, "SOL-PERP", Direction.LONG) == ()
        assert len(asked) > 2  # tried again for the preview's few seconds, then given up
