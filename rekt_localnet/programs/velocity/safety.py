"""The relaunch's account-safety controls a trader meets, as its IDL documents them.

- Equity floor: an admin sets `User.equity_floor` (and a buffer) with `update_user_equity_floor`;
  a risk-increasing action (withdrawal, order, fill) must leave the account's net equity at
  least floor + buffer, else EquityBelowFloor (6358). 0 disables it.
- Withdraw circuit breaker: once a spot market holds at least `withdraw_guard_threshold`, a
  withdrawal may not take its deposits below its 24 h deposit TWAP less
  `withdraw_circuit_breaker_bps` (0 means 2,500: 25 %), else DailyWithdrawLimit (6128).
- Daily deposit limit: with `max_deposit_bps_per_day` set, and deposits at or above
  `deposit_guard_threshold`, deposits may not rise above the TWAP plus that share, else
  DailyDepositLimit (6364).
"""

from typing import Any

from rekt_localnet.programs.drift.twaps import DAY, time_weighted
from rekt_localnet.runtime.program import InstructionError

from .balances import token_amount
from .errors import fail
from .view import VelocityView

BPS = 10_000
DEFAULT_BREAKER_BPS = 2_500


def market_deposits(market: dict[str, Any]) -> int:
    """Tokens deposited in the market (its scaled deposit balance at the deposit index)."""
    return token_amount({"balance_type": "Deposit", "scaled_balance": market["deposit_balance"]}, market)


def track_deposits(market: dict[str, Any], now: int) -> None:
    """Fold the deposits held until now into the 24 h TWAP (before a deposit or withdrawal)."""
    held = market_deposits(market)
    previous = market["deposit_token_twap"] if market["last_twap_ts"] else held
    market["deposit_token_twap"] = time_weighted(previous, held, market["last_twap_ts"], now, DAY)
    market["last_twap_ts"] = now


def check_withdraw_breaker(market: dict[str, Any]) -> None:
    """After a withdrawal changed the market's deposits."""
    held = market_deposits(market)
    if held < market["withdraw_guard_threshold"]:
        return
    bps = market["withdraw_circuit_breaker_bps"] or DEFAULT_BREAKER_BPS
    least = market["deposit_token_twap"] * (BPS - bps) // BPS
    if held < least:
        raise fail("DailyWithdrawLimit", f"withdrawals today may leave no less than {least} deposited")


def check_deposit_limit(market: dict[str, Any]) -> None:
    """After a deposit changed the market's deposits."""
    bps, held = market["max_deposit_bps_per_day"], market_deposits(market)
    if bps == 0 or held < market["deposit_guard_threshold"]:
        return
    most = market["deposit_token_twap"] * (BPS + bps) // BPS
    if held > most:
        raise fail("DailyDepositLimit", f"deposits today may reach at most {most}")


def check_equity_floor(user: dict[str, Any], equity: int) -> None:
    floor = user["equity_floor"]
    if floor and equity < floor + user["equity_floor_buffer"]:
        raise fail("EquityBelowFloor", f"the account's equity {equity} would be under its floor {floor}")


def update_user_equity_floor(view: VelocityView, accounts: Any, args: dict[str, Any]) -> None:
    state = view.state()
    if not view.is_signer(accounts.admin) or accounts.admin not in (state["warm_admin"], state["cold_admin"]):
        raise InstructionError(2001, "AnchorError caused by account: admin. Error Code: ConstraintHasOne. Error Number: 2001.")
    user = view.get(accounts.user, "User")
    user["equity_floor"], user["equity_floor_buffer"] = args["equity_floor"], args["equity_floor_buffer"]
    view.save(accounts.user)

