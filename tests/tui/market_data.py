"""Fixed market data for snapshots of the market screen.

A live localnet's prices move, so snapshots are fed these domain values through a
`MarketData` that answers from memory (the boundary: the venue's servers); the service,
the screen and its widgets are the real ones. The Pilot tests run the screen on a localnet.
"""

from decimal import Decimal

from rekt_tui.domain.market_context import Candle, ChainMarket, Contract, FundingPayment, MarketDataError, Trade
from rekt_tui.domain.orderbook import BookLevel, OrderBook
from rekt_tui.domain.records import Direction
from rekt_tui.services.market_context import MarketContextService
from tests.tui.screen_data import AT

NOW = int(AT.timestamp())
OWN = "OwnUser1111111111111111111111111111111111111"
PRICES = {"SOL-PERP": 150_000_000, "BTC-PERP": 100_000_000_000, "ETH-PERP": 3_500_000_000}


def chain_market(index: int, symbol: str) -> ChainMarket:
    price = PRICES[symbol]
    return ChainMarket(
        market_index=index, symbol=symbol, slot=1_000, oracle_price=price, reserve_price=price + price // 2_000,
        base_long=(index + 1) * 12_345_000_000, base_short=(index + 1) * 12_345_000_000,
        last_funding_rate=price // 10_000 * 1_000 // 24, last_funding_oracle_twap=price,
        last_funding_rate_ts=NOW - 1_234, funding_period=3_600, status="active",
        paused_operations=frozenset({"amm_fill"}) if index == 2 else frozenset(),
    )  # fmt: skip


def contract(symbol: str) -> Contract:
    price = PRICES[symbol]
    return Contract(
        symbol=symbol, last_price=price + price // 1_000, base_volume=987_000_000_000, quote_volume=148_123_456_789,
        high=price + price // 100, low=price - price // 100, index_price=price, open_interest=12_345_000_000,
        funding_rate=Decimal("0.0000041"), next_funding_rate=Decimal("-0.0000123"), next_funding_ts=NOW + 2_366,
    )  # fmt: skip


def candles(symbol: str, resolution: str, limit: int) -> list[Candle]:
    span = {"1": 60, "5": 300, "15": 900, "60": 3_600}[resolution]
    price, bars = PRICES[symbol], []
    for i in range(min(limit, 40)):
        ts = NOW - NOW % span - i * span
        if i in (7, 8):
            continue  # a gap: the localnet was not running
        wobble = ((i * 7919) % 23 - 11) * price // 4_000
        open_, close = price + wobble, price + wobble + ((i % 5) - 2) * price // 5_000
        traded = i % 6 != 3  # one span in six: no trade, drawn from the oracle
        bars.append(Candle(
            ts, open_ if traded else None, max(open_, close) + price // 10_000 if traded else None,
            min(open_, close) - price // 10_000 if traded else None, close if traded else None,
            open_, close, 1_000_000_000 if traded else 0,
        ))  # fmt: skip
    return bars


def trades(symbol: str, limit: int) -> list[Trade]:
    price, found = PRICES[symbol], []
    for i in range(min(limit, 30)):
        side = Direction.LONG if i % 3 else Direction.SHORT
        taker = OWN if i in (2, 9) else "Taker111111111111111111111111111111111111111"
        found.append(Trade(NOW - i // 2 * 3, 2_000 - i, side, price + (i % 4) * 100_000, 1_500_000_000 + i * 10_000_000,
                           taker, "Maker111111111111111111111111111111111111111", f"sig{i}"))  # fmt: skip
    return found


class FixedMarketData:
    """Answers from memory; `broken` names the sources that fail, to draw their sentences."""

    def __init__(self, broken: frozenset[str] = frozenset()) -> None:
        self.broken = broken
        self.markets = [chain_market(i, s) for i, s in enumerate(PRICES)]

    def _check(self, source: str) -> None:
        if source in self.broken:
            raise MarketDataError(f"http://127.0.0.1:6969 gave no usable answer to {source} (ContentTypeError).")

    async def close(self) -> None:
        return None

    async def chain_markets(self) -> list[ChainMarket]:
        self._check("chain")
        return self.markets

    async def contracts(self) -> list[Contract]:
        self._check("/contracts")
        return [contract(s) for s in PRICES]

    async def book(self, market: str, depth: int) -> OrderBook:
        self._check("/l2")
        price = PRICES[market]
        return OrderBook(market, "perp", 0, (BookLevel(price - 10_000, 10**9, 10**9, ()),),
                         (BookLevel(price + 30_000, 10**9, 10**9, ()),), price + 10_000, price, 1_000, AT)  # fmt: skip

    async def trades(self, market: str, limit: int) -> list[Trade]:
        self._check("/trades")
        return trades(market, limit)

    async def candles(self, market: str, resolution: str, limit: int) -> list[Candle]:
        self._check("/candles")
        return candles(market, resolution, limit)

    async def funding_history(self, market: str) -> list[FundingPayment]:
        return []

    def trade_feed(self, market: str) -> None:
        return None  # fixed data streams nothing: the tape shows what `trades` answers


def fixed_service(broken: frozenset[str] = frozenset()) -> MarketContextService:
    return MarketContextService(FixedMarketData(broken), clock=lambda: NOW)
