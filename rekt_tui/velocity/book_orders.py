"""Orders resting on the relaunched program's on-chain books, as the order-book server lists them.

Book orders live on each market's CLOB, not in `User.orders` (which holds only armed triggers),
so the session learns of them from the server's `/userOrders?userAccount=<User>`. Each becomes one of
our `Order`s plus the `OrderRef` (node index and order id) that cancelling or modifying it needs.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import aiohttp

from rekt_tui.domain.records import Direction, MarketType, OrderType
from rekt_tui.domain.trading import Order
from rekt_tui.drift.retry import RpcUnavailable, describe
from rekt_tui.velocity.codec.order_params import OrderRef
from rekt_tui.drift.dlob import get_json

log = logging.getLogger(__name__)

# Book order ids count per market's book, so two markets' orders can share one, and a trigger's
# id (a u32 of `User.next_order_id`) can equal either. Our venue order id for a book order puts
# the market above bit 40: unique across books and never a trigger's (while a book's ids stay
# below 2^40, and well within SQLite's signed 64 bits).
BOOK_ID_SHIFT = 40


def venue_order_id(market_index: int, order_id: int) -> int:
    return (market_index + 1) << BOOK_ID_SHIFT | order_id


@dataclass(frozen=True)
class BookOrder:
    order: Order
    ref: OrderRef


def _field(raw: dict[str, Any], *names: str, default: Any = None) -> Any:
    for name in names:
        if name in raw and raw[name] is not None:
            return raw[name]
    return default


def parse(raw: dict[str, Any]) -> BookOrder:
    """One `/userOrders` entry; a malformed one raises KeyError or ValueError."""
    order_id = int(_field(raw, "orderId", "order_id"))
    node_index = int(_field(raw, "nodeIndex", "node_index"))
    market_index = int(_field(raw, "marketIndex", "market_index"))
    if not 0 <= order_id < 1 << BOOK_ID_SHIFT:
        raise ValueError(f"book order id {order_id} is beyond what this client numbers")
    direction = str(_field(raw, "direction", "side")).lower()
    size = int(_field(raw, "baseAssetAmount", "base_asset_amount", "size"))
    order = Order(
        order_id=venue_order_id(market_index, order_id),
        user_order_id=int(_field(raw, "userOrderId", "user_order_id", default=0)),
        market_type=MarketType.PERP, market_index=market_index,
        order_type=OrderType.LIMIT,
        direction=Direction.LONG if direction in ("long", "bid", "buy") else Direction.SHORT,
        base_amount=size, filled=int(_field(raw, "baseAssetAmountFilled", "base_asset_amount_filled", default=0)),
        price=int(_field(raw, "price")), trigger_price=None,
        reduce_only=bool(_field(raw, "reduceOnly", "reduce_only", default=False)),
        post_only=bool(_field(raw, "postOnly", "post_only", default=False)),
        max_ts=int(_field(raw, "maxTs", "max_ts", default=0)) or None,
        slot=int(_field(raw, "placedSlot", "slot", default=0)),
    )  # fmt: skip
    return BookOrder(order, OrderRef(node_index=node_index, order_id=order_id))


class BookOrdersUnread(Exception):
    """The server gave no usable list: the User's book orders are unknown, not none."""


async def fetch_user_orders(dlob_url: str, user: str) -> list[BookOrder]:
    """The User's resting book orders, the read retried while the server is rate-limited;
    BookOrdersUnread (its message one sentence) when it still gives no usable answer."""
    url = f"{dlob_url.rstrip('/')}/userOrders"
    try:
        body = await get_json(url, {"userAccount": user}, f"reading the resting book orders from {url}")
        entries = body.get("orders", []) if isinstance(body, dict) else body
        return [parse(entry) for entry in entries]  # type: ignore[union-attr]
    except (RpcUnavailable, aiohttp.ClientError, TimeoutError, ValueError, KeyError, TypeError) as error:
        cause = describe(error.last if isinstance(error, RpcUnavailable) else error)
        log.warning("no resting orders from %s: %s", url, cause)
        raise BookOrdersUnread(
            f"The resting book orders could not be read from the order-book server ({cause}); "
            "the orders listed may be incomplete."
        ) from None
