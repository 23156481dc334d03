"""The on-chain order book of one perp market, as the localnet's order-book program keeps it.

The real order-book program's account layout is not published in its IDL beyond a header, so
the localnet keeps its own: the `clob_market` account (owned by the order-book program id)
holds the resting orders, in price-time priority, as fixed records after a short header.
A resting order is named by an `OrderRef` (`node_index`, `order_id`), as the relaunch's
`cancel_order_v1` names it; node indexes are reused once free, order ids never.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field, replace

from solders.pubkey import Pubkey

BOOK_MAGIC = b"RKTCLOB1"
SLAB_MAGIC = b"RKTSLAB1"
_HEADER = struct.Struct("<8sHQI")
_ORDER = struct.Struct("<QI32s32sBQQQBQQq")
_CHANGES = struct.Struct("<HQII")
BID, ASK = 0, 1
# Resting orders a market's book holds; the account is allocated for them at genesis (its size
# never changes, so its rent never does). A full book refuses more (QuoterSlabFull, 6405).
BOOK_CAPACITY = 256
BOOK_BYTES = _HEADER.size + BOOK_CAPACITY * _ORDER.size


@dataclass(frozen=True, slots=True)
class RestingOrder:
    order_id: int
    node_index: int
    user: Pubkey
    authority: Pubkey
    side: int  # BID or ASK
    price: int  # 1e6
    base_remaining: int  # 1e9
    base_original: int
    user_order_id: int
    placed_slot: int
    active_slot: int  # the slot from which takers can match it (the activation delay)
    max_ts: int

    @property
    def direction(self) -> str:
        return "Long" if self.side == BID else "Short"

    def pack(self) -> bytes:
        return _ORDER.pack(
            self.order_id, self.node_index, bytes(self.user), bytes(self.authority), self.side, self.price,
            self.base_remaining, self.base_original, self.user_order_id, self.placed_slot, self.active_slot,
            self.max_ts,
        )

    @classmethod
    def unpack(cls, raw: bytes) -> RestingOrder:
        values = list(_ORDER.unpack(raw))
        values[2], values[3] = Pubkey.from_bytes(values[2]), Pubkey.from_bytes(values[3])
        return cls(*values)


@dataclass
class Book:
    market_index: int
    next_order_id: int = 1
    orders: list[RestingOrder] = field(default_factory=list)
    # The orders as read from the account, so a change can be sent as a diff (`changes`).
    read: dict[int, RestingOrder] = field(default_factory=dict, compare=False, repr=False)

    def pack(self) -> bytes:
        head = _HEADER.pack(BOOK_MAGIC, self.market_index, self.next_order_id, len(self.orders))
        return (head + b"".join(order.pack() for order in self.orders)).ljust(BOOK_BYTES, b"\0")

    @classmethod
    def unpack(cls, data: bytes) -> Book:
        magic, market_index, next_order_id, count = _HEADER.unpack_from(data)
        if magic != BOOK_MAGIC:
            raise ValueError("not an order book")
        start = _HEADER.size
        orders = [RestingOrder.unpack(data[start + i * _ORDER.size : start + (i + 1) * _ORDER.size]) for i in range(count)]
        return cls(market_index, next_order_id, orders, {order.order_id: order for order in orders})

    def changes(self) -> bytes:
        """What changed since the book was read: market index, next order id, the ids removed,
        and the orders added or changed (whole records), in the order-book program's encoding."""
        current = {order.order_id for order in self.orders}
        removed = [order_id for order_id in self.read if order_id not in current]
        changed = [order for order in self.orders if self.read.get(order.order_id) != order]
        return b"".join([
            _CHANGES.pack(self.market_index, self.next_order_id, len(removed), len(changed)),
            b"".join(order_id.to_bytes(8, "little") for order_id in removed),
            b"".join(order.pack() for order in changed),
        ])  # fmt: skip

    def apply(self, changes: bytes) -> None:
        """Apply `changes` (from `changes()` of a copy of this book) to it."""
        market_index, self.next_order_id, removed, changed = _CHANGES.unpack_from(changes)
        if market_index != self.market_index:
            raise ValueError("the changes are another market's")
        offset = _CHANGES.size
        gone = {int.from_bytes(changes[offset + 8 * i : offset + 8 * (i + 1)], "little") for i in range(removed)}
        offset += 8 * removed
        updates = [RestingOrder.unpack(changes[offset + i * _ORDER.size : offset + (i + 1) * _ORDER.size])
                   for i in range(changed)]  # fmt: skip
        if offset + changed * _ORDER.size != len(changes):
            raise ValueError("the changes have trailing bytes")
        by_id = {order.order_id: order for order in updates}
        kept = [by_id.pop(order.order_id, order) for order in self.orders if order.order_id not in gone]
        self.orders = kept + list(by_id.values())
        if len(self.orders) > BOOK_CAPACITY:
            raise ValueError("the book is full")

    def side(self, side: int) -> list[RestingOrder]:
        """Resting orders of one side, best first, then oldest first."""
        orders = [order for order in self.orders if order.side == side]
        return sorted(orders, key=lambda o: ((-o.price if side == BID else o.price), o.order_id))

    @property
    def full(self) -> bool:
        return len(self.orders) >= BOOK_CAPACITY

    def free_node(self) -> int:
        used = {order.node_index for order in self.orders}
        return next(index for index in range(len(used) + 1) if index not in used)

    def add(self, order: RestingOrder) -> RestingOrder:
        """Rest `order` under the next order id and a free node (the caller checks `full`)."""
        order = replace(order, order_id=self.next_order_id, node_index=self.free_node())
        self.next_order_id += 1
        self.orders.append(order)
        return order

    def find(self, node_index: int, order_id: int) -> RestingOrder | None:
        return next((o for o in self.orders if o.node_index == node_index and o.order_id == order_id), None)

    def remove(self, order: RestingOrder) -> None:
        self.orders = [o for o in self.orders if o.order_id != order.order_id]

    def replace(self, order: RestingOrder) -> None:
        self.orders = [order if o.order_id == order.order_id else o for o in self.orders]

    def of_user(self, user: Pubkey) -> list[RestingOrder]:
        return [order for order in self.orders if order.user == user]


def empty_slab(market_index: int) -> bytes:
    """The quoter slab: the localnet registers no external quoters, so it is only a header."""
    return SLAB_MAGIC + market_index.to_bytes(2, "little") + bytes(6)
