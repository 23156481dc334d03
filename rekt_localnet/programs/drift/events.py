"""Drift's event records, logged as `Program data: <base64>` lines the way the program emits them.

The real program `emit!`s Anchor events: an 8-byte discriminator (sha256 of
`event:<Name>`) and the Borsh body, as laid out in driftpy's IDL `events`. The localnet
emits the same records for the same effects (fills, funding payments, PnL settlements,
deposits and withdrawals, liquidations), so one parser reads the localnet's and
mainnet's transaction logs. Records start from the all-zero record (options `None`,
enums at their first variant) and set the fields the program fills in.
"""

import dataclasses
from functools import cache
from typing import Any

from anchorpy.coder.event import _event_discriminator
from solders.pubkey import Pubkey

from rekt_localnet.encoding import drift_coder

from .funding import settle_funding
from .view import DriftView

_ZEROS = bytes(4096)


@cache
def _blank(name: str) -> Any:
    return drift_coder().events.layouts[name].parse(_ZEROS)


def variant(enum_name: str, index: int) -> Any:
    """The unit variant `index` of one of the IDL's enums (e.g. PositionDirection 1: Short)."""
    return drift_coder().types.decode(enum_name, bytes([index]))


def blank_type(type_name: str) -> Any:
    """An all-zero value of one of the IDL's structs, ready for `dataclasses.replace`."""
    return drift_coder().types.decode(type_name, _ZEROS)


def encode_event(name: str, **fields: Any) -> bytes:
    """Discriminator and Borsh body of the event `name` with `fields` set."""
    record = dataclasses.replace(_blank(name), **fields)
    return _event_discriminator(name) + drift_coder().events.layouts[name].build(record)


def emit(view: DriftView, name: str, **fields: Any) -> None:
    """Log the event as the program's `emit!` does."""
    view.ctx.log_data(encode_event(name, **fields))


def direction(long: bool) -> Any:
    return variant("PositionDirection", 0 if long else 1)


SPOT, PERP = 0, 1  # MarketType
FILL = 2  # OrderAction: Place, Cancel, Fill, Trigger, Expire
EXPLAIN_LIQUIDATION, EXPLAIN_AMM, EXPLAIN_MATCH = 5, 6, 8  # OrderActionExplanation


@dataclasses.dataclass(frozen=True, slots=True)
class FillSide:
    """One user's side of a fill as the record states it: the order, and how much of an
    existing position the fill closed (its base and the quote entry it removed)."""

    key: Pubkey
    order_id: int
    long: bool
    order_base: int
    order_filled_base: int
    order_filled_quote: int
    closed_base: int
    closed_entry: int  # absolute quote entry of the closed part, 1e6


def emit_fill(
    view: DriftView,
    market: Any,
    *,
    base: int,
    quote: int,
    taker: FillSide,
    maker: FillSide | None,
    taker_fee: int,
    maker_fee: int,
    oracle: int,
    explanation: int,
    spot: bool = False,
) -> None:
    """An OrderActionRecord of action Fill: both sides, the fees, and the entry each closed.

    `market` is a perp market, or with `spot` a spot market (its own fill record ids). A spot
    match, as the program's `fulfill_spot_order_with_match` records it, states no existing
    position (a spot fill moves balances, not an entry) and a zero surplus and method fee."""
    fill_id = market.next_fill_record_id
    market.next_fill_record_id += 1
    fields: dict[str, Any] = {
        "ts": view.ctx.clock.unix_timestamp,
        "action": variant("OrderAction", FILL),
        "action_explanation": variant("OrderActionExplanation", explanation),
        "market_index": market.market_index,
        "market_type": variant("MarketType", SPOT if spot else PERP),
        "fill_record_id": fill_id,
        "base_asset_amount_filled": base,
        "quote_asset_amount_filled": quote,
        "taker_fee": taker_fee,
        "oracle_price": oracle,
    }
    if spot:
        fields.update(quote_asset_amount_surplus=0, spot_fulfillment_method_fee=0)
    fields.update(_side("taker", taker))
    if maker is not None:
        fields.update(_side("maker", maker))
        fields["maker_fee"] = maker_fee
    emit(view, "OrderActionRecord", **fields)


def _side(role: str, side: FillSide) -> dict[str, Any]:
    return {
        role: side.key,
        f"{role}_order_id": side.order_id,
        f"{role}_order_direction": direction(side.long),
        f"{role}_order_base_asset_amount": side.order_base,
        f"{role}_order_cumulative_base_asset_amount_filled": side.order_filled_base,
        f"{role}_order_cumulative_quote_asset_amount_filled": side.order_filled_quote,
        f"{role}_existing_quote_entry_amount": side.closed_entry if side.closed_base else None,
        f"{role}_existing_base_asset_amount": side.closed_base if side.closed_base else None,
    }


def emit_funding_payment(view: DriftView, key: Pubkey, user: Any, market: Any, payment: int, base: int,
                         last_rate: int) -> None:
    """A FundingPaymentRecord: what a position paid (negative) or received when it settled."""
    emit(
        view, "FundingPaymentRecord",
        ts=view.ctx.clock.unix_timestamp, user_authority=user.authority, user=key,
        market_index=market.market_index, funding_payment=payment, base_asset_amount=base,
        user_last_cumulative_funding=last_rate,
        amm_cumulative_funding_long=market.amm.cumulative_funding_rate_long,
        amm_cumulative_funding_short=market.amm.cumulative_funding_rate_short,
    )


def settle_funding_recorded(view: DriftView, key: Pubkey, user: Any, position: Any, market: Any) -> int:
    """Settle the position's funding and, as the program does whenever an open position's
    rate moved, record the payment."""
    base, last_rate = position.base_asset_amount, position.last_cumulative_funding_rate
    payment = settle_funding(user, position, market)
    if base and position.last_cumulative_funding_rate != last_rate:
        emit_funding_payment(view, key, user, market, payment, base, last_rate)
    return payment


def emit_settle_pnl(view: DriftView, key: Pubkey, position: Any, pnl: int, price: int) -> None:
    emit(
        view, "SettlePnlRecord",
        ts=view.ctx.clock.unix_timestamp, user=key, market_index=position.market_index, pnl=pnl,
        base_asset_amount=position.base_asset_amount, quote_asset_amount_after=position.quote_asset_amount,
        quote_entry_amount=position.quote_entry_amount, settle_price=price,
    )


def emit_deposit(view: DriftView, key: Pubkey, user: Any, market: Any, amount: int, withdraw: bool,
                 oracle: int) -> None:
    """A DepositRecord for a deposit or a withdrawal of `amount` tokens."""
    record_id = market.next_deposit_record_id
    market.next_deposit_record_id += 1
    emit(
        view, "DepositRecord",
        ts=view.ctx.clock.unix_timestamp, user_authority=user.authority, user=key,
        direction=variant("DepositDirection", 1 if withdraw else 0), deposit_record_id=record_id,
        amount=amount, market_index=market.market_index, oracle_price=oracle,
        market_deposit_balance=market.deposit_balance, market_withdraw_balance=market.borrow_balance,
        market_cumulative_deposit_interest=market.cumulative_deposit_interest,
        market_cumulative_borrow_interest=market.cumulative_borrow_interest,
        total_deposits_after=user.total_deposits, total_withdraws_after=user.total_withdraws,
    )


def emit_perp_liquidation(view: DriftView, key: Pubkey, liquidator: Pubkey, user: Any, market: Any, *,
                          oracle: int, base: int, quote: int, fill_id: int, liquidator_fee: int, if_fee: int,
                          margin_requirement: int, total_collateral: int) -> None:
    """A LiquidationRecord of type LiquidatePerp (`base` and `quote` signed, the user's change)."""
    perp = dataclasses.replace(
        blank_type("LiquidatePerpRecord"), market_index=market.market_index, oracle_price=oracle,
        base_asset_amount=base, quote_asset_amount=quote, fill_record_id=fill_id,
        liquidator_fee=liquidator_fee, if_fee=if_fee,
    )
    emit(
        view, "LiquidationRecord",
        ts=view.ctx.clock.unix_timestamp, liquidation_type=variant("LiquidationType", 0), user=key,
        liquidator=liquidator, margin_requirement=margin_requirement, total_collateral=total_collateral,
        liquidation_id=user.next_liquidation_id, canceled_order_ids=[], liquidate_perp=perp,
    )
