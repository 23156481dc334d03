"""The gateway against a real localnet: figures equal driftpy's, accounts appear, pauses show.

The reference is an independent driftpy DriftClient (its own websocket subscriptions)
trading from the same account the gateway reads: both must settle on the same figures.
"""

import asyncio
import base64
import time

import aiohttp
import pytest
from driftpy.math.margin import MarginCategory
from driftpy.types import MarketType, OrderParams, OrderTriggerCondition, OrderType, PositionDirection

from solders.keypair import Keypair

from rekt_tui.domain.errors import RektError
from rekt_tui.domain.records import Direction, OrderType as OurOrderType
from rekt_tui.drift.client import DRIFTPY_PROGRAM_ID, Endpoint
from rekt_tui.drift.gateway import DriftGateway, NotifiedAccount
from rekt_localnet import LOCALNET_REFERRER
from tests.localnet.conftest import Rpc, start_localnet

from .test_gateway_support import (
    REFERRER, SOL, USDC, close_client, funded_wallet, make_trader, open_gateway, percentile, until,
)  # fmt: skip

pytestmark = pytest.mark.slow


@pytest.fixture
async def rpc(live):
    async with aiohttp.ClientSession() as session:
        yield Rpc(session, live.rpc_url)


def reference(client) -> dict:
    """driftpy's own figures for the account (its float steps brought to integers)."""
    user = client.get_user()
    liquidation = user.get_perp_liq_price(0)
    return {
        "total_collateral": int(user.get_total_collateral()),
        "equity": int(user.get_net_usd_value()),
        "unrealized_pnl": int(user.get_unrealized_pnl(True)),
        "free_collateral": int(user.get_free_collateral()),
        "initial_margin": int(user.get_margin_requirement(MarginCategory.INITIAL)),
        "maintenance_margin": int(user.get_margin_requirement(MarginCategory.MAINTENANCE)),
        "leverage": int(user.get_leverage()),
        "health": user.get_health(),
        "usdc_amount": user.get_token_amount(0),
        "sol_amount": user.get_token_amount(1),
        "liquidation_price": None if liquidation < 0 else int(liquidation),
        "base": user.get_perp_position(0).base_asset_amount,
    }


def ours(gateway) -> dict | None:
    snapshot = gateway.snapshot()
    if snapshot is None or not snapshot.positions:
        return None
    figures = {name: getattr(snapshot, name) for name in (
        "total_collateral", "equity", "unrealized_pnl", "free_collateral", "initial_margin", "maintenance_margin",
        "leverage", "health", "usdc_amount", "sol_amount",
    )}  # fmt: skip
    position = snapshot.positions[0]
    return {**figures, "liquidation_price": position.liquidation_price, "base": position.base_amount}


def perp(direction, base: int, order_type=None, **fields) -> OrderParams:
    return OrderParams(
        order_type=order_type or OrderType.Market(), market_type=MarketType.Perp(), direction=direction,
        base_asset_amount=base, market_index=0, **fields,
    )  # fmt: skip


async def open_position_and_orders(trader, base: int, long: bool) -> None:
    """A market order, a resting limit bid and a reduce-only stop that closes the position."""
    direction, closing = (PositionDirection.Long(), PositionDirection.Short())[:: 1 if long else -1]
    await trader.place_perp_order(perp(direction, base))
    await until(lambda: (p := trader.get_user().get_perp_position(0)) is not None and p.base_asset_amount != 0)
    await trader.place_perp_order(perp(PositionDirection.Long(), SOL, OrderType.Limit(), price=100 * USDC, user_order_id=7))
    stop = perp(
        closing, SOL, OrderType.TriggerMarket(), trigger_price=(120 if long else 180) * USDC,
        trigger_condition=OrderTriggerCondition.Below() if long else OrderTriggerCondition.Above(),
        reduce_only=True, user_order_id=8, max_ts=4_000_000_000,
    )  # fmt: skip
    await trader.place_perp_order(stop)
    await until(lambda: len(trader.get_user().get_open_orders()) == 2)


@pytest.mark.parametrize("long", [True, False], ids=["long", "short"])
async def test_figures_match_driftpy_with_usdc_collateral(live, rpc, long):
    trader = await make_trader(live, rpc, usdc=1_000 * USDC)
    await open_position_and_orders(trader, 40 * SOL, long=long)
    gateway = await open_gateway(live, authority=trader.authority)
    try:
        await until(lambda: ours(gateway) == reference(trader), message=f"{ours(gateway)} != {reference(trader)}")
        snapshot = gateway.snapshot()
        assert snapshot.positions[0].liquidation_price is not None and snapshot.leverage > 5 * 10_000
        position = snapshot.positions[0]
        side, closing = (Direction.LONG, Direction.SHORT)[:: 1 if long else -1]
        assert (position.symbol, position.direction, position.size) == ("SOL-PERP", side, 40 * SOL)
        assert position.entry_price == abs(position.quote_entry_amount) * 10**9 // (40 * SOL)
        assert (position.liquidation_price < position.oracle_price) is long
        limit, stop = sorted(snapshot.orders, key=lambda order: order.user_order_id)
        assert (limit.order_type, limit.price, limit.trigger_price, limit.max_ts) == (OurOrderType.LIMIT, 100 * USDC, None, None)
        trigger = (120 if long else 180) * USDC
        assert (stop.order_type, stop.direction, stop.trigger_price) == (OurOrderType.TRIGGER_MARKET, closing, trigger)
        assert stop.reduce_only and stop.max_ts == 4_000_000_000 and stop.filled == 0
        assert await gateway.user_stats_referrer() == str(LOCALNET_REFERRER)
        assert await gateway.wallet_lamports() == (await rpc.result("getBalance", str(trader.authority)))["value"]
    finally:
        await gateway.close()
        await close_client(trader)


async def test_figures_match_driftpy_with_sol_collateral(live, rpc):
    trader = await make_trader(live, rpc, sol=10 * SOL)
    await open_position_and_orders(trader, 20 * SOL, long=True)  # long on top of SOL: it can be liquidated
    gateway = await open_gateway(live, authority=trader.authority)
    try:
        await until(lambda: ours(gateway) == reference(trader), message=f"{ours(gateway)} != {reference(trader)}")
        snapshot = gateway.snapshot()
        assert snapshot.sol_amount == 10 * SOL and snapshot.usdc_amount == 0
        assert snapshot.positions[0].liquidation_price is not None
    finally:
        await gateway.close()
        await close_client(trader)


def test_a_gateway_needs_a_wallet_or_an_authority():
    with pytest.raises(ValueError, match="wallet to sign with or an authority"):
        DriftGateway(Endpoint("localnet", "http://127.0.0.1:1", DRIFTPY_PROGRAM_ID))


async def test_no_drift_account_yet_then_initialized(live, rpc):
    wallet = await funded_wallet(rpc)
    gateway = await open_gateway(live, wallet)
    try:
        assert gateway.snapshot() is None
        assert await gateway.user_stats_referrer() is None
        snapshots = gateway.snapshots()
        await gateway.drift_client.initialize_user(referrer_info=REFERRER)
        first = await anext(snapshots)
        assert (first.total_collateral, first.positions, first.orders) == (0, (), ())
        assert gateway.drift_client.get_user().get_user_account().authority == wallet.pubkey()
        assert await gateway.user_stats_referrer() == str(LOCALNET_REFERRER)
        assert await gateway.refresh_user() is not None
    finally:
        await gateway.close()


async def test_paused_operations_show_in_market_state(live, rpc):
    gateway = await open_gateway(live, authority=(await funded_wallet(rpc)).pubkey())
    try:
        assert all(not market.paused_operations for market in gateway.markets()) and gateway.exchange().running
        await rpc.result("rekt_pauseMarket", "perp", 0, ["fill", "settlePnl"])
        await rpc.result("rekt_pauseMarket", "spot", 1, ["withdraw"])
        await rpc.result("rekt_pauseExchange", ["depositPaused", "ammImmediateFillPaused"])

        def paused() -> dict:
            return {(m.market_type.value, m.market_index): m.paused_operations for m in gateway.markets()}

        await until(lambda: paused()[("perp", 0)] == {"fill", "settle_pnl"} and paused()[("spot", 1)] == {"withdraw"})
        await until(lambda: gateway.exchange().paused_operations == {"deposit", "amm_immediate_fill"})
        assert not gateway.exchange().running and paused()[("perp", 1)] == frozenset()
    finally:
        await gateway.close()


async def test_snapshot_stream_follows_the_oracle(live, rpc):
    trader = await make_trader(live, rpc, usdc=1_000 * USDC)
    await open_position_and_orders(trader, 10 * SOL, long=True)
    gateway = await open_gateway(live, authority=trader.authority)
    try:
        await until(lambda: gateway.snapshot() is not None and gateway.snapshot().positions)
        snapshots = gateway.snapshots()
        gateway.latencies_ms.clear()
        round_trips = []
        for step in range(40):
            price = 140 + step % 20
            started = time.perf_counter()
            await rpc.result("rekt_setOraclePrice", "SOL-PERP", str(price))
            while (snapshot := await anext(snapshots)).positions[0].oracle_price != price * USDC:
                pass
            round_trips.append((time.perf_counter() - started) * 1000)
            assert snapshot.unrealized_pnl == sum(p.unrealized_pnl for p in snapshot.positions)
        samples = list(gateway.latencies_ms)
        print(
            f"\nnotification -> AccountSnapshot over {len(samples)} notifications: "
            f"p50 {percentile(samples, 0.5):.2f} ms, p99 {percentile(samples, 0.99):.2f} ms; "
            f"admin price call -> snapshot: p50 {percentile(round_trips, 0.5):.2f} ms, "
            f"p99 {percentile(round_trips, 0.99):.2f} ms"
        )
    finally:
        await gateway.close()
        await close_client(trader)


async def raw_account(rpc, key) -> tuple[bytes, int]:
    answer = await rpc.result("getAccountInfo", str(key), {"encoding": "base64", "commitment": "confirmed"})
    return base64.b64decode(answer["value"]["data"][0]), answer["context"]["slot"]


async def test_a_market_the_account_does_not_trade_is_decoded_only_when_read(live, rpc):
    """Every slot moves every market; the margin math reads only the ones the account trades."""
    trader = await make_trader(live, rpc, usdc=1_000 * USDC)
    await open_position_and_orders(trader, SOL, long=True)
    gateway = await open_gateway(live, authority=trader.authority)
    try:
        await until(lambda: gateway.snapshot() is not None and gateway.snapshot().positions)
        markets = gateway.drift_client.account_subscriber.cache["perp_markets"]
        btc = markets[1].data
        btc_data, slot = await raw_account(rpc, btc.pubkey)
        snapshots = gateway.snapshots()
        gateway._on_account(str(btc.pubkey), btc_data, slot + 1_000, time.perf_counter())
        while (await asyncio.wait_for(anext(snapshots), 5)).slot < slot + 1_000:
            pass
        assert isinstance(markets[1], NotifiedAccount) and markets[1]._raw is not None  # stored, never read
        assert markets[1].data.market_index == 1 and markets[1].data.amm.oracle == btc.amm.oracle
        assert markets[1]._raw is None and markets[1].slot == slot + 1_000
    finally:
        await gateway.close()
        await close_client(trader)


async def test_a_cluster_without_the_programs_state_is_one_sentence(tmp_path):
    """A Drift profile pointed at the relaunch's localnet is told so, not a traceback."""
    chain = await start_localnet(tmp_path, slot_ms=50, venue="velocity")
    gateway = DriftGateway(
        Endpoint("localnet", chain.rpc_url, DRIFTPY_PROGRAM_ID), authority=Keypair().pubkey(), ws_url=chain.ws_url
    )  # fmt: skip
    try:
        with pytest.raises(RektError, match=f"The program {DRIFTPY_PROGRAM_ID} has no State on this cluster"):
            await gateway.connect()
    finally:
        await gateway.close()
        await chain.stop()
