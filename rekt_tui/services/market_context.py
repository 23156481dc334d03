"""Market context for the CLI and the market screen: header figures, trades, candles, funding.

Joins the chain (open interest per side, funding paid, status: the truth) with the
data API (24 h statistics, predicted funding, trades, candles) and the book's mark.
Needs no wallet: it runs before any session exists. A source that fails leaves its
figures None and its sentence in `notes`; only the chain is indispensable.
"""

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from typing import TypeVar

from rekt_tui.config import Settings
from rekt_tui.domain.errors import UsageError
from rekt_tui.domain.market_context import (
    Candle, ChainMarket, Contract, FundingPayment, MarketContext, MarketDataError, Trade, change_24h, hourly_closes,
)  # fmt: skip
from rekt_tui.domain.orderbook import OrderBook
from rekt_tui.services.venue import MarketData, TradeFeed
from rekt_tui.services.venue_factory import open_market_data

T = TypeVar("T")
HOURS_FOR_CHANGE = 25  # hourly candles read to find the price 24 h ago


@dataclass(frozen=True)
class Overview:
    """Every perp market's context, and one sentence per source that failed."""

    markets: tuple[MarketContext, ...]
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class MarketView:
    """What the market screen shows at one moment: every market, the selected one's header,
    tape and candles; a source that failed leaves its part empty and its sentence in `notes`."""

    now: int
    markets: tuple[MarketContext, ...]
    selected: MarketContext
    trades: tuple[Trade, ...]  # newest first
    candles: tuple[Candle, ...]  # newest first
    resolution: str
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class FundingView:
    context: MarketContext
    history: tuple[FundingPayment, ...]  # oldest first
    notes: tuple[str, ...] = ()


def resolve_symbol(text: str, markets: Sequence[ChainMarket]) -> ChainMarket:
    """A perp market by symbol, case-insensitively; a bare asset ("sol") means its perp."""
    wanted = text.strip().upper()
    for candidate in (wanted, f"{wanted}-PERP"):
        for market in markets:
            if market.symbol.upper() == candidate:
                return market
    known = ", ".join(m.symbol for m in markets) or "none"
    raise UsageError(f"There is no perp market {text!r} on this cluster; the markets are {known}.")


class MarketContextService:
    """Reads of one venue's public market data; `close` when done."""

    def __init__(self, market_data: MarketData, clock: Callable[[], float] = time.time) -> None:
        self.data = market_data
        self._clock = clock

    @classmethod
    def open(cls, settings: Settings) -> "MarketContextService":
        return cls(open_market_data(settings))

    async def close(self) -> None:
        await self.data.close()

    def now(self) -> int:
        return int(self._clock())

    async def overview(self) -> Overview:
        """Every perp market: chain figures, 24 h statistics and change; AMM price as mark."""
        chain, contracts = await asyncio.gather(self.data.chain_markets(), self._contracts())
        found, notes = contracts
        hourly = await asyncio.gather(*(self._hourly(m.symbol) for m in chain))
        now = self.now()
        markets = []
        for market, (candles, note) in zip(chain, hourly):
            contract = found.get(market.symbol)
            markets.append(self._context(market, contract, market.reserve_price, candles, now))
            notes += (note,) if note and note not in notes else ()
        return Overview(tuple(markets), notes)

    async def context(self, symbol: str) -> tuple[MarketContext, tuple[str, ...]]:
        """One market's header: the book's mark when the book answers, else the AMM's price."""
        market = resolve_symbol(symbol, await self.data.chain_markets())
        (found, notes), (candles, note), (book, book_note) = await asyncio.gather(
            self._contracts(), self._hourly(market.symbol), self._book(market.symbol, 1)
        )
        notes += tuple(n for n in (note, book_note) if n)
        mark = book.mark_price if book is not None and book.mark_price else market.reserve_price
        return self._context(market, found.get(market.symbol), mark, candles, self.now()), notes

    async def view(self, symbol: str, resolution: str, *, trades: int = 50, candles: int = 60) -> MarketView:
        """Everything the market screen needs, read concurrently; only the chain is required."""
        overview = await self.overview()
        chain = resolve_symbol(symbol, [m.chain for m in overview.markets])
        context = next(m for m in overview.markets if m.chain is chain)
        (book, book_note), tape, bars = await asyncio.gather(
            self._book(chain.symbol, 1),
            self._optional(self.data.trades(chain.symbol, trades)),
            self._optional(self.data.candles(chain.symbol, resolution, candles)),
        )
        if book is not None and book.mark_price:
            context = replace(context, mark_price=book.mark_price)
        found = tuple(n for n in (*overview.notes, book_note, tape[1], bars[1]) if n)
        return MarketView(
            self.now(), overview.markets, context, tuple(tape[0]), tuple(bars[0]), resolution, tuple(dict.fromkeys(found))
        )

    async def _optional(self, read: Awaitable[list[T]]) -> tuple[list[T], str | None]:
        try:
            return await read, None
        except MarketDataError as error:
            return [], str(error)

    async def book(self, symbol: str, depth: int) -> OrderBook:
        market = resolve_symbol(symbol, await self.data.chain_markets())
        return await self.data.book(market.symbol, depth)

    async def trades(self, symbol: str, limit: int) -> list[Trade]:
        market = resolve_symbol(symbol, await self.data.chain_markets())
        return await self.data.trades(market.symbol, limit)

    def trade_feed(self, symbol: str) -> TradeFeed | None:
        """`symbol`'s fills as they happen (not started), or None when the venue streams none."""
        return self.data.trade_feed(symbol)

    async def candles(self, symbol: str, resolution: str, limit: int) -> list[Candle]:
        return await self.data.candles(symbol, resolution, limit)

    async def funding(self, symbol: str) -> FundingView:
        context, notes = await self.context(symbol)
        try:
            history = tuple(await self.data.funding_history(context.symbol))
        except MarketDataError as error:
            history, notes = (), notes + (str(error),)
        return FundingView(context, history, notes)

    def _context(
        self, market: ChainMarket, contract: Contract | None, mark: int | None, hourly: list[Candle], now: int
    ) -> MarketContext:
        last = contract.last_price if contract is not None else None
        change = change_24h(hourly, now, last) if last is not None else None
        closes = hourly_closes(hourly, now)
        return MarketContext(chain=market, contract=contract, mark_price=mark, change_24h=change, closes=closes)

    async def _contracts(self) -> tuple[dict[str, Contract], tuple[str, ...]]:
        try:
            return {c.symbol: c for c in await self.data.contracts()}, ()
        except MarketDataError as error:
            return {}, (str(error),)

    async def _hourly(self, symbol: str) -> tuple[list[Candle], str | None]:
        try:
            return await self.data.candles(symbol, "60", HOURS_FOR_CHANGE), None
        except MarketDataError as error:
            return [], str(error)

    async def _book(self, symbol: str, depth: int) -> tuple[OrderBook | None, str | None]:
        try:
            return await self.data.book(symbol, depth), None
        except MarketDataError as error:
            return None, str(error)
