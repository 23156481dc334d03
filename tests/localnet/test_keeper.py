"""Market life on a running localnet: makers quote, the keeper fills driftpy's orders."""

import asyncio
import json
import time

import aiohttp
import pytest
from driftpy.account_subscription_config import AccountSubscriptionConfig
from driftpy.drift_client import DriftClient
from driftpy.types import (
    MarketType,
    OrderParams,
    OrderTriggerCondition,
    OrderType,
    PositionDirection,
    ReferrerInfo,
)
from solana.rpc.async_api import AsyncClient
from solders.keypair import Keypair
from solders.pubkey import Pubkey

from rekt_localnet import LOCALNET_LOOKUP_TABLE, LOCALNET_REFERRER
from rekt_localnet.encoding import decode_account
from rekt_localnet.market.chain import users
from rekt_localnet.market.makers import BOOKS, LEVELS, maker_keypair
from rekt_localnet.programs.drift import instructions as drift_ix

from .conftest import Rpc, start_localnet
from .helpers import wait_for_status

USDC = 10**6
SOL = 10**9


@pytest.fixture
async def rpc(live):
    async with aiohttp.ClientSession() as session:
        yield Rpc(session, live.rpc_url)


async def until(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition never held"
        await asyncio.sleep(0.02)


async def make_trader(live, rpc, usdc: int, referrer_info=None) -> DriftClient:
    """A subscribed DriftClient with a Drift user holding `usdc` of deposited USDC."""
    connection = AsyncClient(live.rpc_url)
    wallet = Keypair()
    await wait_for_status(rpc, await rpc.result("requestAirdrop", str(wallet.pubkey()), 10 * SOL))
    minted = await rpc.result("rekt_mintUsdc", str(wallet.pubkey()), usdc)
    client = DriftClient(
        connection, wallet, env="devnet",
        account_subscription=AccountSubscriptionConfig("websocket"), market_lookup_tables=[LOCALNET_LOOKUP_TABLE],
    )
    await client.initialize_user(referrer_info=referrer_info)
    await client.subscribe()
    await client.deposit(usdc, 0, Pubkey.from_string(minted["tokenAccount"]))
    await until(lambda: client.get_user().get_total_collateral() == usdc)
    return client


async def close(client: DriftClient) -> None:
    await client.unsubscribe()
    await client.connection.close()


@pytest.fixture
async def trader(live, rpc):
    client = await make_trader(live, rpc, 10_000 * USDC)
    yield client
    await close(client)


def maker_orders(live, market_index: int, spot: bool = False) -> list:
    key = drift_ix.user_key(maker_keypair(market_index, spot=spot).pubkey())
    user = dict(users(live.ledger))[key]
    return [o for o in user.orders if type(o.status).__name__ == "Open"]


def base(client) -> int:
    position = client.get_user().get_perp_position(0)
    return position.base_asset_amount if position else 0


async def test_makers_quote_both_sides_of_every_market(live):
    await until(lambda: all(len(maker_orders(live, index)) == 2 * len(LEVELS) for index in range(3)))
    orders = maker_orders(live, 0)
    bids = sorted(o.price for o in orders if type(o.direction).__name__ == "Long")
    asks = sorted(o.price for o in orders if type(o.direction).__name__ == "Short")
    assert bids[-1] < 150 * USDC < asks[0]


async def test_market_order_fills_against_makers_and_is_recorded(live, trader):
    await until(lambda: len(maker_orders(live, 0)) == 2 * len(LEVELS))
    async with aiohttp.ClientSession() as session, session.ws_connect(live.dlob_ws_url) as dlob:
        await dlob.send_json({"type": "subscribe", "marketType": "perp", "channel": "trades", "market": "SOL-PERP"})
        await dlob.receive_json(timeout=2)  # the subscription acknowledgement
        order = OrderParams(
            order_type=OrderType.Market(), market_type=MarketType.Perp(), direction=PositionDirection.Long(),
            base_asset_amount=SOL, market_index=0,
        )
        await trader.place_perp_order(order)
        await until(lambda: base(trader) == SOL)
        trade = live.trades.recent(0)[-1]
        assert trade["base"] == SOL and trade["taker_direction"] == "long" and trade["maker"] is not None
        assert trade["price"] == 150_075_000  # the makers' first ask, 5 bps above the oracle
        message = await dlob.receive_json(timeout=2)
    published = json.loads(message["data"])  # the DLOB server's double-encoded data
    assert message["channel"] == "trades_perp_0"
    assert (published["baseAssetAmountFilled"], published["price"]) == (str(SOL), "150075000")
    assert published["quoteAssetAmountFilled"] == "150075000" and published["takerOrderDirection"] == "long"
    assert published["txSig"] == trade["signature"] and published["maker"] == trade["maker"]


async def test_crossing_limit_order_fills(live, trader):
    await until(lambda: len(maker_orders(live, 0)) == 2 * len(LEVELS))
    order = OrderParams(
        order_type=OrderType.Limit(), market_type=MarketType.Perp(), direction=PositionDirection.Short(),
        base_asset_amount=2 * SOL, price=149 * USDC, market_index=0,
    )
    await trader.place_perp_order(order)
    await until(lambda: base(trader) == -2 * SOL)
    assert trader.get_user().get_open_orders() == []


async def test_trigger_order_fires_when_the_oracle_crosses(live, rpc, trader):
    stop = OrderParams(
        order_type=OrderType.TriggerMarket(), market_type=MarketType.Perp(), direction=PositionDirection.Long(),
        base_asset_amount=SOL, market_index=0, trigger_price=152 * USDC,
        trigger_condition=OrderTriggerCondition.Above(),
    )
    await trader.place_perp_order(stop)
    await asyncio.sleep(0.2)
    assert base(trader) == 0
    await rpc.result("rekt_setOraclePrice", "SOL-PERP", "153")
    await until(lambda: base(trader) == SOL)


async def test_keeper_tick_time_with_100_resting_orders(live, rpc, trader):
    await until(lambda: all(len(maker_orders(live, index)) == 2 * len(LEVELS) for index in range(3)))
    others = [await make_trader(live, rpc, 10_000 * USDC) for _ in range(2)]
    for client in (trader, *others):
        orders = [
            OrderParams(
                order_type=OrderType.Limit(), market_type=MarketType.Perp(), direction=PositionDirection.Long(),
                base_asset_amount=SOL // 100, price=(100 + i) * USDC, market_index=0,
            )
            for i in range(24)
        ]
        for chunk in (orders[:12], orders[12:]):
            await client.place_orders(chunk)
    resting = sum(1 for _, user in users(live.ledger) for o in user.orders if type(o.status).__name__ == "Open")
    samples = []
    for _ in range(21):
        live.keeper.tick(live.ledger.slot)
        samples.append(live.keeper.last_tick_ms)
    samples.sort()
    print(f"\nkeeper tick with {resting} resting orders: median {samples[10]:.2f} ms, max {samples[-1]:.2f} ms")
    assert resting >= 100
    for client in others:
        await close(client)


async def test_keeper_liquidates_below_maintenance_margin(live, rpc, trader):
    order = OrderParams(
        order_type=OrderType.Market(), market_type=MarketType.Perp(), direction=PositionDirection.Long(),
        base_asset_amount=1_200 * SOL, market_index=0,
    )
    await trader.place_and_take_perp_order(order)
    await until(lambda: base(trader) == 1_200 * SOL)
    await asyncio.sleep(0.2)
    assert base(trader) == 1_200 * SOL  # healthy: the keeper leaves it alone
    await rpc.result("rekt_setOraclePrice", "SOL-PERP", "145")
    await until(lambda: base(trader) == 0)
    trade = live.trades.recent(0)[-1]
    assert trade["price"] == 145 * USDC and trade["base"] == 1_200 * SOL and trade["maker"] is None


async def test_spot_market_buy_fills_against_the_spot_maker(live, trader):
    await until(lambda: len(maker_orders(live, 1, spot=True)) == 2 * len(LEVELS))
    order = OrderParams(
        order_type=OrderType.Market(), market_type=MarketType.Spot(), direction=PositionDirection.Long(),
        base_asset_amount=SOL, market_index=1,
    )
    await trader.place_spot_order(order)
    user = trader.get_user()
    await until(lambda: user.get_token_amount(1) == SOL)
    trade = live.trades.recent(1)[-1]
    assert trade["market_type"] == "spot" and trade["price"] == 150_075_000
    assert user.get_token_amount(0) == 10_000 * USDC - 150_075_000 - 150_075


async def test_makers_survive_a_restart_and_requote_within_budget(tmp_path):
    data = tmp_path / "data"
    first = await start_localnet(data, slot_ms=50, market_life=True)
    await until(lambda: len(maker_orders(first, 0)) == 2 * len(LEVELS))
    await first.stop()
    again = await start_localnet(data, slot_ms=50, market_life=True)
    try:
        assert len(maker_orders(again, 0)) == 2 * len(LEVELS)
        started = time.perf_counter()
        again.makers.quote(BOOKS[0], 151 * USDC, 100, 10_000_000)
        elapsed = (time.perf_counter() - started) * 1000
        print(f"\nmaker re-quote (cancel + 10 orders, one transaction): {elapsed:.1f} ms")
        assert sorted(o.price for o in maker_orders(again, 0))[4] < 151 * USDC
    finally:
        await again.stop()


async def test_keeper_fills_pay_the_referrer(live, rpc):
    referrer = ReferrerInfo(drift_ix.user_key(LOCALNET_REFERRER), drift_ix.stats_key(LOCALNET_REFERRER))
    client = await make_trader(live, rpc, 1_000 * USDC, referrer)
    try:
        await until(lambda: len(maker_orders(live, 0)) == 2 * len(LEVELS))
        order = OrderParams(
            order_type=OrderType.Market(), market_type=MarketType.Perp(), direction=PositionDirection.Long(),
            base_asset_amount=SOL, market_index=0,
        )
        await client.place_perp_order(order)
        await until(lambda: base(client) == SOL)
        fee = -(-150_075_000 // 1_000)  # 10 bps of the maker's $150.075 ask
        stats = decode_account(live.ledger.get(drift_ix.stats_key(client.wallet.public_key)).data)
        assert stats.fees.total_referee_discount == fee * 5 // 100
        referrer_stats = decode_account(live.ledger.get(drift_ix.stats_key(LOCALNET_REFERRER)).data)
        assert referrer_stats.fees.total_referrer_reward == fee * 10 // 100
    finally:
        await close(client)
