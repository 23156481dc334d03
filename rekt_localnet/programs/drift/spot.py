"""Spot balances: token amounts scaled by the market's cumulative interest.

A position stores `scaled_balance` (1e9) and a side (deposit or borrow); the token amount
is `scaled * cumulative_interest / 10^(19 - decimals)`. Deposits round down and borrows
round up, so rounding never creates tokens the vault does not hold.

Interest accrues (`accrue_interest`) whenever an instruction changes a market's
balances, at Drift's utilization curve (driftpy's own rate functions): borrowers'
index grows by the borrow rate, depositors' by the borrow rate times utilization, so
what borrowers owe and what depositors earn stay equal.
"""

from typing import Any

from driftpy.math.spot_balance import calculate_borrow_rate, calculate_deposit_rate

from rekt_localnet.encoding import variant

from .constants import MAX_SPOT_POSITIONS, PERCENTAGE_PRECISION
from .errors import fail

ONE_YEAR = 31_536_000


def _precision(market: Any) -> int:
    return 10 ** (19 - market.decimals)


def is_borrow(position: Any) -> bool:
    return type(position.balance_type).__name__ == "Borrow"


def token_amount(position: Any, market: Any) -> int:
    """Signed token amount of a spot position: negative for a borrow."""
    if is_borrow(position):
        scaled = position.scaled_balance * market.cumulative_borrow_interest
        return scaled // -_precision(market)
    return position.scaled_balance * market.cumulative_deposit_interest // _precision(market)


def _scaled(amount: int, interest: int, market: Any, round_up: bool) -> int:
    numerator = amount * _precision(market)
    return -(-numerator // interest) if round_up else numerator // interest


def find_position(user: Any, market_index: int) -> Any | None:
    for position in user.spot_positions:
        if position.market_index == market_index and (position.scaled_balance or position.open_orders):
            return position
    return None


def position_for(user: Any, market_index: int) -> Any:
    """The user's position in the market, taking a free slot if there is none."""
    existing = find_position(user, market_index)
    if existing is not None:
        return existing
    for position in user.spot_positions[:MAX_SPOT_POSITIONS]:
        if position.scaled_balance == 0 and position.open_orders == 0:
            position.market_index = market_index
            position.balance_type = variant(position.balance_type, "Deposit")
            position.open_bids = position.open_asks = position.cumulative_deposits = 0
            return position
    raise fail("NoSpotPositionAvailable", "all spot position slots are in use")


def change_balance(position: Any, market: Any, delta: int) -> None:
    """Add `delta` tokens (negative: take them away) to a position, moving it between the
    deposit and borrow sides as it crosses zero, and keep the market's totals in step."""
    before = token_amount(position, market)
    after = before + delta
    _remove_from_market(position, market)
    if after >= 0:
        position.balance_type = variant(position.balance_type, "Deposit")
        position.scaled_balance = _scaled(after, market.cumulative_deposit_interest, market, round_up=False)
        market.deposit_balance += position.scaled_balance
    else:
        position.balance_type = variant(position.balance_type, "Borrow")
        position.scaled_balance = _scaled(-after, market.cumulative_borrow_interest, market, round_up=True)
        market.borrow_balance += position.scaled_balance


def _remove_from_market(position: Any, market: Any) -> None:
    if is_borrow(position):
        market.borrow_balance -= position.scaled_balance
    else:
        market.deposit_balance -= position.scaled_balance


def accrue_interest(market: Any, now: int) -> None:
    """Bring the market's cumulative interest indexes up to `now`."""
    elapsed = now - market.last_interest_ts
    if elapsed <= 0:
        return
    period = ONE_YEAR * PERCENTAGE_PRECISION
    borrow = market.cumulative_borrow_interest * calculate_borrow_rate(market) * elapsed
    deposit = market.cumulative_deposit_interest * calculate_deposit_rate(market) * elapsed
    market.cumulative_borrow_interest += -(-borrow // period)
    market.cumulative_deposit_interest += deposit // period
    market.last_interest_ts = now
