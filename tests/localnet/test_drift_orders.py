"""Drift order handlers: placing, modifying, cancelling, matching and settling, through
a test-only context, with hand-computed figures (SOL at $150, 5 % initial margin)."""

import pytest
from driftpy.addresses import (
    get_perp_market_public_key,
    get_user_account_public_key,
    get_user_stats_account_public_key,
)
from driftpy.types import (
    MarketType,
    OrderParams,
    OrderTriggerCondition,
    OrderType,
    PositionDirection,
    ModifyOrderParams,
    PostOnlyParams,
)

from rekt_localnet.keys import DRIFT_PROGRAM_ID, LOCALNET_REFERRER
from rekt_localnet.programs.drift.margin import INITIAL, MAINTENANCE, figures
from rekt_localnet.programs.drift.view import DriftView
from rekt_localnet.runtime.program import InstructionError

from .drift_harness import (
    GENESIS_TIME,
    Bank,
    assert_vaults_hold_net_deposits,
    Ctx,
    fill,
    funded_trader,
    liquidate,
    place_and_take,
    ref,
    settle,
    trigger,
    update_funding,
    user_ix,
)

USDC = 10**6
SOL = 10**9
REFERRER_USER = get_user_account_public_key(DRIFT_PROGRAM_ID, LOCALNET_REFERRER, 0)
REFERRER_STATS = get_user_stats_account_public_key(DRIFT_PROGRAM_ID, LOCALNET_REFERRER)
LONG, SHORT = PositionDirection.Long(), PositionDirection.Short()


def params(direction=LONG, size=SOL, price=0, order_type=None, **extra) -> OrderParams:
    return OrderParams(
        order_type=order_type or (OrderType.Limit() if price else OrderType.Market()),
        market_type=MarketType.Perp(),
        direction=direction,
        base_asset_amount=size,
        price=price,
        market_index=0,
        **extra,
    )


def place(bank: Bank, trader, order: OrderParams) -> None:
    bank.run(user_ix("place_perp_order", {"params": order}, trader))


def open_orders(bank: Bank, trader) -> list:
    return [o for o in bank.decode(trader.user).orders if type(o.status).__name__ == "Open"]


def perp(bank: Bank, trader):
    return bank.decode(trader.user).perp_positions[0]


def error_of(bank: Bank, ix) -> int | str:
    with pytest.raises(InstructionError) as failure:
        bank.run(ix)
    return failure.value.error


def margin(bank: Bank, trader, category=INITIAL):
    ix = settle(trader, 0)
    view = DriftView(Ctx(bank, ix.accounts, ix.data, {}, []))
    return figures(view, view.get(trader.user, "User"), category)


@pytest.fixture
def bank():
    bank = Bank()
    yield bank
    assert_vaults_hold_net_deposits(bank)


def test_limit_order_is_placed_modified_and_cancelled(bank):
    trader = funded_trader(bank, usdc=1_000 * USDC)
    place(bank, trader, params(price=140 * USDC, user_order_id=7))
    (order,) = open_orders(bank, trader)
    assert (order.order_id, order.price, order.base_asset_amount, order.user_order_id) == (1, 140 * USDC, SOL, 7)
    assert perp(bank, trader).open_bids == SOL and perp(bank, trader).open_orders == 1
    changes = {"order_id": 1, "modify_order_params": ModifyOrderParams(price=141 * USDC)}
    bank.run(user_ix("modify_order", changes, trader))
    (order,) = open_orders(bank, trader)
    assert (order.order_id, order.price, order.user_order_id) == (2, 141 * USDC, 7)
    bank.run(user_ix("cancel_order_by_user_id", {"user_order_id": 7}, trader))
    assert open_orders(bank, trader) == []
    position = perp(bank, trader)
    assert (position.open_bids, position.open_orders) == (0, 0)


def test_cancel_orders_filters_by_direction(bank):
    trader = funded_trader(bank, usdc=1_000 * USDC)
    place(bank, trader, params(price=140 * USDC))
    place(bank, trader, params(SHORT, price=160 * USDC))
    bank.run(user_ix("cancel_orders", {"market_type": None, "market_index": 0, "direction": SHORT}, trader))
    (order,) = open_orders(bank, trader)
    assert type(order.direction).__name__ == "Long"


@pytest.mark.parametrize(
    "order, code",
    [
        (params(price=140 * USDC + 1), 6042),  # off the 0.0001 tick
        (params(size=SOL + 1, price=140 * USDC), 6042),  # off the 0.01 SOL step
        (params(price=140 * USDC, reduce_only=True), 6064),  # nothing to reduce
        (params(size=200 * SOL, price=150 * USDC), 6003),  # $30,000 on $1,000 at 20x
        (params(price=151 * USDC, post_only=PostOnlyParams.MustPostOnly()), 6057),
    ],
)
def test_invalid_orders_fail_with_drift_codes(bank, order, code):
    trader = funded_trader(bank, usdc=1_000 * USDC)
    assert error_of(bank, user_ix("place_perp_order", {"params": order}, trader)) == code


def test_place_and_take_fills_at_the_amm_with_hand_checked_figures(bank):
    trader = funded_trader(bank, usdc=1_000 * USDC)
    bank.run(place_and_take(trader, params()))
    position = perp(bank, trader)
    # AMM ask: 150 + 150 * 0.01 % / 2 = 150.0075; taker fee 10 bps rounded up.
    assert position.base_asset_amount == SOL
    assert position.quote_entry_amount == -150_007_500
    assert position.quote_asset_amount == -150_007_500 - 150_008
    assert open_orders(bank, trader) == []
    initial = margin(bank, trader)
    assert initial.requirement == 7_500_000  # 150 * 5 %
    assert initial.total_collateral == 1_000 * USDC + 150 * USDC - 150_157_508
    assert margin(bank, trader, MAINTENANCE).requirement == 3_750_000
    assert any(line.startswith("Program log: rekt-fill ") for line in bank.logs)


def test_settle_pnl_moves_profit_into_usdc(bank):
    trader = funded_trader(bank, usdc=1_000 * USDC)
    bank.run(place_and_take(trader, params()))
    bank.set_oracle("SOL", 160 * USDC)
    bank.run(settle(trader, 0))
    user = bank.decode(trader.user)
    assert user.spot_positions[0].scaled_balance == (1_000 * USDC + 9_842_492) * 1_000
    assert user.perp_positions[0].quote_asset_amount == -160 * USDC
    assert user.settled_perp_pnl == 9_842_492


def test_settled_loss_with_sol_collateral_becomes_a_usdc_borrow(bank):
    funded_trader(bank, usdc=10_000 * USDC)  # liquidity for the borrow
    trader = funded_trader(bank, sol_tokens=10 * SOL)
    bank.run(place_and_take(trader, params()))
    bank.set_oracle("SOL", 140 * USDC)
    bank.run(settle(trader, 0))
    usdc = bank.decode(trader.user).spot_positions[1]
    assert usdc.market_index == 0 and type(usdc.balance_type).__name__ == "Borrow"
    assert usdc.scaled_balance == (150_157_508 - 140 * USDC) * 1_000


def test_market_order_waits_for_its_auction_then_fills_at_the_amm(bank):
    keeper = funded_trader(bank)
    trader = funded_trader(bank, usdc=1_000 * USDC)
    place(bank, trader, params())
    (order,) = open_orders(bank, trader)
    assert order.auction_duration == 10 and order.auction_start_price == 150 * USDC
    bank.run(fill(keeper, trader, order.order_id))
    assert perp(bank, trader).base_asset_amount == 0
    bank.advance(10)
    bank.run(fill(keeper, trader, order.order_id))
    assert perp(bank, trader).base_asset_amount == SOL and open_orders(bank, trader) == []


def test_crossing_limit_order_fills_at_the_makers_price(bank):
    keeper = funded_trader(bank)
    maker = funded_trader(bank, usdc=1_000 * USDC)
    taker = funded_trader(bank, usdc=1_000 * USDC)
    place(bank, maker, params(SHORT, size=2 * SOL, price=149 * USDC))
    place(bank, taker, params(LONG, size=SOL, price=150 * USDC))
    bank.run(fill(keeper, taker, 1, makers=[maker]))
    assert perp(bank, taker).base_asset_amount == SOL and perp(bank, taker).quote_entry_amount == -149 * USDC
    assert perp(bank, maker).base_asset_amount == -SOL
    # Maker rebate: 2 bps of $149 paid to the maker.
    assert perp(bank, maker).quote_asset_amount == 149 * USDC + 29_800
    (rest,) = open_orders(bank, maker)
    assert rest.base_asset_amount_filled == SOL


def test_trigger_order_fires_when_the_oracle_crosses(bank):
    keeper = funded_trader(bank)
    trader = funded_trader(bank, usdc=1_000 * USDC)
    bank.run(place_and_take(trader, params()))
    stop = params(SHORT, order_type=OrderType.TriggerMarket(), reduce_only=True,
                  trigger_price=140 * USDC, trigger_condition=OrderTriggerCondition.Below())
    place(bank, trader, stop)
    (order,) = open_orders(bank, trader)
    fire = trigger(keeper, trader, order.order_id)
    assert error_of(bank, fire) == 6112
    bank.set_oracle("SOL", 139 * USDC)
    bank.run(fire)
    (order,) = open_orders(bank, trader)
    assert type(order.trigger_condition).__name__ == "TriggeredBelow"
    bank.advance(10)
    bank.run(fill(keeper, trader, order.order_id))
    assert perp(bank, trader).base_asset_amount == 0 and open_orders(bank, trader) == []


def test_orders_past_max_ts_expire_on_fill(bank):
    keeper = funded_trader(bank)
    trader = funded_trader(bank, usdc=1_000 * USDC)
    place(bank, trader, params(price=140 * USDC, max_ts=bank.clock.unix_timestamp + 5))
    bank.advance(20, seconds=6)
    bank.run(fill(keeper, trader, 1))
    assert open_orders(bank, trader) == [] and perp(bank, trader).open_orders == 0


def test_liquidation_closes_an_under_margined_position_at_the_oracle(bank):
    keeper = funded_trader(bank)
    trader = funded_trader(bank, usdc=100 * USDC)
    bank.run(place_and_take(trader, params(size=12 * SOL)))
    assert error_of(bank, liquidate(keeper, trader, 0, 12 * SOL)) == 6004  # still healthy
    quote_before = perp(bank, trader).quote_asset_amount
    bank.set_oracle("SOL", 145 * USDC)
    health = margin(bank, trader, MAINTENANCE)
    assert health.total_collateral < health.requirement
    bank.run(liquidate(keeper, trader, 0, 12 * SOL))
    position = perp(bank, trader)
    # Sold 12 SOL at 145 ($1,740) less 2 % of liquidation fees ($34.80).
    assert position.base_asset_amount == 0
    assert position.quote_asset_amount == quote_before + 1_740 * USDC - 34_800_000


def _toward_zero(numerator: int, denominator: int) -> int:
    quotient = abs(numerator) // denominator
    return quotient if numerator >= 0 else -quotient


def test_hourly_funding_follows_the_mark_oracle_premium_and_is_settled(bank):
    market_key = get_perp_market_public_key(DRIFT_PROGRAM_ID, 0)
    trader = funded_trader(bank, usdc=1_000 * USDC)
    assert error_of(bank, update_funding(0)) == 6251  # not due yet
    bank.advance(9_000, seconds=3_599)
    before = bank.decode(market_key).amm
    bank.run(place_and_take(trader, params(size=10 * SOL)))  # buys from the AMM above the oracle
    fill_price = -perp(bank, trader).quote_entry_amount * SOL // (10 * SOL)
    assert fill_price > 150 * USDC
    traded = bank.decode(market_key).amm
    # Drift's TWAP: the new price weighs by the seconds since the last update.
    since = GENESIS_TIME + 3_599 - before.last_mark_price_twap_ts
    expected_mark = (before.last_mark_price_twap * (3_600 - since) + fill_price * since) // 3_600
    assert traded.last_mark_price_twap == expected_mark
    assert traded.volume24h == before.volume24h + 10 * fill_price and traded.last_trade_ts == GENESIS_TIME + 3_599

    bank.advance(3, seconds=1)
    bank.run(update_funding(0))
    market = bank.decode(market_key).amm
    # At the crank the mark TWAP is brought forward one second to the AMM's mid (the oracle).
    mark_twap = (expected_mark * 3_599 + 150 * USDC * 1) // 3_600
    oracle_twap = traded.historical_oracle_data.last_oracle_price_twap
    rate = _toward_zero((mark_twap - oracle_twap) * 1_000, 24)
    assert rate > 0 and market.last_mark_price_twap == mark_twap
    assert market.last_funding_rate == market.last_funding_rate_long == market.last_funding_rate_short == rate
    assert market.cumulative_funding_rate_long == before.cumulative_funding_rate_long + rate
    assert market.last_funding_rate_ts == GENESIS_TIME + 3_600 and market.last_funding_oracle_twap == oracle_twap
    assert market.last24h_avg_funding_rate == (before.last24h_avg_funding_rate * (86_400 - 3_600) + rate * 3_600) // 86_400
    quote_before = perp(bank, trader).quote_asset_amount
    bank.run(settle(trader, 0))
    user = bank.decode(trader.user)
    owed = -(rate * 10 * SOL) // (SOL * 1_000)  # the long side pays
    assert owed < 0 and user.cumulative_perp_funding == owed
    assert user.perp_positions[0].last_cumulative_funding_rate == market.cumulative_funding_rate_long
    assert user.settled_perp_pnl == 10 * 150 * USDC + quote_before + owed


def test_referred_taker_gets_a_discount_and_the_referrer_a_reward(bank):
    referrer = [ref(REFERRER_USER, writable=True), ref(REFERRER_STATS, writable=True)]
    trader = funded_trader(bank, usdc=1_000 * USDC, referrer=referrer)
    ix = place_and_take(trader, params())
    ix.accounts += referrer
    bank.run(ix)
    fee = 150_008  # 10 bps of $150.0075, rounded up
    discount, reward = fee * 5 // 100, fee * 10 // 100
    assert perp(bank, trader).quote_asset_amount == -150_007_500 - fee + discount
    assert bank.decode(REFERRER_USER).perp_positions[0].quote_asset_amount == reward
    assert bank.decode(REFERRER_STATS).fees.total_referrer_reward == reward
    stats = bank.decode(trader.stats).fees
    assert (stats.total_fee_paid, stats.total_referee_discount) == (fee - discount, discount)
