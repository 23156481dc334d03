"""liquidate_perp: closing an under-margined user's perp position.

A user whose total collateral (maintenance weights) is below the maintenance margin
requirement loses their open orders and the position in the named market, closed at
the oracle price against the AMM, with the market's liquidator and insurance-fund fees
(LIQUIDATION_FEE_PRECISION, 1e6, of the notional) charged on top. Drift would hand the
position to the liquidator's account instead; on the localnet the keeper liquidates,
so closing it keeps the keeper from carrying risk.
"""

from typing import Any

from .constants import BASE_PRECISION, EXCHANGE_LIQ_PAUSED, PERCENTAGE_PRECISION, PERP_OP_LIQUIDATION
from .errors import fail
from .events import EXPLAIN_LIQUIDATION, FillSide, emit_fill, emit_perp_liquidation, settle_funding_recorded
from .funding import track_funding
from .margin import MAINTENANCE, figures
from .matching import Fill, apply_to_position, record_fill, track_market
from .positions import find_perp_position, is_open, remove_order
from .view import DriftView


def liquidate_perp(view: DriftView, accounts: Any, args: Any) -> None:
    state = view.state()
    market = view.perp_market(args.market_index)
    if state.exchange_status & EXCHANGE_LIQ_PAUSED or market.paused_operations & PERP_OP_LIQUIDATION:
        raise fail("MarketActionPaused", f"liquidations in perp market {args.market_index} are paused")
    user = view.get(accounts.user, "User")
    health = figures(view, user, MAINTENANCE)
    if health.total_collateral >= health.requirement:
        raise fail("SufficientCollateral", f"collateral {health.total_collateral} covers {health.requirement}")
    for index, order in enumerate(user.orders):
        if is_open(order):
            remove_order(user, index)
    position = find_perp_position(user, args.market_index)
    if position is None or position.base_asset_amount == 0:
        raise fail("InvalidPerpPositionToLiquidate", f"no position in perp market {args.market_index}")
    oracle = view.oracle_price(market.amm.oracle)
    size = min(abs(position.base_asset_amount), args.liquidator_max_base_asset_amount)
    if args.limit_price is not None and (
        oracle < args.limit_price if position.base_asset_amount > 0 else oracle > args.limit_price
    ):
        raise fail("LiquidationDoesntSatisfyLimitPrice", f"oracle {oracle} is beyond the limit {args.limit_price}")
    closing = -size if position.base_asset_amount > 0 else size
    notional = size * oracle // BASE_PRECISION
    fee = notional * (market.liquidator_fee + market.if_liquidation_fee) // PERCENTAGE_PRECISION
    settle_funding_recorded(view, accounts.user, user, position, market)
    before, entry = position.base_asset_amount, position.quote_entry_amount
    quote = -closing * oracle // BASE_PRECISION  # the protocol rounds in its own favour
    apply_to_position(position, closing, quote, fee)
    closed_entry = abs(entry) if size == abs(before) else abs(entry - position.quote_entry_amount)
    track_funding(position, market)
    track_market(market, before, position.base_asset_amount)
    market.amm.base_asset_amount_with_amm += closing
    fill_id = market.next_fill_record_id
    emit_fill(
        view, market, base=size, quote=abs(quote), taker_fee=fee, maker_fee=0, maker=None, oracle=oracle,
        taker=FillSide(accounts.user, 0, closing > 0, size, size, abs(quote), size, closed_entry),
        explanation=EXPLAIN_LIQUIDATION,
    )
    emit_perp_liquidation(
        view, accounts.user, accounts.liquidator, user, market, oracle=oracle, base=closing, quote=quote,
        fill_id=fill_id, liquidator_fee=notional * market.liquidator_fee // PERCENTAGE_PRECISION,
        if_fee=fee - notional * market.liquidator_fee // PERCENTAGE_PRECISION,
        margin_requirement=health.requirement, total_collateral=health.total_collateral,
    )
    user.next_liquidation_id += 1
    clock = view.ctx.clock
    record = Fill(
        market.market_index, oracle, size, str(accounts.user), 0, None, None,
        "long" if closing > 0 else "short", clock.slot, clock.unix_timestamp,
    )
    record_fill(view, record)
    view.ctx.log(f"liquidated {size} of perp market {market.market_index} at {oracle}, fee {fee}")
    view.save(accounts.user)
    view.save(market.pubkey, required=False)
