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


def _order_id(order_id: int) -> int:
    """Records carry a u32 order id; a book order's id is u64 (its low 32 bits are logged)."""
    return order_id & 0xFFFF_FFFF


def emit_order_action(
    view: VelocityView, action: str, order: Any, market_index: int, *, maker: Pubkey, explanation: str = "None"
) -> None:
    """A resting order placed on or taken off the book (`order` is a `book.RestingOrder`)."""
    emit(
        view, "OrderActionRecord", action=action, action_explanation=explanation, market_index=market_index,
        market_type="Perp", maker=maker, maker_order_id=_order_id(order.order_id), maker_order_direction=order.direction,
        maker_order_base_asset_amount=order.base_original,
        maker_order_cumulative_base_asset_amount_filled=order.base_original - order.base_remaining,
    )  # fmt: skip


def emit_fill(
    view: VelocityView, market: dict[str, Any], *, taker: Pubkey, taker_order: dict[str, Any], maker: Pubkey,
    maker_order: Any, base: int, quote: int, taker_fee: int, maker_rebate: int, referrer_reward: int, oracle_price: int,
    taker_closed: tuple[int, int], maker_closed: tuple[int, int],
) -> None:
    """A match's OrderActionRecord. `*_closed` is (base, absolute quote entry) of the position
    the fill reduced on that side, `positions.apply_fill`'s answer: the record carries them as
    `*_existing_base_asset_amount` / `*_existing_quote_entry_amount`, None when nothing closed,
    and the history reads realized PnL from them."""
    market["next_fill_record_id"] += 1
    emit(
        view, "OrderActionRecord", action="Fill", action_explanation="OrderFilledWithMatch",
        market_index=market["market_index"], market_type="Perp", fill_record_id=market["next_fill_record_id"],
        base_asset_amount_filled=base, quote_asset_amount_filled=quote, taker_fee=taker_fee, maker_fee=-maker_rebate,
        referrer_reward=referrer_reward,
        taker=taker, taker_order_id=taker_order["order_id"], taker_order_direction=taker_order["direction"],
        taker_order_base_asset_amount=taker_order["base_asset_amount"],
        taker_order_cumulative_base_asset_amount_filled=taker_order["base_asset_amount_filled"],
        taker_order_cumulative_quote_asset_amount_filled=taker_order["quote_asset_amount_filled"],
        maker=maker, maker_order_id=_order_id(maker_order.order_id), maker_order_direction=maker_order.direction,
        maker_order_base_asset_amount=maker_order.base_original,
        maker_order_cumulative_base_asset_amount_filled=maker_order.base_original - maker_order.base_remaining,
        oracle_price=oracle_price, **_existing("taker", taker_closed), **_existing("maker", maker_closed),
    )  # fmt: skip


def _existing(role: str, closed: tuple[int, int]) -> dict[str, int | None]:
    base, entry = closed
    return {f"{role}_existing_base_asset_amount": base or None,
            f"{role}_existing_quote_entry_amount": entry if base else None}  # fmt: skip
