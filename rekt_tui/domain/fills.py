"""Fills of the session's orders, read from how the account changed between two snapshots.

Drift books every fill into the position: its base moves by the size, its entry quote by
size × price, and its break-even quote by that less the fee. So a change of base is a fill of
that size, and while the position grows, the entry quote gives the average price and the
difference of the two quotes the fee. A fill that shrinks a position
moves the entry quote at the old entry, so only its price net of the fee is known; one that
closes the position leaves no quote in the snapshot, so its price is not known here.
"""

from dataclasses import dataclass

from rekt_tui.domain.records import Direction
from rekt_tui.domain.trading import AccountSnapshot, Order, Position

BASE_PRECISION = 10**9
PRICE_PRECISION = 10**6


@dataclass(frozen=True)
class Fill:
    market_index: int
    symbol: str
    direction: Direction
    size: int  # base precision
    price: int | None  # average, 1e6 (net of the fee when `fee` is None); None: closed, not known
    fee: int | None  # quote 1e6; None when the fill shrank the position
    order_id: int | None  # the chain order id, when one order of the snapshot explains it


def fills_between(before: AccountSnapshot, after: AccountSnapshot) -> list[Fill]:
    """Every market whose position base changed, as one fill (oldest snapshot first)."""
    was = {p.market_index: p for p in before.positions}
    now = {p.market_index: p for p in after.positions}
    remaining = {o.order_id: o.filled for o in after.orders}
    # Only an order that filled can explain a fill: gone since, or more of it filled. A resting
    # take-profit on the side of a market order that filled at once is neither.
    moved = tuple(o for o in before.orders if o.order_id not in remaining or remaining[o.order_id] > o.filled)
    fills = []
    for index in sorted(was.keys() | now.keys()):
        old, new = was.get(index), now.get(index)
        delta = (new.base_amount if new else 0) - (old.base_amount if old else 0)
        if delta:
            fills.append(_fill(index, (new or old).symbol, old, new, delta, moved))  # type: ignore[union-attr]
    return fills


def _fill(index: int, symbol: str, old: Position | None, new: Position | None, delta: int,
          orders: tuple[Order, ...]) -> Fill:  # fmt: skip
    size, direction = abs(delta), Direction.LONG if delta > 0 else Direction.SHORT
    old_base = old.base_amount if old else 0
    grows = old_base == 0 or (old_base > 0) == (delta > 0) and new is not None
    entry = (new.quote_entry_amount if new else 0) - (old.quote_entry_amount if old else 0)
    quote = (new.quote_amount if new else 0) - (old.quote_amount if old else 0)
    price: int | None
    if grows and new is not None:
        price, fee = abs(entry) * BASE_PRECISION // size, entry - _paid(old, new, quote)
    else:
        price, fee = (abs(quote) * BASE_PRECISION // size if new is not None else None), None
    candidates = [o.order_id for o in orders if o.market_index == index and o.direction is direction]
    return Fill(index, symbol, direction, size, price, fee, candidates[0] if len(candidates) == 1 else None)


def _paid(old: Position | None, new: Position, quote: int) -> int:
    """The quote a growing fill paid, fee included: the break-even quote's change. A flat
    market's quote on chain still holds what earlier fills realized and did not settle, which
    a snapshot (positions with a size only) does not show; the break-even quote starts at zero."""
    before = 0 if old is None else old.quote_break_even_amount
    if new.quote_break_even_amount is None or before is None:
        return quote  # a venue that does not say: the quote's change, right while nothing is unsettled
    return new.quote_break_even_amount - before
