"""Margin: what a user's collateral is worth and what their positions require.

The rules are Drift's (and driftpy's `DriftUser`, which the app reads them through):
spot deposits count at their asset weight, borrows at their liability weight; perp
positions require `|worst-case base| * oracle * margin ratio` plus one cent per open
order (spot orders count as if all bids or all asks filled at the oracle); positive
unrealized PnL (pending funding included) counts at the market's unrealized asset
weight, losses in full. Markets carry no IMF factor on the localnet, so ratios stay
constant in size.
"""

from dataclasses import dataclass
from typing import Any, Protocol

from solders.pubkey import Pubkey

from .constants import (
    BASE_PRECISION,
    MARGIN_PRECISION,
    OPEN_ORDER_MARGIN_REQUIREMENT,
    SPOT_WEIGHT_PRECISION,
)
from .errors import fail
from .funding import pending_funding
from .spot import token_amount

INITIAL = "initial"
MAINTENANCE = "maintenance"


class MarketSource(Protocol):
    """Where margin math reads markets and prices: an instruction's DriftView, or the
    keeper's view of the ledger."""

    def spot_market(self, index: int) -> Any: ...

    def perp_market(self, index: int) -> Any: ...

    def oracle_price(self, oracle: Pubkey) -> int: ...


@dataclass(frozen=True, slots=True)
class MarginFigures:
    total_collateral: int  # 1e6
    requirement: int  # 1e6

    @property
    def free(self) -> int:
        return self.total_collateral - self.requirement


def perp_is_active(position: Any) -> bool:
    return bool(position.base_asset_amount or position.quote_asset_amount or position.open_orders or position.lp_shares)


def worst_case_base(position: Any) -> int:
    """The position size if every open order on the riskier side filled."""
    bids = position.base_asset_amount + position.open_bids
    asks = position.base_asset_amount + position.open_asks
    return bids if abs(bids) >= abs(asks) else asks


def unrealized_pnl(position: Any, oracle_price: int) -> int:
    """PnL (1e6) of the position marked at the oracle, settled funding not included."""
    return position.base_asset_amount * oracle_price // BASE_PRECISION + position.quote_asset_amount


def _weighted_spot(market: Any, tokens: int, price: int, category: str) -> tuple[int, int]:
    """(weighted asset value, weighted liability value) of a spot balance, 1e6."""
    value = tokens * price // 10**market.decimals
    if tokens >= 0:
        weight = market.initial_asset_weight if category == INITIAL else market.maintenance_asset_weight
        return value * weight // SPOT_WEIGHT_PRECISION, 0
    weight = market.initial_liability_weight if category == INITIAL else market.maintenance_liability_weight
    return 0, -value * weight // SPOT_WEIGHT_PRECISION


def _worst_case_spot(market: Any, tokens: int, position: Any, price: int, category: str) -> tuple[int, int, int]:
    """The spot balance if all its bids, or all its asks, filled at the oracle (whichever
    leaves less free collateral), with the quote that would change hands."""
    cases = []
    for change in (position.open_bids, position.open_asks):
        quote = -change * price // 10**market.decimals
        asset, liability = _weighted_spot(market, tokens + change, price, category)
        cases.append((asset + quote - liability, asset, liability, quote))
    _, asset, liability, quote = min(cases)
    return asset, liability, quote


def figures(view: MarketSource, user: Any, category: str = INITIAL, *, include_orders: bool = True) -> MarginFigures:
    """Total collateral and margin requirement of `user` under `category`."""
    collateral = requirement = 0
    for position in user.spot_positions:
        if position.scaled_balance == 0 and position.open_orders == 0:
            continue
        market = view.spot_market(position.market_index)
        price = view.oracle_price(market.oracle)
        tokens = token_amount(position, market)
        if include_orders and position.open_orders:
            asset, liability, quote = _worst_case_spot(market, tokens, position, price, category)
            collateral += asset + quote
            requirement += liability + position.open_orders * OPEN_ORDER_MARGIN_REQUIREMENT
        else:
            asset, liability = _weighted_spot(market, tokens, price, category)
            collateral += asset
            requirement += liability
    for position in user.perp_positions:
        if not perp_is_active(position):
            continue
        market = view.perp_market(position.market_index)
        price = view.oracle_price(market.amm.oracle)
        pnl = unrealized_pnl(position, price) + pending_funding(position, market)
        if pnl > 0:
            weight = (
                market.unrealized_pnl_initial_asset_weight
                if category == INITIAL
                else market.unrealized_pnl_maintenance_asset_weight
            )
            pnl = pnl * weight // SPOT_WEIGHT_PRECISION
        collateral += pnl
        base = worst_case_base(position) if include_orders else position.base_asset_amount
        ratio = market.margin_ratio_initial if category == INITIAL else market.margin_ratio_maintenance
        requirement += abs(base) * price // BASE_PRECISION * ratio // MARGIN_PRECISION
        if include_orders:
            requirement += position.open_orders * OPEN_ORDER_MARGIN_REQUIREMENT
    return MarginFigures(collateral, requirement)


def require_initial_margin(view: MarketSource, user: Any, what: str) -> None:
    """Fail with InsufficientCollateral unless the user meets initial margin."""
    result = figures(view, user, INITIAL)
    if result.total_collateral < result.requirement:
        raise fail(
            "InsufficientCollateral",
            f"{what} needs {result.requirement} of initial margin; total collateral is {result.total_collateral}",
        )
