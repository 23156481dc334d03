"""The registry's order rows and the chain's open orders, kept in step.

A row is written `pending` before its transaction is signed, so a crash anywhere leaves
something to reconcile. What the chain shows decides the row: an order found by its
`user_order_id` is open (adopted, R3); one no longer there has ended; one whose
transaction never landed has failed. Drift reuses user_order_ids once an order ends,
so only live rows are matched.
"""

import json
import time

from rekt_tui.domain.records import (
    UNRESOLVED_TRANSACTION_STATUSES,
    OrderRecord,
    OrderStatus,
    TransactionRecord,
    TransactionStatus,
)
from rekt_tui.domain.trading import Order
from rekt_tui.registry import Registry
from rekt_tui.registry.core import UNSET, Update
from rekt_tui.services.link import SessionLink

# Transaction kinds that place an order; their intent names the order row as "order".
ORDER_KINDS = frozenset({"place_order", "place_orders", "close_position"})


def ended_status(record: OrderRecord) -> OrderStatus:
    """An order gone from the chain: expired if its max_ts has passed, else filled.

    The account does not say why an order left; a cancel we sent is recorded as such
    when it lands, and the keeper removes expired orders, so what remains is a fill.
    """
    return OrderStatus.EXPIRED if record.max_ts is not None and time.time() >= record.max_ts else OrderStatus.FILLED


async def settle_row(
    registry: Registry, record: OrderRecord, chain_orders: tuple[Order, ...], signature: str | None = None,
    filled: int | None = None, complete: bool = True,
) -> OrderRecord:
    """Mark a row whose transaction landed: open with its chain id, or already ended. `filled`:
    what the transaction's events say the order filled, where the venue ends a taker at once
    (nothing filled: cancelled, never assumed filled). `complete` False: `chain_orders` may lack
    orders the venue could not read, so an order not among them keeps its status."""
    on_chain = _match(record, chain_orders)
    known: Update[str | None] = UNSET if signature is None else signature  # never erase a recorded one
    if on_chain is not None:
        return await registry.update_order(
            record.id, status=OrderStatus.OPEN, chain_order_id=on_chain.order_id, transaction_signature=known
        )
    if filled is None and not complete:
        return await registry.update_order(record.id, transaction_signature=known)
    ended = ended_status(record) if filled is None else OrderStatus.FILLED if filled else OrderStatus.CANCELLED
    return await registry.update_order(record.id, status=ended, transaction_signature=known)


def _match(record: OrderRecord, chain_orders: tuple[Order, ...]) -> Order | None:
    return next(
        (
            o for o in chain_orders
            if (o.user_order_id, o.market_type, o.market_index) == (
                record.user_order_id, record.market_type, record.market_index
            )
        ),
        None,
    )  # fmt: skip


def _transaction_of(record: OrderRecord, transactions: list[TransactionRecord]) -> TransactionRecord | None:
    """The newest transaction (a rebuild comes after what it replaces) placing this row."""
    for tx in transactions:  # newest first
        intent = json.loads(tx.intent)
        if tx.kind in ORDER_KINDS and record.id in (intent.get("order"), *intent.get("orders", ())):
            return tx
    return None


async def adopt_orders(registry: Registry, link: SessionLink) -> list[OrderRecord]:
    """Bring the session's order rows in line with the chain; returns the rows changed.

    - a live row whose order is on chain: open, with its chain order id (adopted);
    - a pending row whose transaction is still unresolved: left for the sender's resume;
    - a pending row whose transaction failed, expired or was never signed: failed;
    - a live row whose transaction landed but whose order is gone: ended;
    - an open order on chain with no row (placed elsewhere): recorded and open.
    """
    snapshot = link.venue.snapshot()
    if snapshot is None:
        return []
    pubkey = link.session.pubkey
    transactions = await registry.list_transactions(pubkey)
    unmatched = list(snapshot.orders)
    changed = []
    for record in await registry.list_open_orders(pubkey):
        on_chain = _match(record, snapshot.orders)
        if on_chain is not None:
            unmatched.remove(on_chain)
            if record.status is not OrderStatus.OPEN or record.chain_order_id != on_chain.order_id:
                changed.append(await settle_row(registry, record, snapshot.orders, _signature(record, transactions)))
            continue
        tx = _transaction_of(record, transactions)
        if record.status is OrderStatus.PENDING and tx is not None and tx.status in UNRESOLVED_TRANSACTION_STATUSES:
            continue
        if record.status is OrderStatus.PENDING and (tx is None or tx.status is not TransactionStatus.CONFIRMED):
            signature = None if tx is None else tx.signature
            failed = await registry.update_order(record.id, status=OrderStatus.FAILED, transaction_signature=signature)
            changed.append(failed)
            continue
        if snapshot.orders_unread is not None:
            continue  # gone from a list known to be incomplete: not evidence that it ended
        if (cancel := _cancel_of(record, transactions)) is not None:  # ours landed before its own row update
            changed.append(await settle_row(registry, record, snapshot.orders, cancel.signature, filled=0))
            continue
        changed.append(await settle_row(registry, record, snapshot.orders, _signature(record, transactions)))
    for order in unmatched:
        if order.user_order_id == 0:
            continue  # placed without an id (not by rekt-tui): nothing to match or record it by
        changed.append(await _record_foreign(registry, pubkey, order))
    return changed


def _cancel_of(record: OrderRecord, transactions: list[TransactionRecord]) -> TransactionRecord | None:
    """A cancel of ours, landed or in flight, that names this order: an order gone with one
    ended cancelled, not filled (the account does not say why an order left)."""
    if record.chain_order_id is None:
        return None
    for tx in transactions:
        if "cancel" not in tx.kind or tx.created_at < record.created_at:
            continue
        if tx.status is not TransactionStatus.CONFIRMED and tx.status not in UNRESOLVED_TRANSACTION_STATUSES:
            continue
        if record.chain_order_id in (cancelled_ids(tx) or ()):
            return tx
    return None


def cancelled_ids(tx: TransactionRecord) -> frozenset[int] | None:
    """The venue order ids a cancel transaction of ours names (None: it names none, so all of
    them); an empty set for any other kind."""
    if "cancel" not in tx.kind:
        return frozenset()
    intent = json.loads(tx.intent)
    named = intent.get("orders") or intent.get("order_ids")
    return frozenset(named) if named else None


def _signature(record: OrderRecord, transactions: list[TransactionRecord]) -> str | None:
    if record.transaction_signature is not None:
        return record.transaction_signature
    tx = _transaction_of(record, transactions)
    return tx.signature if tx is not None and tx.status is TransactionStatus.CONFIRMED else None


async def _record_foreign(registry: Registry, pubkey: str, order: Order) -> OrderRecord:
    record = await registry.add_order(
        pubkey, user_order_id=order.user_order_id, market_type=order.market_type, market_index=order.market_index,
        direction=order.direction, order_type=order.order_type, base_amount=order.base_amount,
        price=order.price or None, trigger_price=order.trigger_price, reduce_only=order.reduce_only,
        post_only=order.post_only, max_ts=order.max_ts,
    )  # fmt: skip
    return await registry.update_order(record.id, status=OrderStatus.OPEN, chain_order_id=order.order_id)
