"""Spot orders on SOL/USDC through the Drift handlers (test-only context)."""

import pytest
from driftpy.addresses import get_spot_market_public_key
from driftpy.types import MarketType, OrderParams, OrderType, PositionDirection, PostOnlyParams

from rekt_localnet.keys import DRIFT_PROGRAM_ID
from rekt_localnet.programs.drift.spot import token_amount
from rekt_localnet.runtime.program import InstructionError

from .drift_harness import Bank, assert_vaults_hold_net_deposits, funded_trader, place_and_take_spot, user_ix

USDC = 10**6
SOL = 10**9


def spot_params(direction, size: int, price: int = 0, **extra) -> OrderParams:
    return OrderParams(
        order_type=OrderType.Limit() if price else OrderType.Market(), market_type=MarketType.Spot(),
        direction=direction, base_asset_amount=size, price=price, market_index=1, **extra,
    )


def balance(bank: Bank, trader, market_index: int) -> int:
    user = bank.decode(trader.user)
    markets = {i: bank.decode(get_spot_market_public_key(DRIFT_PROGRAM_ID, i)) for i in (0, 1)}
    return sum(
        token_amount(position, markets[market_index])
        for position in user.spot_positions
        if position.market_index == market_index and position.scaled_balance
    )


def test_spot_market_buy_fills_against_a_maker_ask():
    bank = Bank()
    maker = funded_trader(bank, usdc=10_000 * USDC)
    taker = funded_trader(bank, usdc=1_000 * USDC)
    ask = spot_params(PositionDirection.Short(), 2 * SOL, 150_500_000, post_only=PostOnlyParams.MustPostOnly())
    bank.run(user_ix("place_spot_order", {"params": ask}, maker, perp=()))
    bank.run(place_and_take_spot(taker, spot_params(PositionDirection.Long(), SOL), makers=[maker]))
    assert balance(bank, taker, 1) == SOL
    assert balance(bank, taker, 0) == 1_000 * USDC - 150_500_000 - 150_500  # 10 bps taker fee
    assert balance(bank, maker, 1) == -SOL  # the maker sold SOL it did not hold: a borrow
    assert balance(bank, maker, 0) == 10_000 * USDC + 150_500_000 + 30_100  # 2 bps rebate
    (rest,) = [o for o in bank.decode(maker.user).orders if type(o.status).__name__ == "Open"]
    assert rest.base_asset_amount_filled == SOL
    assert any('"market_type":"spot"' in line for line in bank.logs)
    assert_vaults_hold_net_deposits(bank)


def test_spot_limit_order_rests_when_nothing_crosses_and_spot_on_usdc_is_refused():
    bank = Bank()
    trader = funded_trader(bank, usdc=1_000 * USDC)
    bid = spot_params(PositionDirection.Long(), SOL, 140 * USDC)
    bank.run(place_and_take_spot(trader, bid))
    (order,) = [o for o in bank.decode(trader.user).orders if type(o.status).__name__ == "Open"]
    assert type(order.market_type).__name__ == "Spot" and order.price == 140 * USDC
    usdc_order = OrderParams(
        order_type=OrderType.Limit(), market_type=MarketType.Spot(), direction=PositionDirection.Long(),
        base_asset_amount=USDC, price=1, market_index=0,
    )
    with pytest.raises(InstructionError) as failure:
        bank.run(user_ix("place_spot_order", {"params": usdc_order}, trader, perp=()))
    assert failure.value.error == 6212


def test_spot_bid_beyond_margin_is_6003():
    bank = Bank()
    trader = funded_trader(bank, usdc=100 * USDC)
    with pytest.raises(InstructionError) as failure:
        bid = spot_params(PositionDirection.Long(), 10 * SOL, 150 * USDC)
        bank.run(user_ix("place_spot_order", {"params": bid}, trader, perp=()))
    assert failure.value.error == 6003
