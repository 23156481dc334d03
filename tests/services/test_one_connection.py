"""One session, one connection: following and trading a session through the services holds
one account websocket and one order-book websocket on the cluster, counted by the localnet."""

import asyncio
import time

import pytest

from rekt_tui.services.link import open_link
from rekt_tui.services.models import OrderForm
from tests.services.test_orders_service import open_desk

pytestmark = pytest.mark.slow


async def until(condition, timeout: float = 20.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"{what} never held"
        await asyncio.sleep(0.05)


async def test_a_followed_and_traded_session_holds_one_account_socket_and_one_book_socket(tmp_path):
    desk = await open_desk(tmp_path)
    chain, venue = desk.chain, desk.link.venue
    # The cockpit's live feed opens the session apart from its actions: it gets the same link.
    follower = await open_link(desk.services, desk.pubkey)
    assert follower is desk.link
    snapshots, events = follower.venue.snapshots(), follower.venue.feed_events()
    try:
        # Following: the account stream and the book, as the dashboard reads them.
        book = venue.order_book("SOL-PERP")
        updates = book.updates()
        await until(lambda: book.latest is not None, what="a book")
        assert venue.order_book("BTC-PERP") is book  # a second reader shares the one book socket
        await book.switch("SOL-PERP")

        # Trading: plan (guards and preview), place, fill, preview a close, close, cancel.
        await desk.orders.plan(OrderForm("SOL-PERP", "buy", "0.5"))
        await desk.orders.place(OrderForm("SOL-PERP", "buy", "0.5", kind="limit", price="140", post_only=True))
        await desk.orders.place(OrderForm("SOL-PERP", "buy", "0.5"), allow_stacking=True)
        await until(lambda: any(p.market_index == 0 for p in venue.snapshot().positions), what="the fill")
        await desk.orders.preview_close("SOL-PERP")
        await desk.orders.close("SOL-PERP")
        await desk.orders.cancel()
        await anext(snapshots)

        census = chain.subscriptions.census()
        assert census["connections"] == 1, census  # the account, its markets and oracles: one socket
        assert census.get("program", 0) == 0, census
        assert len(chain.dlob.hub.clients) == 1
        assert {channel for client in chain.dlob.hub.clients for channel in client.channels} == {
            "orderbook_perp_0"
        }
        updates.close()
    finally:
        snapshots.close()
        events.close()
        await follower.close()
    assert chain.subscriptions.census()["connections"] == 1  # the actions still hold the session
    await desk.link.close()
    await until(lambda: not chain.subscriptions.census().get("connections"), what="the account socket to close")
    await until(lambda: not chain.dlob.hub.clients, what="the book socket to close")
    await desk.admin.close()
    await desk.services.close()
    await chain.stop()
