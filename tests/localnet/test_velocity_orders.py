"""Orders on the relaunch localnet's book over real HTTP: makers rest post-only orders, takers
match them, positions, fees and PnL land in the User accounts, events in the IDL's encoding."""

from dataclasses import replace

import aiohttp

from rekt_tui.velocity.codec import trader_instructions as ti
from rekt_tui.velocity.codec.order_params import OrderModification, OrderParams, OrderRef

from .conftest import TEST_SLOT_MS, Rpc, start_localnet
from .helpers import wait_for_slot
from .velocity_support import (
    PROGRAM, SOL, USDT, account, book, book_accounts, funded_trader, limit, make, market_metas, send, take,
    velocity, vrpc,
)  # fmt: skip

__all__ = ["velocity", "vrpc"]  # fixtures
PRICE = 150 * USDT


def position(user: dict, market_index: int = 0) -> dict:
    return next(p for p in user["perp_positions"] if p["market_index"] == market_index and
                (p["base_asset_amount"] or p["quote_asset_amount"] or p["open_orders"]))  # fmt: skip


async def test_a_taker_fills_against_a_resting_order_and_both_positions_move(velocity, vrpc):
    maker, taker = await funded_trader(vrpc, 10_000 * USDT), await funded_trader(vrpc, 1_000 * USDT)
    placed = await send(vrpc, [make(maker, limit("Short", 4 * SOL, 151 * USDT, post_only="MustPostOnly"))], [maker.keypair])
    assert placed.err is None, placed.logs
    [resting] = (await book(vrpc)).orders
    assert (resting.price, resting.base_remaining, resting.user) == (151 * USDT, 4 * SOL, maker.user)
    assert position(await account(vrpc, maker.user, "User"))["open_asks"] == -4 * SOL

    sent = await send(vrpc, [take(taker, OrderParams("Market", "Long", 3 * SOL, 0, 0), [maker])], [taker.keypair])
    assert sent.err is None, sent.logs
    quote, fee, rebate = 453 * USDT, 453_000, 90_600  # 10 bps taker fee, 2 bps maker rebate
    mine = position(await account(vrpc, taker.user, "User"))
    assert (mine["base_asset_amount"], mine["quote_asset_amount"], mine["quote_entry_amount"]) == (3 * SOL, -quote - fee, -quote)
    theirs = position(await account(vrpc, maker.user, "User"))
    assert (theirs["base_asset_amount"], theirs["quote_asset_amount"]) == (-3 * SOL, quote + rebate)
    assert theirs["open_asks"] == -SOL and theirs["open_orders"] == 1
    [left] = (await book(vrpc)).orders
    assert left.base_remaining == SOL
    fills = [e.fields for e in PROGRAM.events.from_logs(sent.logs) if e.name == "OrderActionRecord" and e.fields["action"] == "Fill"]
    assert len(fills) == 1 and fills[0]["base_asset_amount_filled"] == 3 * SOL and fills[0]["taker_fee"] == fee
    assert fills[0]["maker"] == maker.user and fills[0]["taker"] == taker.user and fills[0]["maker_fee"] == -rebate
    stats = await account(vrpc, taker.stats, "UserStats")
    assert stats["fees"]["total_fee_paid"] == fee and stats["taker_volume_30d"] == quote


async def test_a_limit_taker_stops_at_its_price_and_a_full_fill_condition_fails_the_transaction(velocity, vrpc):
    maker, taker = await funded_trader(vrpc, 10_000 * USDT), await funded_trader(vrpc, 1_000 * USDT)
    assert (await send(vrpc, [make(maker, limit("Short", SOL, 151 * USDT)), make(maker, limit("Short", SOL, 152 * USDT))],
                       [maker.keypair])).err is None  # fmt: skip
    refused = await send(vrpc, [take(taker, limit("Long", 2 * SOL, 151 * USDT), [maker], condition=2)], [taker.keypair])
    assert refused.code == 6289 and len((await book(vrpc)).orders) == 2
    sent = await send(vrpc, [take(taker, limit("Long", 2 * SOL, 151 * USDT), [maker])], [taker.keypair])
    assert sent.err is None, sent.logs
    mine = position(await account(vrpc, taker.user, "User"))
    assert mine["base_asset_amount"] == SOL and mine["open_bids"] == SOL  # the rest rests at its limit
    assert sorted((o.price, o.user) for o in (await book(vrpc)).orders) == [(151 * USDT, taker.user), (152 * USDT, maker.user)]
    ioc = limit("Long", SOL, 152 * USDT, bit_flags=1)  # immediate-or-cancel: filled or gone, never rested
    assert (await send(vrpc, [take(taker, replace(ioc, base_asset_amount=2 * SOL), [maker])], [taker.keypair])).err is None
    assert [(o.price, o.user) for o in (await book(vrpc)).orders] == [(151 * USDT, taker.user)]


async def test_resting_orders_refuse_reduce_only_crossing_and_too_little_margin(velocity, vrpc):
    maker, other = await funded_trader(vrpc, 1_000 * USDT), await funded_trader(vrpc, 1_000 * USDT)
    reduce_only = await send(vrpc, [make(maker, limit("Short", SOL, 151 * USDT, reduce_only=True))], [maker.keypair])
    assert reduce_only.code == 6401
    assert (await send(vrpc, [make(other, limit("Short", SOL, 151 * USDT))], [other.keypair])).err is None
    crossing = await send(vrpc, [make(maker, limit("Long", SOL, 151 * USDT))], [maker.keypair])
    assert crossing.code == 6057
    too_big = await send(vrpc, [make(maker, limit("Long", 200 * SOL, 140 * USDT))], [maker.keypair])
    assert too_big.code == 6003  # $28,000 at 5 % needs $1,400 of margin; $1,000 is deposited
    assert len((await book(vrpc)).orders) == 1


async def test_an_order_waits_out_its_activation_delay(velocity, vrpc):
    maker, taker = await funded_trader(vrpc, 1_000 * USDT), await funded_trader(vrpc, 1_000 * USDT)
    assert (await send(vrpc, [make(maker, limit("Short", SOL, 151 * USDT), delay=10_000)], [maker.keypair])).err is None
    sent = await send(vrpc, [take(taker, OrderParams("Market", "Long", SOL, 0, 0), [maker], condition=1)], [taker.keypair])
    assert sent.code == 6289


async def test_a_delay_under_the_default_needs_attestation(tmp_path):
    handle = await start_localnet(tmp_path / "data", slot_ms=TEST_SLOT_MS, venue="velocity", activation_delay_slots=5)
    try:
        async with aiohttp.ClientSession() as session:
            rpc = Rpc(session, handle.rpc_url)
            maker, taker = await funded_trader(rpc, 1_000 * USDT), await funded_trader(rpc, 1_000 * USDT)
            fast = await send(rpc, [make(maker, limit("Short", SOL, 151 * USDT), delay=0)], [maker.keypair])
            assert fast.code == 6382
            assert (await send(rpc, [make(maker, limit("Short", SOL, 151 * USDT))], [maker.keypair])).err is None
            [order] = (await book(rpc)).orders
            assert order.active_slot == order.placed_slot + 5
            market = OrderParams("Market", "Long", SOL, 0, 0)
            assert (await send(rpc, [take(taker, market, [maker], condition=1)], [taker.keypair])).code == 6289
            await wait_for_slot(rpc, order.active_slot)
            assert (await send(rpc, [take(taker, market, [maker], condition=2)], [taker.keypair])).err is None
    finally:
        await handle.stop()


async def test_modify_reprices_and_resizes_a_resting_order_with_one_margin_check(velocity, vrpc):
    maker, other = await funded_trader(vrpc, 1_000 * USDT), await funded_trader(vrpc, 1_000 * USDT)
    assert (await send(vrpc, [make(maker, limit("Long", SOL, 140 * USDT, user_order_id=3))], [maker.keypair])).err is None
    assert (await send(vrpc, [make(other, limit("Short", SOL, 155 * USDT))], [other.keypair])).err is None
    [original] = (await book(vrpc)).of_user(maker.user)
    ref = OrderRef(original.node_index, original.order_id)

    def modify(**change) -> object:
        fields = {"price": None, "base_asset_amount": None, "max_ts": None, "activation_delay_slots": None,
                  "reject_if_crossed": False, **change}  # fmt: skip
        return ti.modify_order_v1(PROGRAM, maker.key, 0, OrderModification(0, ref, **fields), book_accounts(0),
                                  remaining=market_metas(spot=[0], perp=[0]))  # fmt: skip

    assert (await send(vrpc, [modify(price=145 * USDT, base_asset_amount=3 * SOL)], [maker.keypair])).err is None
    [moved] = (await book(vrpc)).of_user(maker.user)
    assert (moved.price, moved.base_remaining, moved.user_order_id) == (145 * USDT, 3 * SOL, 3)
    assert position(await account(vrpc, maker.user, "User"))["open_bids"] == 3 * SOL
    stale = await send(vrpc, [modify(price=146 * USDT)], [maker.keypair])
    assert stale.code == 6061  # the ref named the replaced order
    ref = OrderRef(moved.node_index, moved.order_id)
    assert (await send(vrpc, [modify(base_asset_amount=200 * SOL)], [maker.keypair])).code == 6003
    assert (await send(vrpc, [modify(price=156 * USDT)], [maker.keypair])).code == 6057
    assert (await send(vrpc, [modify(price=156 * USDT, reject_if_crossed=True)], [maker.keypair])).err is None
    assert (await book(vrpc)).of_user(maker.user) == []
    user = await account(vrpc, maker.user, "User")
    assert user["open_orders"] == 0 and all(p["open_bids"] == 0 for p in user["perp_positions"])


async def test_cancel_one_order_by_its_ref_then_every_order_of_the_market(velocity, vrpc):
    maker = await funded_trader(vrpc, 10_000 * USDT)
    orders = [make(maker, limit("Long", SOL, 140 * USDT)), make(maker, limit("Long", SOL, 141 * USDT)),
              make(maker, limit("Short", SOL, 160 * USDT))]  # fmt: skip
    assert (await send(vrpc, orders, [maker.keypair])).err is None
    first = (await book(vrpc)).orders[0]
    ref = OrderRef(first.node_index, first.order_id)
    cancel = ti.cancel_order_v1(PROGRAM, maker.key, 0, 0, ref, book_accounts(0))
    assert (await send(vrpc, [cancel], [maker.keypair])).err is None
    assert first.order_id not in [o.order_id for o in (await book(vrpc)).orders]
    await wait_for_slot(vrpc, await vrpc.result("getSlot") + 1)  # a new blockhash: not the same transaction
    again = await send(vrpc, [ti.cancel_order_v1(PROGRAM, maker.key, 0, 0, ref, book_accounts(0))], [maker.keypair])
    assert again.code == 6061
    user = await account(vrpc, maker.user, "User")
    assert position(user)["open_bids"] == SOL and user["open_orders"] == 2
    everything = ti.cancel_orders_v1(PROGRAM, maker.key, 0, 0, "Both", book_accounts(0))
    assert (await send(vrpc, [everything], [maker.keypair])).err is None
    assert (await book(vrpc)).orders == []
    user = await account(vrpc, maker.user, "User")
    assert user["open_orders"] == 0 and all(p["open_bids"] == p["open_asks"] == 0 for p in user["perp_positions"])


async def test_settle_pnl_moves_a_loss_into_the_pool_and_pays_a_gain_from_it(velocity, vrpc):
    maker, taker = await funded_trader(vrpc, 10_000 * USDT), await funded_trader(vrpc, 1_000 * USDT)
    assert (await send(vrpc, [make(maker, limit("Short", 2 * SOL, PRICE))], [maker.keypair])).err is None
    assert (await send(vrpc, [take(taker, OrderParams("Market", "Long", 2 * SOL, 0, 0), [maker])], [taker.keypair])).err is None
    await vrpc.result("rekt_setOraclePrice", "SOL-PERP", "160")
    remaining = market_metas(spot=[0], perp=[0], writable_spot=True)
    loss = await send(vrpc, [ti.settle_pnl(PROGRAM, maker.key, 0, 0, remaining)], [maker.keypair])
    assert loss.err is None, loss.logs
    maker_user = await account(vrpc, maker.user, "User")
    assert maker_user["spot_positions"][0]["scaled_balance"] == (10_000 * USDT - 20 * USDT + 60_000) * 1_000
    gain = await send(vrpc, [ti.settle_pnl(PROGRAM, taker.key, 0, 0, remaining)], [taker.keypair])
    assert gain.err is None, gain.logs
    [record] = [e.fields for e in PROGRAM.events.from_logs(gain.logs) if e.name == "SettlePnlRecord"]
    assert record["pnl"] == 20 * USDT - 300_000  # $20 up, less the $0.30 taker fee
    taker_user = await account(vrpc, taker.user, "User")
    assert taker_user["spot_positions"][0]["scaled_balance"] == (1_000 * USDT + record["pnl"]) * 1_000
    assert position(taker_user)["quote_asset_amount"] == -320 * USDT
