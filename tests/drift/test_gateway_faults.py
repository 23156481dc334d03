"""docs/RELIABILITY.md T6 for the account websocket: silence is detected, drops are healed.

The localnet's `wsSilent` keeps sockets open but sends nothing (as a half-dead
connection does); `closeWebsockets` drops every socket at once.
"""

import asyncio
import time

import aiohttp
import pytest
from driftpy.types import MarketType, OrderParams, OrderType, PositionDirection

from rekt_tui.domain.feed import FeedState
from tests.localnet.conftest import Rpc

from .test_gateway_support import SOL, USDC, close_client, make_trader, open_gateway, until

pytestmark = pytest.mark.slow

STALE_AFTER_S = 0.5


@pytest.fixture
async def rpc(live):
    async with aiohttp.ClientSession() as session:
        yield Rpc(session, live.rpc_url)
        await session.post(live.rpc_url, json={"jsonrpc": "2.0", "id": 0, "method": "rekt_clearFaults", "params": []})


@pytest.fixture
async def watched(live, rpc):
    """A gateway following a trader with a SOL-PERP position, and the trader."""
    trader = await make_trader(live, rpc, usdc=1_000 * USDC)
    await trader.place_perp_order(
        OrderParams(
            order_type=OrderType.Market(), market_type=MarketType.Perp(), direction=PositionDirection.Long(),
            base_asset_amount=SOL, market_index=0,
        )  # fmt: skip
    )
    gateway = await open_gateway(live, authority=trader.authority, stale_after_s=STALE_AFTER_S)
    await until(lambda: gateway.snapshot() is not None and gateway.snapshot().positions)
    yield gateway
    await gateway.close()
    await close_client(trader)


async def next_state(events, state: FeedState, timeout: float) -> float:
    """Seconds until the feed reports `state`."""
    started = time.monotonic()
    while (await asyncio.wait_for(anext(events), timeout)).state is not state:
        pass
    return time.monotonic() - started


async def oracle_reaches_snapshot(gateway, rpc, price: int) -> None:
    snapshots = gateway.snapshots()
    await rpc.result("rekt_setOraclePrice", "SOL-PERP", str(price))
    while (await asyncio.wait_for(anext(snapshots), 2)).positions[0].oracle_price != price * USDC:
        pass


async def test_silent_account_websocket_is_detected_then_resubscribed(watched, rpc):
    gateway = watched
    events = gateway.feed_events()
    assert not gateway.is_stale(STALE_AFTER_S)
    await rpc.result("rekt_setFaults", {"wsSilent": True})
    waited = await next_state(events, FeedState.STALE, timeout=STALE_AFTER_S + 2)
    assert waited <= STALE_AFTER_S + 1.0  # the limit, plus scheduling on a busy machine
    assert gateway.is_stale(STALE_AFTER_S) or gateway.feed_state is not FeedState.CONNECTED
    await rpc.result("rekt_clearFaults")
    await next_state(events, FeedState.CONNECTED, timeout=3)
    await oracle_reaches_snapshot(gateway, rpc, 151)
    assert not gateway.is_stale(STALE_AFTER_S) and gateway.age_s() < STALE_AFTER_S


async def test_dropped_account_websocket_reconnects_and_resumes(watched, rpc):
    gateway = watched
    events = gateway.feed_events()
    await rpc.result("rekt_setFaults", {"closeWebsockets": True})
    await next_state(events, FeedState.RECONNECTING, timeout=2)
    await next_state(events, FeedState.CONNECTED, timeout=3)
    await oracle_reaches_snapshot(gateway, rpc, 149)


async def test_changes_missed_while_disconnected_are_read_on_reconnect(watched, rpc):
    gateway = watched
    events = gateway.feed_events()
    await rpc.result("rekt_setFaults", {"wsSilent": True})
    await next_state(events, FeedState.STALE, timeout=STALE_AFTER_S + 2)
    await rpc.result("rekt_setOraclePrice", "SOL-PERP", "147")  # not notified: the socket is silent
    await rpc.result("rekt_clearFaults")
    await until(lambda: gateway.snapshot().positions[0].oracle_price == 147 * USDC, timeout=3)


async def test_a_reconnect_without_new_data_stays_stale(watched, rpc):
    gateway = watched
    events = gateway.feed_events()
    await rpc.result("rekt_setFaults", {"wsSilent": True})
    await next_state(events, FeedState.STALE, timeout=STALE_AFTER_S + 2)
    await next_state(events, FeedState.CONNECTED, timeout=3)  # reconnected, still silent
    assert gateway.feed_state is FeedState.CONNECTED
    assert gateway.age_s() > STALE_AFTER_S and gateway.is_stale(STALE_AFTER_S)
    await rpc.result("rekt_clearFaults")
    await oracle_reaches_snapshot(gateway, rpc, 152)  # notifications again: fresh
    assert gateway.age_s() < STALE_AFTER_S and not gateway.is_stale(STALE_AFTER_S)
