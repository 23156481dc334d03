"""Markets as order entry needs them: identity, tick and step, and how their amounts read.

The gateway builds one `MarketSpec` per market from the chain (Drift stores tick, step
and minimum size on every market account); order entry, the guards and the teardown
only ever see these, so a market's rules live in one place.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from rekt_tui.domain.errors import UsageError
from rekt_tui.domain.money import to_decimal
from rekt_tui.domain.records import MarketType

PRICE_DECIMALS = 6

# The perps the dashboard's book cycles through, in the order the switch key visits them.
BOOK_MARKETS = ("SOL-PERP", "BTC-PERP", "ETH-PERP")


@dataclass(frozen=True)
class MarketSpec:
    """One market's trading rules, in Drift's precisions.

    `tick_size` is in price units (1e6); `step_size`, `min_order_size` and
    `max_order_size` are in the base amount's precision (1e9 for perps, the mint's
    decimals for spot, given by `base_decimals`).
    """

    symbol: str  # e.g. "SOL-PERP"
    market_type: MarketType
    market_index: int
    base_symbol: str  # e.g. "SOL"
    tick_size: int
    step_size: int
    min_order_size: int
    max_order_size: int | None = None
    base_decimals: int = 9

    def __post_init__(self) -> None:
        if self.tick_size <= 0 or self.step_size <= 0 or self.min_order_size <= 0:
            raise ValueError(f"{self.symbol}: tick, step and minimum size must be positive")


def resolve_market(text: str, markets: Mapping[str, MarketSpec]) -> MarketSpec:
    """Find a market by symbol, case-insensitively; a bare asset ("sol") means its perp.

    The perp reading is tried first because perps are what a user trades here; spot
    markets are only traded by the teardown, which names them by spec, not by text.
    """
    wanted = text.strip().upper()
    by_symbol = {spec.symbol.upper(): spec for spec in markets.values()}
    for candidate in (f"{wanted}-PERP", wanted):
        if candidate in by_symbol:
            return by_symbol[candidate]
    known = ", ".join(sorted(spec.symbol for spec in markets.values())) or "none"
    raise UsageError(f"Unknown market {text.strip()!r}; known markets: {known}.")


def _plain(value: Decimal) -> str:
    """A decimal without trailing zeros or exponent: 0.010000000 -> "0.01", 1E+2 -> "100"."""
    return f"{value.normalize():f}"


def format_base(amount: int, market: MarketSpec) -> str:
    """A base amount as a user would type it, with its asset: "0.25 SOL"."""
    return f"{_plain(to_decimal(amount, market.base_decimals))} {market.base_symbol}"


def format_price(price: int) -> str:
    """A price with at least cents and as many places as it needs: "$150.0001"."""
    value = to_decimal(price, PRICE_DECIMALS)
    places = max(2, -value.normalize().as_tuple().exponent)  # type: ignore[operator]
    sign = "-" if value < 0 else ""
    return f"{sign}${abs(value):,.{places}f}"


def floor_to(amount: int, step: int) -> int:
    return amount // step * step


def ceil_to(amount: int, step: int) -> int:
    return -(-amount // step) * step
