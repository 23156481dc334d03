"""Events as the relaunched program emits them: `Program data:` lines in the IDL's encoding."""

from typing import Any

from solders.pubkey import Pubkey

from .codec import blank_event, encode_event
from .view import VelocityView


def emit(view: VelocityView, name: str, **fields: Any) -> None:
    """Log event `name` (Anchor's `emit!`); fields left out are zero or None."""
    value = blank_event(name)
    unknown = set(fields) - set(value)
    assert not unknown, f"{name} has no fields {unknown}"
    value.update(ts=view.ctx.clock.unix_timestamp, **fields)
    view.ctx.log_data(encode_event(name, value))


def emit_deposit(
    view: VelocityView, user_key: Pubkey, user: dict[str, Any], market: dict[str, Any], amount: int,
    withdraw: bool, oracle_price: int, token_amount_after: int,
) -> None:
    market["next_deposit_record_id"] += 1
    emit(
        view, "DepositRecord", user_authority=user["authority"], user=user_key,
        direction="Withdraw" if withdraw else "Deposit", deposit_record_id=market["next_deposit_record_id"],
        amount=amount, market_index=market["market_index"], oracle_price=oracle_price,
        market_deposit_balance=market["deposit_balance"], market_withdraw_balance=market["borrow_balance"],
        market_cumulative_deposit_interest=market["cumulative_deposit_interest"],
        market_cumulative_borrow_interest=market["cumulative_borrow_interest"],
        total_deposits_after=user["total_deposits"], total_withdraws_after=user["total_withdraws"],
        user_token_amount_after=token_amount_after,
    )  # fmt: skip
