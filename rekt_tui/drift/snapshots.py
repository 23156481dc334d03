"""driftpy's account and market types, converted once into our frozen models.

Every figure comes from driftpy's own math (DriftUser), so ours equal what driftpy
reports; only its float steps (funding PnL divides with `/`, `calculate_entry_price`
too) are brought back to integers here, truncating toward zero as the program's
integer division does. Enum variants are matched by name: the decoders hand out
variant classes whose identity differs between decoders, their names do not.
"""

import re
from datetime import datetime

from driftpy.constants.numeric_constants import AMM_TO_QUOTE_PRECISION_RATIO, PRICE_PRECISION, QUOTE_SPOT_MARKET_INDEX
from driftpy.decode.utils import decode_name
from driftpy.drift_user import DriftUser
from driftpy.math.amm import calculate_price
from driftpy.math.margin import MarginCategory

from rekt_tui.domain.records import Direction, MarketType, OrderType
from rekt_tui.domain.trading import AccountSnapshot, ExchangeStatus, MarketState, Order, Position

SOL_SPOT_MARKET_INDEX = 1

# Bit i of the program's masks, as names (protocol-v2 `PerpOperation`, `SpotOperation`,
# `ExchangeStatus`). driftpy's own `ExchangeStatusValues` is one bit off; not used.
PERP_OPERATIONS = (
    "update_funding", "amm_fill", "fill", "settle_pnl", "settle_pnl_with_position", "liquidation", "amm_immediate_fill",
)  # fmt: skip
SPOT_OPERATIONS = ("update_cumulative_interest", "fill", "deposit", "withdraw", "liquidation")
EXCHANGE_OPERATIONS = ("deposit", "withdraw", "amm", "fill", "liquidation", "funding", "settle_pnl", "amm_immediate_fill")

ORDER_TYPES = {
    "Market": OrderType.MARKET,
    "Limit": OrderType.LIMIT,
    "TriggerMarket": OrderType.TRIGGER_MARKET,
    "TriggerLimit": OrderType.TRIGGER_LIMIT,
    "Oracle": OrderType.ORACLE,
}
TRIGGER_TYPES = {OrderType.TRIGGER_MARKET, OrderType.TRIGGER_LIMIT}


def variant(value: object) -> str:
    return type(value).__name__


def snake(name: str) -> str:
    """`ReduceOnly` -> `reduce_only`."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def whole(value: int | float) -> int:
    """A driftpy figure as an integer: those that went through its float funding step
    come back as floats with (at most) a fraction, truncated toward zero here."""
    return int(value)


def paused(mask: int, names: tuple[str, ...]) -> frozenset[str]:
    return frozenset(name for bit, name in enumerate(names) if mask & (1 << bit))


def account_snapshot(user: DriftUser, slot: int, received_at: datetime) -> AccountSnapshot:
    account = user.get_user_account()
    return AccountSnapshot(
        slot=slot,
        received_at=received_at,
        total_collateral=whole(user.get_total_collateral()),
        equity=whole(user.get_net_usd_value()),
        unrealized_pnl=whole(user.get_unrealized_pnl(True)),
        free_collateral=whole(user.get_free_collateral(MarginCategory.INITIAL)),
        initial_margin=whole(user.get_margin_requirement(MarginCategory.INITIAL)),
        maintenance_margin=whole(user.get_margin_requirement(MarginCategory.MAINTENANCE)),
        leverage=whole(user.get_leverage()),
        health=user.get_health(),
        usdc_amount=user.get_token_amount(QUOTE_SPOT_MARKET_INDEX),
        sol_amount=user.get_token_amount(SOL_SPOT_MARKET_INDEX),
        positions=tuple(position(user, p) for p in account.perp_positions if p.base_asset_amount != 0),
        orders=tuple(order(o) for o in account.orders if variant(o.status) == "Open"),
        net_deposits=account.total_deposits - account.total_withdraws,  # the program values each at its oracle
    )


def position(user: DriftUser, perp_position) -> Position:
    index, base = perp_position.market_index, perp_position.base_asset_amount
    market = user.drift_client.get_perp_market_account(index)
    liquidation = user.get_perp_liq_price(index)
    oracle = user.get_oracle_data_for_perp_market(index)
    assert market is not None and oracle is not None, f"perp market {index} is not subscribed"
    return Position(
        market_index=index,
        symbol=decode_name(market.name),
        base_amount=base,
        quote_entry_amount=perp_position.quote_entry_amount,
        entry_price=abs(perp_position.quote_entry_amount) * PRICE_PRECISION * AMM_TO_QUOTE_PRECISION_RATIO // abs(base),
        oracle_price=oracle.price,
        unrealized_pnl=whole(user.get_unrealized_pnl(True, index)),
        liquidation_price=None if liquidation is None or liquidation < 0 else whole(liquidation),
        break_even_price=abs(perp_position.quote_break_even_amount) * PRICE_PRECISION * AMM_TO_QUOTE_PRECISION_RATIO
        // abs(base),
        quote_amount=perp_position.quote_asset_amount,
        quote_break_even_amount=perp_position.quote_break_even_amount,
    )


def order(drift_order) -> Order:
    order_type = ORDER_TYPES[variant(drift_order.order_type)]
    return Order(
        order_id=drift_order.order_id,
        user_order_id=drift_order.user_order_id,
        market_type=MarketType.PERP if variant(drift_order.market_type) == "Perp" else MarketType.SPOT,
        market_index=drift_order.market_index,
        order_type=order_type,
        direction=Direction.LONG if variant(drift_order.direction) == "Long" else Direction.SHORT,
        base_amount=drift_order.base_asset_amount,
        filled=drift_order.base_asset_amount_filled,
        price=drift_order.price,
        trigger_price=drift_order.trigger_price if order_type in TRIGGER_TYPES else None,
        reduce_only=drift_order.reduce_only,
        post_only=drift_order.post_only,
        max_ts=drift_order.max_ts or None,
        slot=drift_order.slot,
    )


def market_states(drift_client) -> list[MarketState]:
    """Every perp then spot market driftpy is subscribed to, with its oracle and pauses.

    A perp's mark here is the AMM's reserve price (what the program prices the AMM at);
    driftpy's `calculate_bid_ask_price` asserts on AMMs with thin reserves, and the
    book's mark (the mid) comes with each `OrderBook`.
    """
    states = []
    for market in sorted(drift_client.get_perp_market_accounts(), key=lambda m: m.market_index):
        oracle = drift_client.get_oracle_price_data_for_perp_market(market.market_index)
        amm = market.amm
        reserve_price = calculate_price(amm.base_asset_reserve, amm.quote_asset_reserve, amm.peg_multiplier)
        states.append(
            MarketState(
                MarketType.PERP, market.market_index, decode_name(market.name), oracle.price, reserve_price or None,
                snake(variant(market.status)), paused(market.paused_operations, PERP_OPERATIONS),
            )
        )  # fmt: skip
    for market in sorted(drift_client.get_spot_market_accounts(), key=lambda m: m.market_index):
        oracle = drift_client.get_oracle_price_data_for_spot_market(market.market_index)
        states.append(
            MarketState(
                MarketType.SPOT, market.market_index, decode_name(market.name), oracle.price, None,
                snake(variant(market.status)), paused(market.paused_operations, SPOT_OPERATIONS),
            )
        )  # fmt: skip
    return states


def exchange_status(state_account) -> ExchangeStatus:
    return ExchangeStatus(paused(state_account.exchange_status, EXCHANGE_OPERATIONS))
