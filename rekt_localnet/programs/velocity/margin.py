"""Margin as the program checks it: weighted collateral against the positions' requirement.

Collateral is every spot deposit at its oracle price times its asset weight, plus each perp
position's unrealized PnL (quote amount + base at the oracle). The requirement is each perp
position's worst-case size (its base plus its resting bids or asks) at the oracle times the
market's margin ratio. Every market and oracle a position needs must be among the
instruction's accounts, or the check fails rather than guessing a price.
"""

from typing import Any

from .balances import token_amount
from .constants import BASE_PRECISION, MARGIN_PRECISION, PRICE_PRECISION, SPOT_WEIGHT_PRECISION
from .errors import fail
from .funding import pending_funding
from .view import VelocityView


def perp_oracle_price(view: VelocityView, market_index: int) -> int:
    _, market = view.perp_market(market_index)
    return view.oracle_price(market["oracle"])


def unrealized_pnl(position: dict[str, Any], price: int) -> int:
    return position["quote_asset_amount"] + position["base_asset_amount"] * price // BASE_PRECISION


def active_perp_positions(user: dict[str, Any]) -> list[dict[str, Any]]:
    return [p for p in user["perp_positions"] if p["base_asset_amount"] or p["quote_asset_amount"]
            or p["open_orders"] or p["open_bids"] or p["open_asks"]]  # fmt: skip


def collateral_and_requirement(view: VelocityView, user: dict[str, Any], *, initial: bool) -> tuple[int, int]:
    """(total collateral, margin requirement), both in QUOTE_PRECISION."""
    weight_name = "initial_asset_weight" if initial else "maintenance_asset_weight"
    collateral = 0
    for position in user["spot_positions"]:
        if position["scaled_balance"] == 0:
            continue
        _, market = view.spot_market(position["market_index"])
        amount = token_amount(position, market)
        price = view.oracle_price(market["oracle"])
        value = amount * price // 10 ** market["decimals"]
        collateral += value * market[weight_name] // SPOT_WEIGHT_PRECISION if value > 0 else value
    requirement = 0
    for position in active_perp_positions(user):
        _, market = view.perp_market(position["market_index"])
        price = view.oracle_price(market["oracle"])
        collateral += unrealized_pnl(position, price) + pending_funding(position, market)
        base = position["base_asset_amount"]
        worst = max(abs(base + position["open_bids"]), abs(base + position["open_asks"]))
        ratio = market["margin_ratio_initial" if initial else "margin_ratio_maintenance"]
        requirement += worst * price // BASE_PRECISION * ratio // MARGIN_PRECISION
    return collateral, requirement


def require_initial_margin(view: VelocityView, user: dict[str, Any], what: str) -> None:
    collateral, requirement = collateral_and_requirement(view, user, initial=True)
    if collateral < requirement:
        raise fail(
            "InsufficientCollateral",
            f"{what} needs {requirement / PRICE_PRECISION:.6f} of initial margin; the account has {collateral / PRICE_PRECISION:.6f}",
        )
