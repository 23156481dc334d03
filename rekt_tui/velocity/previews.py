"""Previews on the relaunched program: the account after an order fills or a withdrawal lands.

The fill is booked into a copy of the User as the program books it (each fill's quote rounded
against the taker, the fee rounded up and charged to the position's quote) and `margin.compute`
is asked about the copy. Fees are the State's first perp tier (an account without 30-day volume),
less the referee discount when the trader's referral escrow refers the market's fills (our
place-and-take names the escrow; `ChainView.referred_fill`). What the book does not fill of a limit
order rests there and earns the maker rebate when it fills, with its market's oracle at its price
(`valuation_price`), as is a trigger order at its trigger. A market's `fee_adjustment` and
`taker_fee_addon_tenth_bps` are not applied (an assumption: both are zero at launch).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from rekt_tui.domain.collateral import WithdrawPreview
from rekt_tui.domain.errors import RektError
from rekt_tui.domain.guards import Preview
from rekt_tui.domain.order_fills import expected_fills, valuation_price, worst_price
from rekt_tui.domain.orders import OrderRequest
from rekt_tui.domain.records import Direction, OrderType
from rekt_tui.domain.trading import Order
from rekt_tui.velocity.chain_view import ChainView
from rekt_tui.velocity.margin import BASE_PRECISION, with_fill


def share(value: int, numerator: int, denominator: int) -> int:
    """`value * numerator / denominator` rounded as the program rounds a share: up when the
    share is over half (and under the whole), else down."""
    if numerator == denominator:
        return value
    if denominator // 2 < numerator < denominator:
        return -(-value * numerator // denominator)
    return value * numerator // denominator


def fee(view: ChainView, quotes: Sequence[int], *, maker: bool, referred: bool) -> int:
    """The taker fee per fill rounded up less the referee discount, or the maker rebate (negative)."""
    if view.state is None:
        raise RektError("The venue's State is not loaded; wait for market data.")
    tier = view.state.perp_fee_tier
    if maker:
        return -sum(q * tier.maker_rebate_numerator // tier.maker_rebate_denominator for q in quotes)
    total = 0
    for quote in quotes:
        paid = -(-quote * tier.fee_numerator // tier.fee_denominator)
        discount = share(paid, tier.referee_fee_numerator, tier.referee_fee_denominator) if referred else 0
        total += paid - discount
    return total


def preview_order(
    view: ChainView, request: OrderRequest, *, auction_end_price: int | None, book: Sequence[tuple[int, int]],
    replacing: Order | None = None,
) -> Preview:  # fmt: skip
    """The account after `request` fills: from `book` (the side it takes, best first), and at
    its worst price for whatever the book does not hold; in place of the open order
    `replacing` when it modifies one (its reserved size stops counting)."""
    user = view.require_user()
    market = view.perp(request.market.market_index)
    worst = worst_price(request.order_type, price=request.price or 0, trigger_price=request.trigger_price,
                        auction_end_price=auction_end_price)  # fmt: skip
    taken, rest = expected_fills(request.base_amount, request.direction, worst, () if request.post_only else book)
    fills = taken + rest
    sign = 1 if request.direction is Direction.LONG else -1
    quotes = [size * price // BASE_PRECISION for price, size in fills]
    # What a limit order leaves rests on the book and fills there as a maker; a market or
    # trigger order's remainder is assumed taken at its worst price.
    rests = request.order_type is OrderType.LIMIT
    referred = view.referred_fill(market.market_index)
    paid = fee(view, quotes[: len(taken)], maker=False, referred=referred) + fee(
        view, quotes[len(taken) :], maker=rests, referred=referred
    )
    cash = sum(-sign * size * price // BASE_PRECISION for price, size in fills)
    released = replacing.reserved_base if replacing else 0
    valued_at = valuation_price(request.order_type, price=request.price or 0, trigger_price=request.trigger_price,
                                rests=bool(rest))  # fmt: skip
    after = view.margin(with_fill(user, market, sign * request.base_amount, cash - paid, released),
                        oracle_at=None if valued_at is None else (market.oracle, valued_at))  # fmt: skip
    figures = next(f for f in after.perps if f.market_index == market.market_index)
    return Preview(
        entry_price=sum(quotes) * BASE_PRECISION // request.base_amount, worst_price=worst, fee=paid,
        margin_required=after.initial_margin, free_collateral_after=after.total_collateral - after.initial_margin,
        leverage_after=after.leverage, liquidation_price_after=figures.liquidation_price,
    )  # fmt: skip


def preview_withdraw(view: ChainView, market_index: int, amount: int) -> WithdrawPreview:
    """The account after a reduce-only withdrawal: the scaled balance shrinks by the amount
    scaled at the deposit interest, rounded up, as the program removes it."""
    user = view.require_user()
    market = view.spot(market_index)
    held_position = next((p for p in user.spot_positions if p.market_index == market_index and p.scaled_balance
                          and not p.borrow), None)  # fmt: skip
    held = market.token_amount(held_position) if held_position else 0
    scale = 10 ** (19 - market.decimals)
    removed = -(-min(amount, held) * scale // market.cumulative_deposit_interest) if held else 0
    spots = tuple(
        replace(p, scaled_balance=max(p.scaled_balance - removed, 0)) if p is held_position else p
        for p in user.spot_positions
    )
    after = view.margin(replace(user, spot_positions=spots))
    total = after.total_collateral
    return WithdrawPreview(
        held=held, total_collateral_after=total, free_collateral_after=total - after.initial_margin,
        leverage_after=after.leverage if total > 0 else None,
    )
