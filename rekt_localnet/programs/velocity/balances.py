"""Spot balances in the relaunch's User layout: scaled by each market's cumulative interest.

The localnet accrues no interest (the index stays at 1.0) and opens no borrows, so a token
amount is exactly `scaled * interest / 10^(19 - decimals)`; the arithmetic is kept general so
an index other than 1.0 still rounds in the vault's favour.
"""

from typing import Any

from .errors import fail


def _precision(market: dict[str, Any]) -> int:
    return 10 ** (19 - market["decimals"])


def token_amount(position: dict[str, Any], market: dict[str, Any]) -> int:
    """Signed token amount of a spot position (negative for a borrow)."""
    if position["balance_type"] == "Borrow":
        return -(-position["scaled_balance"] * market["cumulative_borrow_interest"] // _precision(market))
    return position["scaled_balance"] * market["cumulative_deposit_interest"] // _precision(market)


def find_position(user: dict[str, Any], market_index: int) -> dict[str, Any] | None:
    for position in user["spot_positions"]:
        if position["market_index"] == market_index and (position["scaled_balance"] or position["open_orders"]):
            return position
    return None


def position_for(user: dict[str, Any], market_index: int) -> dict[str, Any]:
    """The user's position in the market, taking a free slot if there is none."""
    existing = find_position(user, market_index)
    if existing is not None:
        return existing
    for position in user["spot_positions"]:
        if position["scaled_balance"] == 0 and position["open_orders"] == 0:
            position.update(market_index=market_index, balance_type="Deposit", cumulative_deposits=0)
            return position
    raise fail("NoSpotPositionAvailable", "every spot position slot is taken")


def change_deposit(position: dict[str, Any], market: dict[str, Any], amount: int) -> None:
    """Add (or, negative, remove) `amount` tokens of deposit; never opens a borrow."""
    interest = market["cumulative_deposit_interest"]
    if amount >= 0:
        scaled = amount * _precision(market) // interest
        position["scaled_balance"] += scaled
        market["deposit_balance"] += scaled
        return
    held = token_amount(position, market)
    if -amount > held:
        raise fail("InsufficientCollateral", f"the account holds {held}, {-amount} asked")
    scaled = -(-(-amount) * _precision(market) // interest)
    scaled = min(scaled, position["scaled_balance"])
    position["scaled_balance"] -= scaled
    market["deposit_balance"] -= scaled
