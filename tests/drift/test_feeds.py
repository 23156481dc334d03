"""The DLOB order book feed against the localnet's DLOB API: books, switching, T6 faults."""

import asyncio
import time

import aiohttp
import pytest

from rekt_tui.domain.feed import FeedEvent, FeedState
from rekt_tui.domain.orderbook import OrderBook
from rekt_tui.drift.dlob import OrderBookFeed, fetch_l2
from tests.localnet.conftest import Rpc, start_localnet

from .test_gateway_support import FAST_BACKOFF, until

pytestmark = pytest.mark.slow

HEARTBEAT_S = 0.2
STALE_AFTER_S = 0.6


@pytest.fixture
async def live(tmp_path):
    handle = await start_localnet(tmp_path / "chain", slot_ms=50, market_life=True, dlob_heartbeat_s=HEARTBEAT_S)
    yield handle
    await handle.stop()


@pytest.fixture
async def session(live):
    async with aiohttp.ClientSession() as session:
        yield session
        await Rpc(session, live.rpc_url).call("rekt_clearFaults")


@pytest.fixture
async def feed(live):
    feed = OrderBookFeed(live.dlob_ws_url, "SOL-PERP", stale_after_s=STALE_AFTER_S, backoff=FAST_BACKOFF)
    updates = feed.updates()
    feed.start()
    await next_book(updates)
    yield feed
    await feed.close()


async def next_book(updates, timeout: float = 3.0) -> OrderBook:
    while not isinstance(item := await asyncio.wait_for(anext(updates), timeout), OrderBook):
        pass
    return item


async def next_state(updates, state: FeedState, timeout: float) -> float:
    started = time.monotonic()
    while not (isinstance(item := await asyncio.wait_for(anext(updates), timeout), FeedEvent) and item.state is state):
        pass
    return time.monotonic() - started


def levels(book: OrderBook) -> tuple:
    return tuple((level.price, level.size, level.sources) for level in book.bids), tuple(
        (level.price, level.size, level.sources) for level in book.asks
    )


async def test_the_feed_book_matches_l2(live, session, feed):
    await until(lambda: len(feed.latest.bids) >= 3 and len(feed.latest.asks) >= 3)
    for _ in range(50):
        snapshot = await fetch_l2(session, live.dlob_url, "SOL-PERP", depth=100)
        if levels(snapshot) == levels(feed.latest):
            break
        await asyncio.sleep(0.05)
    book = feed.latest
    assert levels(snapshot) == levels(book)
    assert [level.price for level in book.bids] == sorted((level.price for level in book.bids), reverse=True)
    assert [level.price for level in book.asks] == sorted(level.price for level in book.asks)
    for side in (book.bids, book.asks):
        assert [level.cumulative_size for level in side] == [sum(level.size for level in side[: i + 1]) for i in range(len(side))]
        assert all(sum(size for _, size in level.sources) == level.size for level in side)
    assert book.best_bid < book.oracle_price < book.best_ask and book.spread == book.best_ask - book.best_bid > 0
    assert (book.market_name, book.market_type, book.market_index) == ("SOL-PERP", "perp", 0)
    assert book.mark_price == (book.best_bid + book.best_ask) // 2


async def test_switching_markets(feed):
    updates = feed.updates()
    await feed.switch("ETH-PERP")
    book = await next_book(updates)
    assert (book.market_name, book.market_index) == ("ETH-PERP", 2)
    assert 3_000 * 10**6 < book.oracle_price < 4_000 * 10**6


async def test_silent_dlob_socket_is_detected_then_resubscribed(session, live, feed):
    rpc = Rpc(session, live.rpc_url)
    updates = feed.updates()
    await rpc.result("rekt_setFaults", {"wsSilent": True})
    waited = await next_state(updates, FeedState.STALE, timeout=STALE_AFTER_S + 2)
    assert waited <= STALE_AFTER_S + 1.0  # the limit, plus scheduling on a busy machine
    await rpc.result("rekt_clearFaults")
    await next_state(updates, FeedState.CONNECTED, timeout=3)
    book = await next_book(updates)
    assert book.market_name == "SOL-PERP" and feed.age_s() < STALE_AFTER_S


async def test_dropped_dlob_socket_reconnects_and_resumes(session, live, feed):
    updates = feed.updates()
    await Rpc(session, live.rpc_url).result("rekt_setFaults", {"closeWebsockets": True})
    await next_state(updates, FeedState.RECONNECTING, timeout=2)
    await next_state(updates, FeedState.CONNECTED, timeout=3)
    assert (await next_book(updates)).market_name == "SOL-PERP"
