"""The relaunch localnet's keeper over real HTTP: trigger orders armed in User.orders, fired
against the makers' book once the oracle crosses them, disarmed by cancel_order(s); funding."""

import asyncio
import time
from dataclasses import replace

import aiohttp
import pytest

from rekt_localnet.market.velocity_makers import maker_keypair
from rekt_tui.velocity.codec import trader_instructions as ti
from rekt_tui.velocity.codec.order_params import OrderParams

from .conftest import TEST_SLOT_MS, Rpc, start_localnet
from .helpers import wait_for_slot
from .velocity_support import PROGRAM, SOL, USDT, Trader, account, funded_trader, market_metas, send, take

MAKER = Trader(maker_keypair(0))


@pytest.fixture
async def life(tmp_path):
    handle = await start_localnet(tmp_path / "data", slot_ms=TEST_SLOT_MS, venue="velocity", market_life=True)
    async with aiohttp.ClientSession() as session:
        yield handle, Rpc(session, handle.rpc_url)
    await handle.stop()


def trigger(direction: str, base: int, trigger_price: int, condition: str, order_type: str = "TriggerMarket",
            price: int = 0, reduce_only: bool = True) -> OrderParams:  # fmt: skip
    return OrderParams(order_type, direction, base, price, 0, reduce_only=reduce_only, trigger_price=trigger_price,
                       trigger_condition=condition)  # fmt: skip


def arm(trader: Trader, *params: OrderParams):
    return ti.place_trigger_orders_v1(PROGRAM, trader.key, 0, list(params), remaining=market_metas(spot=[0], perp=[0]))


def armed(user: dict) -> list[dict]:
    return [order for order in user["orders"] if order["status"] == "Open"]


def base(user: dict) -> int:
    return sum(p["base_asset_amount"] for p in user["perp_positions"] if p["market_index"] == 0)


async def opened_long(rpc: Rpc, size: int) -> Trader:
    trader = await funded_trader(rpc, 1_000 * USDT)
    for _ in range(100):  # the makers' first ladder
        if (await send(rpc, [take(trader, OrderParams("Market", "Long", size, 0, 0), [MAKER], condition=2)],
                       [trader.keypair])).err is None:  # fmt: skip
            return trader
        await asyncio.sleep(0.05)
    raise AssertionError("the makers never quoted SOL-PERP")


async def test_a_stop_loss_fires_when_the_oracle_falls_through_it_and_closes_the_position(life):
    handle, rpc = life
    trader = await opened_long(rpc, 2 * SOL)
    assert (await send(rpc, [arm(trader, trigger("Short", 2 * SOL, 140 * USDT, "Below"))], [trader.keypair])).err is None
    [order] = armed(await account(rpc, trader.user, "User"))
    assert (order["order_type"], order["trigger_price"], order["reduce_only"]) == ("TriggerMarket", 140 * USDT, True)
    await wait_for_slot(rpc, await rpc.result("getSlot") + 3)
    assert armed(await account(rpc, trader.user, "User"))  # 150 is not below 140: nothing fires
    await rpc.result("rekt_setOraclePrice", "SOL-PERP", "139")
    for _ in range(100):
        user = await account(rpc, trader.user, "User")
        if not armed(user):
            break
        await asyncio.sleep(0.05)
    assert armed(user) == [] and base(user) == 0
    assert user["open_orders"] == 0


async def test_cancel_order_disarms_the_last_trigger_then_cancel_orders_the_rest(life):
    _, rpc = life
    trader = await opened_long(rpc, SOL)
    orders = [trigger("Short", SOL, 120 * USDT, "Below"), trigger("Short", SOL, 190 * USDT, "Above", "TriggerLimit", 189 * USDT)]
    assert (await send(rpc, [arm(trader, *orders)], [trader.keypair])).err is None
    user = await account(rpc, trader.user, "User")
    assert sorted(o["trigger_price"] for o in armed(user)) == [120 * USDT, 190 * USDT] and user["open_orders"] == 2
    last = ti.cancel_order(PROGRAM, trader.key, 0, None)
    assert (await send(rpc, [last], [trader.keypair])).err is None
    assert [o["trigger_price"] for o in armed(await account(rpc, trader.user, "User"))] == [120 * USDT]
    everything = PROGRAM.instructions.build("cancel_orders", {"market_type": None, "market_index": None, "direction": None},
                                            {"state": PROGRAM.pdas.state(), "user": trader.user, "authority": trader.key})  # fmt: skip
    assert (await send(rpc, [everything], [trader.keypair])).err is None
    user = await account(rpc, trader.user, "User")
    assert armed(user) == [] and user["open_orders"] == 0
    gone = await send(rpc, [ti.cancel_order(PROGRAM, trader.key, 0, 12345)], [trader.keypair])
    assert gone.code == 6061


async def test_trigger_orders_are_checked_when_armed(life):
    _, rpc = life
    trader = await funded_trader(rpc, 100 * USDT)
    wrong_type = await send(rpc, [arm(trader, OrderParams("Limit", "Long", SOL, 150 * USDT, 0, trigger_price=140 * USDT))],
                            [trader.keypair])  # fmt: skip
    assert wrong_type.code == 6042
    no_price = await send(rpc, [arm(trader, trigger("Long", SOL, 0, "Above", reduce_only=False))], [trader.keypair])
    assert no_price.code == 6053
    too_big = await send(rpc, [arm(trader, trigger("Long", 20 * SOL, 160 * USDT, "Above", reduce_only=False))],
                         [trader.keypair])  # fmt: skip
    assert too_big.code == 6003  # $3,000 of exposure needs $150 of margin; $100 is deposited
    assert armed(await account(rpc, trader.user, "User")) == []


async def test_the_keeper_cranks_funding_and_a_long_pays_it_when_the_book_trades_above_the_oracle(life):
    handle, rpc = life
    trader = await opened_long(rpc, SOL)
    key = PROGRAM.pdas.perp_market(0)
    stored = handle.ledger.get(key)
    market = PROGRAM.accounts.decode("PerpMarket", stored.data)
    now = int(time.time())
    # An hour has passed since the last funding, and the book traded $3 above the oracle.
    market["last_funding_rate_ts"] = now - 3_601
    market["market_stats"].update(last_mark_price_twap=153 * USDT, last_mark_price_twap_ts=now)
    handle.ledger.put(key, replace(stored, data=PROGRAM.accounts.encode("PerpMarket", market)))
    for _ in range(100):
        market = await account(rpc, key, "PerpMarket")
        if market["last_funding_rate_ts"] >= now:
            break
        await asyncio.sleep(0.05)
    rate = market["last_funding_rate"]
    assert rate > 0 and market["cumulative_funding_rate_long"] == rate  # longs pay
    remaining = market_metas(spot=[0], perp=[0], writable_spot=True)
    assert (await send(rpc, [ti.settle_pnl(PROGRAM, trader.key, 0, 0, remaining)], [trader.keypair])).err is None
    user = await account(rpc, trader.user, "User")
    assert user["cumulative_perp_funding"] == -(rate * SOL) // (SOL * 1_000) < 0
