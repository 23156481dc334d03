"""Sending an order, and closing a position: one path for the dashboard, the CLI and the teardown.

An order's registry row is written `pending` before its transaction is signed; the
transaction lands through our sender; the chain then decides the row (open with its
chain id, or already ended). A transaction that failed or provably expired marks the
row failed; anything else leaves it for `adopt_orders`, which asks the chain, so a row
never claims less than what may have happened. Where the venue ends a taker at once (the
relaunch), the transaction's fill events say whether it filled: never assumed from its absence.
A refusal while building, before anything is signed, marks the rows failed.

A close is a reduce-only market order for exactly the size the chain holds, the other
way: it can only lower risk, and repeating one is harmless.
"""

import time
from collections.abc import Awaitable, Callable, Sequence

from rekt_tui.domain.errors import AfterSigning, RektError
from rekt_tui.domain.markets import format_base
from rekt_tui.domain.orders import OrderKind, OrderRequest, auction_for, free_user_order_id
from rekt_tui.domain.records import Direction, OrderRecord, OrderStatus
from rekt_tui.domain.trading import Position
from rekt_tui.drift.errors import TransactionExpired, TransactionFailed
from rekt_tui.services.landing import Intent, land, record_balances_after_landing
from rekt_tui.services.link import SessionLink
from rekt_tui.services.models import PlacedOrder
from rekt_tui.services.order_book import settle_row
from rekt_tui.services.venue import Transaction


async def taken_user_order_ids(link: SessionLink) -> set[int]:
    """Ids held by live orders on chain or in the registry (a pending row may still land)."""
    snapshot = link.venue.snapshot()
    on_chain = {o.user_order_id for o in snapshot.orders} if snapshot is not None else set()
    return on_chain | {r.user_order_id for r in await link.registry.list_open_orders(link.pubkey)}


# Runs once the rows are written and before anything is signed (a waiting bracket records itself there).
RowsWritten = Callable[[list[OrderRecord]], Awaitable[None]]


async def send_order(
    link: SessionLink, kind: str, request: OrderRequest, transaction: Transaction, extra: Intent | None = None,
    rows_written: RowsWritten | None = None,
) -> PlacedOrder:
    """Write the row, send, and let the result decide the row."""
    [placed] = await send_orders(link, kind, [request], transaction, extra, rows_written)
    return placed


async def send_orders(
    link: SessionLink, kind: str, requests: Sequence[OrderRequest], transaction: Transaction,
    extra: Intent | None = None, rows_written: RowsWritten | None = None,
) -> list[PlacedOrder]:  # fmt: skip
    """Write a row for each order one transaction places (an entry and its bracket), send,
    and let the result decide every row."""
    records = [
        await link.registry.add_order(
            link.pubkey, user_order_id=request.user_order_id, market_type=request.market.market_type,
            market_index=request.market.market_index, direction=request.direction, order_type=request.order_type,
            base_amount=request.base_amount, price=request.price, trigger_price=request.trigger_price,
            reduce_only=request.reduce_only, post_only=request.post_only, max_ts=request.max_ts or None,
        )  # fmt: skip
        for request in requests
    ]
    first = requests[0]
    intent: Intent = {
        **(extra or {}), "order": records[0].id, "user_order_id": first.user_order_id, "market": first.market.symbol,
        "direction": first.direction.value, "order_type": first.order_type.value,
        "base_amount": first.base_amount, "reduce_only": first.reduce_only,
    }  # fmt: skip
    if len(records) > 1:
        intent["orders"] = [record.id for record in records]
    if rows_written is not None:
        await rows_written(records)
    try:
        landed = await land(link, kind, intent, transaction)
    except TransactionFailed as error:
        for record in records:
            await link.registry.update_order(
                record.id, status=OrderStatus.FAILED, transaction_signature=error.signature
            )
        raise
    except TransactionExpired:
        for record in records:
            await link.registry.update_order(record.id, status=OrderStatus.FAILED)
        raise
    except AfterSigning:
        raise
    except RektError:  # refused while building, before anything was signed
        for record in records:
            await link.registry.update_order(record.id, status=OrderStatus.FAILED)
        raise
    snapshot = link.venue.snapshot()
    chain_orders = snapshot.orders if snapshot else ()
    fills = await link.venue.taker_fills(landed.signature)
    settled = [
        await settle_row(link.registry, record, chain_orders, landed.signature,
                         None if fills is None or record.trigger_price is not None else fills.get(record.market_index),
                         complete=snapshot is None or snapshot.orders_unread is None)
        for record in records
    ]  # fmt: skip
    await record_balances_after_landing(link)
    return [PlacedOrder(record, landed.signature) for record in settled]


async def close_position(
    link: SessionLink, position: Position, *, slippage_bps: int, auction_s: int, expiry_s: int,
    taken: set[int], extra: Intent | None = None, percent: int = 100,
) -> tuple[OrderRequest, PlacedOrder]:  # fmt: skip
    """Close `percent` of `position` with a reduce-only market order auctioned within
    `slippage_bps` of its oracle over `auction_s`, expiring after `expiry_s`; `taken` gains
    its user_order_id."""
    request, auction = close_request(link, position, slippage_bps=slippage_bps, auction_s=auction_s,
                                     expiry_s=expiry_s, taken=taken, percent=percent)  # fmt: skip
    transaction = link.venue.close_position(
        position.market_index, user_order_id=request.user_order_id, max_ts=request.max_ts or 0, auction=auction,
        base_amount=None if percent == 100 else request.base_amount,
    )
    return request, await send_order(link, "close_position", request, transaction, extra)


def close_request(
    link: SessionLink, position: Position, *, slippage_bps: int, auction_s: int, expiry_s: int, taken: set[int],
    percent: int = 100,
) -> tuple[OrderRequest, tuple[int, int, int]]:
    """The reduce-only market order that takes `percent` of `position` (all of it: to zero), and its auction."""
    spec = next((s for s in link.venue.market_specs().values() if s.market_index == position.market_index), None)
    if spec is None:
        raise RektError(f"Perp market {position.market_index} does not exist on this cluster.")
    size = position.size if percent == 100 else position.size * percent // 100 // spec.step_size * spec.step_size
    if not 0 < percent <= 100 or size < spec.min_order_size:
        raise RektError(
            f"{percent}% of the {position.symbol} position is below its minimum order of "
            f"{format_base(spec.min_order_size, spec)}; close a larger share."
        )
    direction = Direction.SHORT if position.base_amount > 0 else Direction.LONG
    user_order_id = free_user_order_id(taken)
    taken.add(user_order_id)
    request = OrderRequest(
        spec, direction, OrderKind.MARKET, size, price=None, trigger_price=None, trigger_condition=None,
        reduce_only=True, post_only=False, max_ts=int(time.time()) + expiry_s, user_order_id=user_order_id,
    )  # fmt: skip
    auction = auction_for(direction, position.oracle_price, slippage_bps, auction_s, tick_size=spec.tick_size)
    return request, auction
