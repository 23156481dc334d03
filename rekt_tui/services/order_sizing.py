"""How large an order may be: the size that passes the margin and leverage guards.

Both guards judge the venue's preview of the account after the fill, which is not linear
in size (fees, the book's levels, a position that flips), so the largest size is found by
bisection over previews in the market's steps: what it returns has itself been previewed
and passed, and a refusal's suggestion or a "max" size is never refused in turn.
"""

from dataclasses import dataclass, replace
from decimal import Decimal

from rekt_tui.domain.guards import Preview, RefusalCode, check_order
from rekt_tui.domain.markets import MarketSpec
from rekt_tui.domain.orders import OrderRequest
from rekt_tui.domain.strategy import StrategyPreset
from rekt_tui.domain.trading import AccountSnapshot
from rekt_tui.services.venue import Auction, BookSide, Venue

SIZE_REFUSALS = frozenset({RefusalCode.INSUFFICIENT_COLLATERAL, RefusalCode.LEVERAGE})
SIZE_PERCENTS = (25, 50, 75, 100)


@dataclass(frozen=True)
class ReferencePrices:
    """What the price keys of order entry fill in (1e6; None when the book is unknown)."""

    market: MarketSpec
    bid: int | None
    ask: int | None
    oracle: int

    @property
    def mid(self) -> int | None:
        if self.bid is None or self.ask is None:
            return None
        return (self.bid + self.ask) // 2 // self.market.tick_size * self.market.tick_size


def share_of(largest: int, percent: int, spec: MarketSpec) -> int:
    """`percent` of `largest`, down to the market's step (0 below its minimum)."""
    amount = largest * percent // 100 // spec.step_size * spec.step_size
    return amount if amount >= spec.min_order_size else 0


class Sizing:
    """Previews of one order at other sizes (same market, side, type, prices and book)."""

    def __init__(self, venue: Venue, request: OrderRequest, auction: Auction | None, book: BookSide) -> None:
        self._venue, self._request, self._auction = venue, request, auction
        # A resting or trigger order fills at its own price, not at today's book.
        self._book = () if request.post_only or request.kind.takes_trigger else book

    def preview(self, base_amount: int) -> Preview:
        request = replace(self._request, base_amount=base_amount)
        return self._venue.preview(request, auction_end_price=self._auction[1] if self._auction else None,
                                   book=self._book)  # fmt: skip

    def fits(self, base_amount: int, snapshot: AccountSnapshot, strategy: StrategyPreset) -> bool:
        request = replace(self._request, base_amount=base_amount, reduce_only=False)
        refusals = check_order(
            request, snapshot, self.preview(base_amount), strategy, open_orders=(), account_age_s=Decimal(0),
            oracle_age_s=Decimal(0), stale_after_s=1, allow_stacking=True,
        )  # fmt: skip
        return not any(r.code in SIZE_REFUSALS for r in refusals)

    def largest(self, snapshot: AccountSnapshot, strategy: StrategyPreset) -> int:
        """The largest size in steps that fits (0 when not even the minimum does)."""
        spec = self._request.market
        step, low = spec.step_size, spec.min_order_size // spec.step_size
        if not self.fits(low * step, snapshot, strategy):
            return 0
        high = max(low * 2, 2)
        ceiling = (spec.max_order_size or 10**30) // step
        while high < ceiling and self.fits(high * step, snapshot, strategy):
            low, high = high, high * 2
        high = min(high, ceiling + 1)
        while high - low > 1:  # low fits, high does not (or is past the market's maximum)
            middle = (low + high) // 2
            low, high = (middle, high) if self.fits(middle * step, snapshot, strategy) else (low, middle)
        return low * step
