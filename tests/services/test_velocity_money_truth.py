"""The relaunch under the localnet's HTTP 429 fault: a taker is never signed blind, a landed
taker's outcome is what its fill events say, and unread book orders are never shown as none."""

import time

import pytest
from aiohttp import web

from rekt_tui.domain.errors import RektError
from rekt_tui.domain.orders import OrderKind, OrderRequest, auction_for, free_user_order_id
from rekt_tui.domain.records import Direction, OrderStatus
from rekt_tui.services.models import NOTHING_FILLED, OrderForm
from rekt_tui.services.order_book import adopt_orders
from rekt_tui.services.order_sending import send_order, taken_user_order_ids
from rekt_tui.velocity import order_building
from rekt_tui.velocity.makers import taker_book
from tests.services.test_orders_service import SOL, close_desk, open_desk, until
from tests.http_stub import http_stub

pytestmark = pytest.mark.slow


async def _faults(desk, **faults) -> None:
    await desk.admin.call("rekt_setFaults", [faults])


async def order_request(desk, direction: Direction, size: int, *, kind=OrderKind.MARKET, price=None, reduce_only=False):
    spec = desk.link.venue.market_specs()["SOL-PERP"]
    uid = free_user_order_id(await taken_user_order_ids(desk.link))
    return OrderRequest(spec, direction, kind, size, price=price, trigger_price=None, trigger_condition=None,
                        reduce_only=reduce_only, post_only=False, max_ts=int(time.time()) + 60, user_order_id=uid)


async def _fresh_base(desk, wanted: int) -> bool:
    await desk.fresh()
    return desk.base() == wanted


async def test_a_taker_is_refused_unsigned_when_the_book_server_does_not_answer(tmp_path):
    desk = await open_desk(tmp_path, usdc=300, venue="velocity")
    try:
        venue = desk.link.venue
        request = await order_request(desk, Direction.LONG, SOL // 10)
        oracle = next(m for m in venue.markets() if m.symbol == "SOL-PERP").oracle_price
        auction = auction_for(Direction.LONG, oracle, 100, 2, tick_size=request.market.tick_size)
        transaction = venue.place_order(request, auction)
        latest = await venue.connection.rpc.call("getLatestBlockhash", [{"commitment": "confirmed"}])
        blockhash = latest["value"]["blockhash"]
        await _faults(desk, http429=1.0)
        try:
            with pytest.raises(RektError) as refused:
                await transaction(blockhash)  # signed bytes would mean a blind taker
        finally:
            await _faults(desk, http429=0.0)
        message = str(refused.value)
        assert "order-book server" in message and "/l3" in message and "HTTP 429" in message
        assert "nothing was signed" in message and "\n" not in message
        assert await transaction(blockhash)  # the same order, the server answering: built and signed
    finally:
        await close_desk(desk)


async def test_a_landed_taker_that_fills_nothing_says_so_and_its_row_is_not_filled(tmp_path):
    desk = await open_desk(tmp_path, usdc=300, venue="velocity")
    try:
        await desk.orders.place(OrderForm("SOL-PERP", "buy", "0.1"))
        await until(lambda: _fresh_base(desk, SOL // 10), what="the market order's fill")
        # A reduce-only limit always takes on this venue; at 1000 it crosses no bid: it lands, fills nothing.
        request = await order_request(desk, Direction.SHORT, SOL // 10, kind=OrderKind.LIMIT, price=1000 * 10**6,
                                 reduce_only=True)
        placed = await send_order(desk.link, "place_order", request, desk.link.venue.place_order(request, None))
        assert placed.signature and placed.record.transaction_signature == placed.signature
        assert placed.record.status is OrderStatus.CANCELLED and placed.outcome == NOTHING_FILLED
        await desk.fresh()
        assert desk.base() == SOL // 10  # the position did not change
        assert placed.record.id not in {r.id for r in await desk.services.registry.list_open_orders(desk.pubkey)}
        [closed] = await desk.orders.close("SOL-PERP")  # a taker that fills: filled, from its fill events
        assert closed.record.status is OrderStatus.FILLED and closed.outcome == "filled"
        await until(lambda: _fresh_base(desk, 0), what="the close")
    finally:
        await close_desk(desk)


async def test_unread_book_orders_are_said_never_shown_as_none(tmp_path):
    desk = await open_desk(tmp_path, usdc=400, venue="velocity")
    try:
        for price in ("140", "141"):
            await desk.orders.place(OrderForm("SOL-PERP", "buy", "0.1", kind="limit", price=price, post_only=True),
                                    allow_stacking=True)
        await desk.fresh()
        connection = desk.link.venue.connection
        assert len(connection.book_orders) == 2 and desk.account().orders_unread is None
        await _faults(desk, http429=1.0)
        try:
            await connection.read_book_orders()
        finally:
            await _faults(desk, http429=0.0)
        unread = desk.account().orders_unread
        assert unread is not None and "could not be read" in unread and "HTTP 429" in unread
        with pytest.raises(RektError, match="nothing is concluded"):
            desk.link.venue.holdings()  # a teardown never plans "nothing to cancel" from it
        with pytest.raises(RektError, match="could not be read"):
            desk.link.venue.cancel_orders(None)
        gone = [b.order for b in connection.book_orders[:1]]
        connection.book_orders = connection.book_orders[1:]  # as a shorter list would look
        connection._publish()
        assert len(desk.account().orders) == 1
        await adopt_orders(desk.services.registry, desk.link)
        rows = await desk.services.registry.list_open_orders(desk.pubkey)
        assert len(rows) == 2 and all(r.status is OrderStatus.OPEN for r in rows), rows
        await connection.read_book_orders()
        assert desk.account().orders_unread is None and len(connection.book_orders) == 2
        assert gone[0] in [b.order for b in connection.book_orders]
        assert len(desk.link.venue.holdings().orders) == 2
    finally:
        await close_desk(desk)


async def test_an_empty_side_refuses_the_taker_before_signing(tmp_path):
    """An order-book server that answers, with no asks: a market buy there can fill nothing."""

    async def l3(request: web.Request) -> web.Response:
        return web.json_response({"marketName": request.query["marketName"], "bids": [], "asks": []})

    async with http_stub({"/l3": l3}) as empty_url:
        desk = await open_desk(tmp_path, usdc=300, venue="velocity")
        try:
            venue = desk.link.venue
            request = await order_request(desk, Direction.LONG, SOL // 10)
            book = await taker_book(venue.connection, empty_url, "SOL-PERP", Direction.LONG)
            assert book.makers == () and book.best_price is None
            with pytest.raises(RektError, match="book has no asks to take from.*nothing was signed"):
                order_building.place_orders(venue.connection.view, [request], (1, 2, 3), [], book)
            live = await taker_book(venue.connection, desk.chain.dlob_url, "SOL-PERP", Direction.LONG)
            assert order_building.place_orders(venue.connection.view, [request], (1, 2, 3), [], live)
        finally:
            await close_desk(desk)

