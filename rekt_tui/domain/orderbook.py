"""An L2 order book as the DLOB server publishes it, in exact integers.

Prices are in 1e6 and sizes in the market's base precision (1e9 for perps), as on the
wire; cumulative sizes are summed here once so a depth panel never re-adds per frame.
"""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class BookLevel:
    price: int
    size: int
    cumulative_size: int  # this level plus every better one on its side
    sources: tuple[tuple[str, int], ...]  # e.g. (("dlob", 3e9), ("vamm", 1e9)), sorted by name


@dataclass(frozen=True)
class OrderBook:
    market_name: str
    market_type: str  # "perp" or "spot"
    market_index: int
    bids: tuple[BookLevel, ...]  # best (highest) first
    asks: tuple[BookLevel, ...]  # best (lowest) first
    mark_price: int | None
    oracle_price: int | None
    slot: int
    received_at: datetime

    @property
    def best_bid(self) -> int | None:
        return self.bids[0].price if self.bids else None

    @property
    def best_ask(self) -> int | None:
        return self.asks[0].price if self.asks else None

    @property
    def spread(self) -> int | None:
        """Best ask minus best bid (negative when the book crosses); None with a side empty."""
        if not self.bids or not self.asks:
            return None
        return self.asks[0].price - self.bids[0].price
