"""Margin for the relaunched program's layouts: collateral, requirements, leverage, liquidation.

Pure integer math over decoded accounts and oracle prices. The rules are protocol-v2's
(`math/margin.rs`, `math/position.rs`, `math/funding.rs`), which the relaunch forked from
(SDK v2.163.0-beta.0), applied to the new fields:

- a spot balance is worth `tokens * price / 10^decimals`, deposits weighted by the market's
  asset weight and borrows by its liability weight (SPOT_WEIGHT_PRECISION 1e4), initial or
  maintenance;
- a perp's unrealized PnL is `base * price / 1e9 + quote_asset_amount` plus its unsettled
  funding; a loss counts in full, a gain weighted by the market's `unrealized_pnl_*_asset_weight`;
- a perp's requirement is its worst-case base (the position with all its open bids, or all
  its asks, whichever is larger) valued at the oracle, times `margin_ratio_*` (MARGIN_PRECISION
  1e4), plus $0.01 per open order for the initial requirement;
- free collateral is initial collateral less the initial requirement (never below zero),
  leverage is the perp and borrow value over equity, and a position's liquidation price is
  where maintenance collateral would meet the maintenance requirement with only that
  market's oracle moving.

Assumptions (not verified against the relaunch's own source, which is not readable from here):
the IMF size premiums (`imf_factor`, `unrealized_pnl_imf_factor`) are not applied (the figures
are then exact for markets whose factors are zero, and optimistic for large positions
otherwise); a collateral asset whose price moves with the perp is held fixed in the
liquidation price; the per-user equity floor is not part of the requirement.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from rekt_tui.velocity.layouts import PerpMarketView, PerpPositionView, SpotMarketView, UserView

BASE_PRECISION = 10**9
MARGIN_PRECISION = 10_000
SPOT_WEIGHT_PRECISION = 10_000
LEVERAGE_PRECISION = 10_000
FUNDING_RATE_BUFFER = 1_000  # funding rates carry 1e9 = PRICE_PRECISION * 1e3
OPEN_ORDER_MARGIN_REQUIREMENT = 10_000  # $0.01 per open order (quote 1e6)


@dataclass(frozen=True)
class PerpFigures:
    market_index: int
    unrealized_pnl: int  # quote 1e6, funding included
    liquidation_price: int | None


@dataclass(frozen=True)
class Margin:
    """An account's figures in quote (1e6); leverage in 1e4."""

    total_collateral: int  # initial weights
    maintenance_collateral: int
    initial_margin: int
    maintenance_margin: int
    equity: int  # unweighted: spot net value plus unrealized PnL
    unrealized_pnl: int
    perp_liability: int
    spot_liability: int
    perps: tuple[PerpFigures, ...]

    @property
    def free_collateral(self) -> int:
        return max(0, self.total_collateral - self.initial_margin)

    @property
    def leverage(self) -> int:
        if self.equity <= 0:
            return 0
        return (self.perp_liability + self.spot_liability) * LEVERAGE_PRECISION // self.equity

    @property
    def health(self) -> int:
        """0..100 as the venue's apps show it: 100 with no requirement, 0 at liquidation."""
        if self.maintenance_margin == 0 and self.maintenance_collateral >= 0:
            return 100
        if self.maintenance_collateral <= 0:
            return 0
        share = 100 * (self.maintenance_collateral - self.maintenance_margin) // self.maintenance_collateral
        return max(0, min(100, share))


def funding_pnl(position: PerpPositionView, market: PerpMarketView) -> int:
    """Funding owed to (+) or by (-) the position since it last settled, quote 1e6."""
    base = position.base_asset_amount
    if base == 0:
        return 0
    cumulative = market.cumulative_funding_rate_long if base > 0 else market.cumulative_funding_rate_short
    delta = cumulative - position.last_cumulative_funding_rate
    owed = delta * base
    magnitude = abs(owed) // (BASE_PRECISION * FUNDING_RATE_BUFFER)
    return -magnitude if owed > 0 else magnitude  # a rising rate is paid by longs


def unrealized_pnl(position: PerpPositionView, market: PerpMarketView, price: int) -> int:
    value = position.base_asset_amount * price
    base_value = value // BASE_PRECISION if value >= 0 else -(-value // BASE_PRECISION)
    return base_value + position.quote_asset_amount + funding_pnl(position, market)


def _worst_case_base(position: PerpPositionView) -> int:
    with_bids = position.base_asset_amount + position.open_bids
    with_asks = position.base_asset_amount + position.open_asks
    return with_bids if abs(with_bids) >= abs(with_asks) else with_asks


def _value(base: int, price: int) -> int:
    return abs(base) * price // BASE_PRECISION


def _weighted_pnl(pnl: int, weight: int) -> int:
    return pnl if pnl <= 0 else pnl * weight // SPOT_WEIGHT_PRECISION


def compute(
    user: UserView,
    perps: Mapping[int, PerpMarketView],
    spots: Mapping[int, SpotMarketView],
    perp_prices: Mapping[int, int],
    spot_prices: Mapping[int, int],
) -> Margin:
    """The account's margin figures at these oracle prices; a market without a price is a
    KeyError (the caller decides what an unpriced account shows)."""
    collateral = maintenance_collateral = initial = maintenance = 0
    spot_net = spot_liability = 0
    for spot in user.spot_positions:
        if spot.scaled_balance == 0:
            continue
        spot_market = spots[spot.market_index]
        tokens = spot_market.token_amount(spot)
        value = abs(tokens) * spot_prices[spot.market_index] // 10**spot_market.decimals
        if tokens >= 0:
            spot_net += value
            collateral += value * spot_market.initial_asset_weight // SPOT_WEIGHT_PRECISION
            maintenance_collateral += value * spot_market.maintenance_asset_weight // SPOT_WEIGHT_PRECISION
        else:
            spot_net -= value
            spot_liability += value
            initial += value * spot_market.initial_liability_weight // SPOT_WEIGHT_PRECISION
            maintenance += value * spot_market.maintenance_liability_weight // SPOT_WEIGHT_PRECISION
        initial += spot.open_orders * OPEN_ORDER_MARGIN_REQUIREMENT
    pnl_total = perp_liability = 0
    pnls: dict[int, int] = {}
    for position in user.perp_positions:
        if position.is_empty:
            continue
        market, price = perps[position.market_index], perp_prices[position.market_index]
        pnl = pnls[position.market_index] = unrealized_pnl(position, market, price)
        pnl_total += pnl
        collateral += _weighted_pnl(pnl, market.unrealized_pnl_initial_asset_weight)
        maintenance_collateral += _weighted_pnl(pnl, market.unrealized_pnl_maintenance_asset_weight)
        worst = _value(_worst_case_base(position), price)
        perp_liability += _value(position.base_asset_amount, price)
        initial += worst * market.margin_ratio_initial // MARGIN_PRECISION
        initial += position.open_orders * OPEN_ORDER_MARGIN_REQUIREMENT
        maintenance += worst * market.margin_ratio_maintenance // MARGIN_PRECISION
    figures = tuple(
        PerpFigures(
            p.market_index, pnls[p.market_index],
            liquidation_price(p, perps[p.market_index], perp_prices[p.market_index],
                              maintenance_collateral - maintenance),
        )
        for p in user.perp_positions if not p.is_empty
    )  # fmt: skip
    return Margin(
        total_collateral=collateral, maintenance_collateral=maintenance_collateral, initial_margin=initial,
        maintenance_margin=maintenance, equity=spot_net + pnl_total, unrealized_pnl=pnl_total,
        perp_liability=perp_liability, spot_liability=spot_liability, perps=figures,
    )  # fmt: skip


def liquidation_price(position: PerpPositionView, market: PerpMarketView, price: int, free_maintenance: int) -> int | None:
    """The oracle price at which `free_maintenance` (maintenance collateral less requirement)
    reaches zero if only this market moves; None when no positive price does."""
    base = position.base_asset_amount
    if base == 0:
        return None
    # Per unit of price (1e6) the collateral moves by base/1e9 and the requirement by
    # |base|/1e9 * ratio: a long loses (1 - ratio) per unit down, a short (1 + ratio) per unit up.
    ratio = market.margin_ratio_maintenance
    slope = base * (MARGIN_PRECISION - ratio) if base > 0 else base * (MARGIN_PRECISION + ratio)
    move = -free_maintenance * BASE_PRECISION * MARGIN_PRECISION
    delta = move // slope if (move >= 0) == (slope >= 0) else -(-move // slope)
    liquidation = price + delta
    return liquidation if liquidation > 0 else None


def with_fill(user: UserView, market: PerpMarketView, base: int, quote: int, released: int = 0) -> UserView:
    """The account as it would be after filling `base` (signed) for `quote` (signed, fees in)
    on `market`, less `released` (the signed reserved size of an order it replaces): for previews."""
    market_index = market.market_index
    positions = list(user.perp_positions)
    for at, position in enumerate(positions):
        if position.market_index == market_index and not position.is_empty:
            positions[at] = replace(
                position, base_asset_amount=position.base_asset_amount + base,
                quote_asset_amount=position.quote_asset_amount + quote,
                open_bids=position.open_bids - max(released, 0), open_asks=position.open_asks - min(released, 0),
            )  # fmt: skip
            return replace(user, perp_positions=tuple(positions))
    funding = market.cumulative_funding_rate_long if base > 0 else market.cumulative_funding_rate_short
    fresh = PerpPositionView(market_index, base, quote, quote, quote, 0, 0, 0, funding)
    return replace(user, perp_positions=(*positions, fresh))
