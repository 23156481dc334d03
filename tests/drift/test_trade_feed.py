"""The trades channel of the localnet's DLOB websocket, read by our own `TradeFeed`: each
streamed fill is the one the data API's `/trades` records, a silent socket is reported
stale and subscribed anew, and a message that is not a fill is skipped, not raised."""

import asyncio
import json

import aiohttp
import pytest

from rekt_tui.domain.feed import FeedState
from rekt_tui.domain.market_context import Trade
from rekt_tui.drift.market_api import parse_trade
from rekt_tui.drift.trade_feed import TradeFeed
from tests.localnet.conftest import Rpc, start_localnet

from .test_feeds import HEARTBEAT_S, STALE_AFTER_S, next_state
from .test_gateway_support import FAST_BACKOFF

pytestmark = pytest.mark.slow


@pytest.fixture
async def live(tmp_path):
    handle = await start_localnet(
        tmp_path / "chain", slot_ms=50, market_life=True, order_flow=True, dlob_heartbeat_s=HEARTBEAT_S
    )
    yield handle
    await handle.stop()


async def next_trade(updates, timeout: float = 20.0) -> Trade:
    while not isinstance(item := await asyncio.wait_for(anext(updates), timeout), Trade):
        pass
    return item


async def test_streamed_fills_are_the_data_apis_and_a_silent_socket_heals(live):
    feed = TradeFeed(live.dlob_ws_url, "SOL-PERP", stale_after_s=STALE_AFTER_S, backoff=FAST_BACKOFF)
    updates = feed.updates()
    feed.start()
    try:
        await next_state(updates, FeedState.CONNECTED, timeout=5)
        streamed = [await next_trade(updates) for _ in range(3)]
        async with aiohttp.ClientSession() as session:
            async with session.get(f"{live.dlob_url}/market/SOL-PERP/trades", params={"limit": "200"}) as response:
                recorded = [parse_trade(raw) for raw in (await response.json())["records"]]
            for trade in streamed:  # the same fill, field for field, as the history keeps it
                assert trade in recorded, trade
                assert trade.price > 0 and trade.base > 0 and trade.taker and trade.maker

            rpc = Rpc(session, live.rpc_url)
            await rpc.result("rekt_setFaults", {"wsSilent": True})
            try:
                await next_state(updates, FeedState.STALE, timeout=STALE_AFTER_S + 3)
            finally:
                await rpc.result("rekt_clearFaults")
        await next_state(updates, FeedState.CONNECTED, timeout=5)
        assert (await next_trade(updates)).ts >= streamed[-1].ts  # subscribed anew: fills come again
    finally:
        updates.close()
        await feed.close()


async def test_a_message_that_is_not_a_fill_is_skipped_and_counted():
    feed = TradeFeed("ws://127.0.0.1:9/ws", "SOL-PERP")
    updates = feed.updates()
    fill = {"ts": 1, "slot": 2, "price": "150000000", "baseAssetAmountFilled": "1000000000",
            "takerOrderDirection": "long", "taker": "T", "maker": "M", "txSig": "s"}  # fmt: skip
    feed._received({"channel": "trades_perp_0", "data": json.dumps({**fill, "takerOrderDirection": "up"})}, 0.0)
    feed._received({"channel": "trades_perp_0", "data": "not json"}, 0.0)
    feed._received({"channel": "heartbeat"}, 0.0)
    feed._received({"channel": "trades_perp_0", "data": json.dumps(fill)}, 0.0)
    assert feed.skipped == 2
    assert await asyncio.wait_for(anext(updates), 1) == parse_trade(fill)
