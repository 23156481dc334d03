"""The relaunched program's event records, read from the transactions that touched the User.

The transactions are listed and fetched as for Drift (`drift.records`' signature and
transaction reads, venue-neutral); their `Program data:` lines are decoded by our codec and
turned into `ChainRecord`s from the session's side. A record's index is its position among the
program's events in the transaction. Failed transactions are skipped (their logs were rolled back).
A fill's realized PnL comes from the record's `*_existing_base_asset_amount` and
`*_existing_quote_entry_amount` (what the fill closed of the position and that part's entry),
as on Drift (`domain.history.realized_on_close`); funding from its FundingPaymentRecords.
"""

from __future__ import annotations

from typing import Any

from rekt_tui.domain.history import ChainRecord, Ledger, RecordBatch, RecordKind, realized_on_close
from rekt_tui.drift.records import read_record_batch
from rekt_tui.drift.rpc import JsonRpc
from rekt_tui.velocity.book_orders import venue_order_id
from rekt_tui.velocity.chain_view import ChainView
from rekt_tui.velocity.codec.binary import CodecError, Value
from rekt_tui.velocity.codec.program import VelocityProgram
from rekt_tui.velocity.layouts import QUOTE_MARKET_INDEX

HISTORY_BATCH = 100


def _i(fields: dict[str, Value], name: str) -> int:
    value = fields.get(name)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _fill(f: dict[str, Value], user: str, signature: str, index: int, slot: int) -> ChainRecord | None:
    """A perp or a spot fill from `user`'s side. This program has no spot order instruction, so
    no spot fill is expected here, but one the record states is kept apart from the perp ones."""
    if f.get("action") != "Fill" or f.get("market_type") not in ("Perp", "Spot"):
        return None
    role = "taker" if str(f.get("taker")) == user else "maker" if str(f.get("maker")) == user else None
    if role is None:
        return None
    long = f.get(f"{role}_order_direction") == "Long"
    size, filled = _i(f, "base_asset_amount_filled"), _i(f, "quote_asset_amount_filled")
    base, quote = (size, -filled) if long else (-size, filled)
    fee = _i(f, "taker_fee") if role == "taker" else _i(f, "maker_fee")
    if f.get("market_type") == "Spot":
        return ChainRecord(signature, index, slot, _i(f, "ts"), RecordKind.SPOT_FILL, _i(f, "market_index"),
                           base=base, quote=quote, fee=fee, role=role, order_id=_i(f, f"{role}_order_id"))  # fmt: skip
    closed_base, closed_entry = _i(f, f"{role}_existing_base_asset_amount"), _i(f, f"{role}_existing_quote_entry_amount")
    order_id = _i(f, f"{role}_order_id")
    if role == "maker":  # a maker's order rests on a book: named as the venue names book orders
        order_id = venue_order_id(_i(f, "market_index"), order_id)
    return ChainRecord(
        signature, index, slot, _i(f, "ts"), RecordKind.FILL, _i(f, "market_index"), base=base, quote=quote, fee=fee,
        realized_pnl=realized_on_close(base, quote, closed_base, closed_entry), role=role,
        order_id=order_id, liquidation=f.get("action_explanation") == "Liquidation",
    )  # fmt: skip


def to_record(name: str, f: dict[str, Value], user: str, signature: str, index: int, slot: int) -> ChainRecord | None:
    if name == "OrderActionRecord":
        return _fill(f, user, signature, index, slot)
    if str(f.get("user")) != user:
        return None
    ts, market = _i(f, "ts"), _i(f, "market_index")
    if name == "FundingPaymentRecord":
        return ChainRecord(signature, index, slot, ts, RecordKind.FUNDING, market,
                           base=_i(f, "base_asset_amount"), amount=_i(f, "funding_payment"))  # fmt: skip
    if name == "SettlePnlRecord":
        return ChainRecord(signature, index, slot, ts, RecordKind.SETTLE_PNL, market, amount=_i(f, "pnl"))
    if name == "DepositRecord":
        kind = RecordKind.WITHDRAWAL if f.get("direction") == "Withdraw" else RecordKind.DEPOSIT
        return ChainRecord(signature, index, slot, ts, kind, market, amount=_i(f, "amount"))
    perp = f.get("liquidate_perp")
    if name == "LiquidationRecord" and f.get("liquidation_type") == "LiquidatePerp" and isinstance(perp, dict):
        return ChainRecord(signature, index, slot, ts, RecordKind.LIQUIDATION, _i(perp, "market_index"),
                           base=_i(perp, "base_asset_amount"), quote=_i(perp, "quote_asset_amount"),
                           fee=_i(perp, "liquidator_fee") + _i(perp, "if_fee"))  # fmt: skip
    return None


def transaction_records(program: VelocityProgram, transaction: dict[str, Any], signature: str, user: str) -> list[ChainRecord]:
    meta = transaction.get("meta") or {}
    if meta.get("err") is not None:
        return []
    slot = int(transaction["slot"])
    try:
        events = program.events.from_logs(meta.get("logMessages") or [])
    except CodecError:
        return []
    records = []
    for index, event in enumerate(events):
        record = to_record(event.name, event.fields, user, signature, index, slot)
        if record is not None:
            records.append(record)
    return records


async def read_records(
    rpc: JsonRpc, program: VelocityProgram, user: str, since: str | None, *, max_transactions: int
) -> RecordBatch:
    return await read_record_batch(
        rpc, user, since, lambda transaction, signature: transaction_records(program, transaction, signature, user),
        max_transactions=max_transactions,
    )  # fmt: skip


def ledger_of(view: ChainView) -> Ledger | None:
    """The quote balance and each perp position's quote beyond its entry (realized, unsettled)."""
    user = view.user
    if user is None:
        return None
    quote = view.spots.get(QUOTE_MARKET_INDEX)
    balance = 0
    if quote is not None:
        held = next((p for p in user.spot_positions if p.market_index == QUOTE_MARKET_INDEX and p.scaled_balance), None)
        balance = quote.token_amount(held) if held else 0
    unsettled = {
        p.market_index: p.quote_asset_amount - p.quote_entry_amount
        for p in user.perp_positions if p.quote_asset_amount or p.quote_entry_amount or p.base_asset_amount
    }  # fmt: skip
    return Ledger(quote_balance=balance, unsettled=unsettled, slot=view.user_slot or 0)
