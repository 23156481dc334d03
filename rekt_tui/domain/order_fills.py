"""How a previewed order is expected to fill: its worst price and the book levels it takes.

Venue-neutral rules every adapter's preview shares (moved here from the Drift adapter's preview).
"""

from collections.abc import Sequence

from rekt_tui.domain.errors import RektError
from rekt_tui.domain.records import Direction, OrderType


def worst_price(
    order_type: OrderType, *, price: int = 0, trigger_price: int | None = None, auction_end_price: int | None = None
) -> int:
    """The limit of a limit order, the end of a market order's auction (or its limit), or
    the trigger of a stop-market order without either."""
    if order_type in (OrderType.LIMIT, OrderType.TRIGGER_LIMIT) and price:
        return price
    if order_type in (OrderType.MARKET, OrderType.TRIGGER_MARKET) and (auction_end_price or price):
        return auction_end_price or price
    if order_type is OrderType.TRIGGER_MARKET and trigger_price:
        return trigger_price
    raise RektError("This order has no limit, auction end or trigger price to preview it at.")


def valuation_price(order_type: OrderType, *, price: int, trigger_price: int | None, rests: bool) -> int | None:
    """The market's price when the order has filled, at which the preview values the account:
    today's oracle (None) for what fills now; the trigger for a stop or take-profit, the limit
    for what a limit order leaves on the book. An order that waits for the market to come to it
    fills with the market there: valued at today's oracle instead, a bid below the market would
    be credited a gain it never has, and pass a leverage cap it breaks when it fills."""
    if order_type in (OrderType.TRIGGER_MARKET, OrderType.TRIGGER_LIMIT) and trigger_price:
        return trigger_price
    if order_type is OrderType.LIMIT and rests and price:
        return price
    return None


def book_fills(
    base_amount: int, direction: Direction, worst: int, book: Sequence[tuple[int, int]]
) -> list[tuple[int, int]]:
    """(price, size) fills walking the opposite side of the book (best first) while it is
    within `worst`, up to `base_amount`."""
    fills, left = [], base_amount
    for price, size in book:
        acceptable = price <= worst if direction is Direction.LONG else price >= worst
        if left == 0 or not acceptable:
            break
        fills.append((price, min(size, left)))
        left -= fills[-1][1]
    return fills


def expected_fills(
    base_amount: int, direction: Direction, worst: int, book: Sequence[tuple[int, int]]
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """The fills the book gives (taken), and whatever it cannot fill assumed filled at
    `worst` (one fill, or none)."""
    taken = book_fills(base_amount, direction, worst, book)
    left = base_amount - sum(size for _, size in taken)
    return taken, [(worst, left)] if left else []
