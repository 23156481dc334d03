"""Drift's event records, read from the transactions that touched a session's User account.

The program `emit!`s Anchor events as `Program data: <base64>` log lines: an 8-byte
discriminator and the Borsh body of one of the IDL's `events`. They are decoded with
driftpy's IDL and turned into our `ChainRecord`s from the session's side. A record's
index is its position among the Drift program's events in the transaction, so the
same transaction always yields the same (signature, index) keys. Failed transactions
are skipped: their logs describe changes that were rolled back.
"""

import asyncio
import base64
from collections.abc import Callable, Iterator
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from rekt_tui.domain.history import ChainRecord, Ledger, RecordBatch, RecordKind, realized_on_close
from rekt_tui.drift.rpc import JsonRpc

if TYPE_CHECKING:
    from anchorpy.coder.event import EventCoder

DATA_PREFIX = "Program data: "
SIGNATURE_PAGE = 1_000  # getSignaturesForAddress's largest page
HISTORY_BATCH = 100  # transactions read per stored batch
CONCURRENT_READS = 8  # getTransaction calls in flight at once
LIQUIDATION_EXPLANATION = "Liquidation"


@cache
def _events() -> "EventCoder":
    # Loaded on first use: the transaction reads below are shared with the relaunch's adapter,
    # which must not load anchorpy (anchorpy3 would shadow it).
    from anchorpy.coder.event import EventCoder
    from anchorpy_core.idl import Idl

    return EventCoder(Idl.from_json(resources.files("driftpy").joinpath("idl/drift.json").read_text()))


def _variant(value: Any) -> str:
    return type(value).__name__


def drift_events(logs: list[str], program_id: str) -> Iterator[tuple[int, str, Any]]:
    """(index, name, data) of each event the Drift program logged, in order; an event
    the IDL does not know still takes its index, so indexes never shift."""
    stack: list[str] = []
    index = 0
    for line in logs:
        words = line.split(" ", 3)
        # "Program <id> invoke [n]", "Program <id> success", "Program <id> failed: ...";
        # never "Program log: ..." or "Program data: ..." whatever they say.
        framing = len(words) >= 3 and words[0] == "Program" and not words[1].endswith(":")
        if framing and words[2] == "invoke":
            stack.append(words[1])
        elif framing and words[2] in ("success", "failed:") and stack:
            stack.pop()
        elif line.startswith(DATA_PREFIX) and stack and stack[-1] == program_id:
            try:
                event = _events().parse(base64.b64decode(line[len(DATA_PREFIX):], validate=True))
            except Exception:  # not base64, or a body the IDL cannot parse (construct's own errors)
                event = None
            if event is not None:
                yield index, event.name, event.data
            index += 1


def _fill(data: Any, user: str, signature: str, index: int, slot: int) -> ChainRecord | None:
    """A perp or a spot fill from `user`'s side (a spot market's index is no perp market's)."""
    if _variant(data.action) != "Fill" or _variant(data.market_type) not in ("Perp", "Spot"):
        return None
    role = "taker" if data.taker is not None and str(data.taker) == user else None
    if role is None and data.maker is not None and str(data.maker) == user:
        role = "maker"
    if role is None:
        return None
    long = _variant(getattr(data, f"{role}_order_direction")) == "Long"
    size, filled_quote = data.base_asset_amount_filled or 0, data.quote_asset_amount_filled or 0
    base, quote = (size, -filled_quote) if long else (-size, filled_quote)
    fee = (data.taker_fee or 0) if role == "taker" else (data.maker_fee or 0)
    if _variant(data.market_type) == "Spot":  # balances moved, no position: nothing realized
        order_id = getattr(data, f"{role}_order_id") or 0
        return ChainRecord(signature, index, slot, data.ts, RecordKind.SPOT_FILL, data.market_index, base=base,
                           quote=quote, fee=fee, role=role, order_id=order_id)  # fmt: skip
    closed_base = getattr(data, f"{role}_existing_base_asset_amount") or 0
    closed_entry = getattr(data, f"{role}_existing_quote_entry_amount") or 0
    return ChainRecord(
        signature, index, slot, data.ts, RecordKind.FILL, data.market_index, base=base, quote=quote, fee=fee,
        realized_pnl=realized_on_close(base, quote, closed_base, closed_entry), role=role,
        order_id=getattr(data, f"{role}_order_id") or 0,
        liquidation=_variant(data.action_explanation) == LIQUIDATION_EXPLANATION,
    )


def to_record(name: str, data: Any, user: str, signature: str, index: int, slot: int) -> ChainRecord | None:
    """The record from `user`'s side, or None when it is not about `user` (or not kept)."""
    if name == "OrderActionRecord":
        return _fill(data, user, signature, index, slot)
    if str(getattr(data, "user", "")) != user:
        return None
    if name == "FundingPaymentRecord":
        return ChainRecord(signature, index, slot, data.ts, RecordKind.FUNDING, data.market_index,
                           base=data.base_asset_amount, amount=data.funding_payment)  # fmt: skip
    if name == "SettlePnlRecord":
        return ChainRecord(signature, index, slot, data.ts, RecordKind.SETTLE_PNL, data.market_index, amount=data.pnl)
    if name == "DepositRecord":
        kind = RecordKind.WITHDRAWAL if _variant(data.direction) == "Withdraw" else RecordKind.DEPOSIT
        return ChainRecord(signature, index, slot, data.ts, kind, data.market_index, amount=data.amount)
    if name == "LiquidationRecord" and _variant(data.liquidation_type) == "LiquidatePerp":
        perp = data.liquidate_perp
        return ChainRecord(signature, index, slot, data.ts, RecordKind.LIQUIDATION, perp.market_index,
                           base=perp.base_asset_amount, quote=perp.quote_asset_amount,
                           fee=perp.liquidator_fee + perp.if_fee)  # fmt: skip
    return None


def transaction_records(transaction: dict, signature: str, user: str, program_id: str) -> list[ChainRecord]:
    """The records about `user` in one `getTransaction` answer (none for a failed one)."""
    meta = transaction.get("meta") or {}
    if meta.get("err") is not None:
        return []
    slot = int(transaction["slot"])
    records = []
    for index, name, data in drift_events(meta.get("logMessages") or [], program_id):
        record = to_record(name, data, user, signature, index, slot)
        if record is not None:
            records.append(record)
    return records


async def signature_entries(rpc: JsonRpc, address: str, until: str | None) -> list[dict[str, Any]]:
    """getSignaturesForAddress's entries for `address` after `until` (all for None),
    oldest first, finalized only (history must not be undone), failed ones included."""
    found: list[dict[str, Any]] = []
    before = None
    while True:
        config: dict[str, Any] = {"limit": SIGNATURE_PAGE, "commitment": "finalized"}
        if until is not None:
            config["until"] = until
        if before is not None:
            config["before"] = before
        page = await rpc.call("getSignaturesForAddress", [address, config]) or []
        found.extend(page)
        if len(page) < SIGNATURE_PAGE:
            break
        before = page[-1]["signature"]
    found.reverse()
    return found


async def signatures_after(rpc: JsonRpc, address: str, until: str | None) -> list[str]:
    """The successful ones among `signature_entries`: a failed transaction logs no records."""
    return [entry["signature"] for entry in await signature_entries(rpc, address, until) if entry.get("err") is None]


async def fetch_transactions(rpc: JsonRpc, signatures: list[str], encoding: str) -> list[dict[str, Any] | None]:
    """`getTransaction` of each signature at finalized, in order, a few at a time: each read
    retries on its own (429s, timeouts), so a slow one does not hold up the rest."""
    gate = asyncio.Semaphore(CONCURRENT_READS)
    config = {"encoding": encoding, "commitment": "finalized", "maxSupportedTransactionVersion": 0}

    async def read(signature: str) -> dict[str, Any] | None:
        async with gate:
            answer: dict[str, Any] | None = await rpc.call("getTransaction", [signature, config])
            return answer

    return list(await asyncio.gather(*(read(signature) for signature in signatures)))


async def read_records(
    rpc: JsonRpc, user: str, program_id: str, since: str | None, *, max_transactions: int
) -> RecordBatch:
    """The records of at most `max_transactions` transactions after `since`, oldest first."""
    return await read_record_batch(
        rpc, user, since, lambda transaction, signature: transaction_records(transaction, signature, user, program_id),
        max_transactions=max_transactions,
    )  # fmt: skip


async def read_record_batch(
    rpc: JsonRpc, user: str, since: str | None, decode: Callable[[dict[str, Any], str], list[ChainRecord]], *,
    max_transactions: int,
) -> RecordBatch:  # fmt: skip
    """At most `max_transactions` of `user`'s transactions after `since`, oldest first, each
    decoded by the venue's `decode(transaction, signature)`; any venue's records read this way."""
    pending = await signatures_after(rpc, user, since)
    batch = pending[:max_transactions]
    records: list[ChainRecord] = []
    covered: str | None = None
    for signature, transaction in zip(batch, await fetch_transactions(rpc, batch, "json")):
        if transaction is None:  # listed but not served (yet, or pruned): stop before it
            return RecordBatch(records, covered, complete=False)
        records.extend(decode(transaction, signature))
        covered = signature
    return RecordBatch(records, covered, complete=len(pending) <= max_transactions)


def quote_tokens(user: Any, spot_market: Any) -> int:
    """The user's signed token amount in `spot_market`, in integers (driftpy's own helper
    goes through a float): deposits round down, borrows round up, as the program does."""
    precision = 10 ** (19 - spot_market.decimals)
    for position in user.spot_positions:
        if position.market_index == spot_market.market_index and position.scaled_balance:
            if _variant(position.balance_type) == "Borrow":
                return -(-(position.scaled_balance * spot_market.cumulative_borrow_interest) // precision)
            return position.scaled_balance * spot_market.cumulative_deposit_interest // precision
    return 0


def ledger_from_user(user: Any, spot_market: Any, slot: int) -> Ledger:
    """The identity's side of the account: the quote balance and, per perp position, the
    quote it holds beyond its entry (realized, not yet settled)."""
    unsettled = {
        position.market_index: position.quote_asset_amount - position.quote_entry_amount
        for position in user.perp_positions
        if position.quote_asset_amount or position.quote_entry_amount or position.base_asset_amount
    }
    return Ledger(quote_balance=quote_tokens(user, spot_market), unsettled=unsettled, slot=slot)
