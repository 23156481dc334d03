"""Market context: what a trader reads about a perp market beside its book.

Values come from two places: the chain's PerpMarket (open interest per side, funding
fields, status) and the venue's data API (24 h statistics, trades, candles, funding
history). Prices stay integers in 1e6, base sizes in 1e9; rates, which are ratios and
never amounts of money, are exact `Decimal` fractions.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from rekt_tui.domain.errors import RektError
from rekt_tui.domain.records import Direction, MarketType
from rekt_tui.domain.trading import AccountSnapshot

PRICE_PRECISION = 10**6
BASE_PRECISION = 10**9
HOURS_PER_YEAR = 24 * 365
DAY_S = 86_400
# Drift's funding rates are quote (1e6) per base scaled by another 1e3 (FUNDING_RATE_BUFFER).
FUNDING_RATE_PRECISION = 10**9
# Candle widths the chart offers, in minutes, as the data API names them.
RESOLUTIONS = ("1", "5", "15", "60")


class MarketDataError(RektError):
    """A market-data source gave no usable answer; the message is one sentence for a panel."""


@dataclass(frozen=True)
class ChainMarket:
    """A perp market as its PerpMarket account says, read at `slot`."""

    market_index: int
    symbol: str
    slot: int
    oracle_price: int
    reserve_price: int | None  # the AMM's price: the mark when no book is known
    base_long: int  # open interest of longs, base 1e9
    base_short: int  # open interest of shorts, base 1e9, positive
    last_funding_rate: int  # FUNDING_RATE_PRECISION per base
    last_funding_oracle_twap: int
    last_funding_rate_ts: int
    funding_period: int  # seconds
    status: str
    paused_operations: frozenset[str]

    @property
    def next_funding_ts(self) -> int:
        return self.last_funding_rate_ts + self.funding_period

    @property
    def last_hourly_rate(self) -> Decimal:
        """The last funding paid, as a fraction of the price per hour."""
        return hourly_rate(self.last_funding_rate, self.last_funding_oracle_twap)


@dataclass(frozen=True)
class Contract:
    """The data API's 24 h summary of one perp market (`/contracts`)."""

    symbol: str
    last_price: int
    base_volume: int  # base 1e9 traded over 24 h
    quote_volume: int  # quote 1e6 traded over 24 h
    high: int
    low: int
    index_price: int
    open_interest: int  # base 1e9
    funding_rate: Decimal  # per hour, fraction of the price
    next_funding_rate: Decimal
    next_funding_ts: int


@dataclass(frozen=True)
class Trade:
    ts: int
    slot: int
    side: Direction  # the taker's side
    price: int
    base: int
    taker: str | None
    maker: str | None
    signature: str | None

    def involves(self, account: str | None) -> bool:
        """Whether `account` (a venue account address) took or made this fill."""
        return account is not None and account in (self.taker, self.maker)


@dataclass(frozen=True)
class Candle:
    """One span of `resolution` minutes; fill prices None when nothing traded in it."""

    ts: int
    open: int | None
    high: int | None
    low: int | None
    close: int | None
    oracle_open: int | None
    oracle_close: int | None
    base_volume: int

    @property
    def price_open(self) -> int | None:
        return self.open if self.open is not None else self.oracle_open

    @property
    def price_close(self) -> int | None:
        return self.close if self.close is not None else self.oracle_close


@dataclass(frozen=True)
class FundingPayment:
    ts: int
    rate: int  # FUNDING_RATE_PRECISION per base
    oracle_twap: int
    mark_twap: int

    @property
    def hourly(self) -> Decimal:
        return hourly_rate(self.rate, self.oracle_twap)


def hourly_rate(rate: int, oracle_twap: int) -> Decimal:
    """A funding rate (1e9 quote per base) as a fraction of the price per hour."""
    return Decimal(rate) * PRICE_PRECISION / (FUNDING_RATE_PRECISION * oracle_twap) if oracle_twap else Decimal(0)


def annualized(hourly: Decimal) -> Decimal:
    return hourly * HOURS_PER_YEAR


def premium(mark: int | None, oracle: int) -> Decimal | None:
    """The mark's premium over the oracle, as a fraction; None without a mark or oracle."""
    if mark is None or oracle <= 0:
        return None
    return Decimal(mark - oracle) / Decimal(oracle)


def change_24h(candles_hourly: Sequence[Candle], now: int, last_price: int) -> Decimal | None:
    """The last price against the first price of the oldest hour within 24 h; None without one."""
    window = [c for c in candles_hourly if c.ts >= now - DAY_S and c.price_open is not None]
    if not window:
        return None
    first = min(window, key=lambda c: c.ts).price_open
    return None if not first else Decimal(last_price - first) / Decimal(first)


def hourly_closes(candles_hourly: Sequence[Candle], now: int) -> tuple[int, ...]:
    """Each hour's closing price (fills, else oracle) within 24 h, oldest first; hours without one are left out."""
    window = sorted((c for c in candles_hourly if c.ts >= now - DAY_S), key=lambda c: c.ts)
    return tuple(close for c in window if (close := c.price_close) is not None)


@dataclass(frozen=True)
class MarketContext:
    """One perp market's header figures, joined from the chain and the data API."""

    chain: ChainMarket
    contract: Contract | None  # None when the data API did not answer
    mark_price: int | None  # the book's mark (mid), else the AMM's price
    change_24h: Decimal | None
    closes: tuple[int, ...] = ()  # hourly closes over the last 24 h, oldest first: the list's sparkline

    @property
    def symbol(self) -> str:
        return self.chain.symbol

    @property
    def premium(self) -> Decimal | None:
        return premium(self.mark_price, self.chain.oracle_price)

    @property
    def predicted_hourly(self) -> Decimal | None:
        return None if self.contract is None else self.contract.next_funding_rate

    def countdown_s(self, now: int) -> int:
        """Seconds until the next funding is due (0 once it is overdue)."""
        return max(0, self.chain.next_funding_ts - now)


def countdown_text(seconds: int) -> str:
    hours, rest = divmod(max(0, seconds), 3_600)
    return f"{hours:d}:{rest // 60:02d}:{rest % 60:02d}"


def percent_text(fraction: Decimal | None, places: int = 2) -> str:
    """A signed percentage ("+0.0125%"); "—" when unknown."""
    return "—" if fraction is None else f"{fraction * 100:+.{places}f}%"


def base_text(amount: int, places: int = 2) -> str:
    return f"{Decimal(amount) / BASE_PRECISION:,.{places}f}"


def quote_text(amount: int) -> str:
    return f"${Decimal(amount) / PRICE_PRECISION:,.0f}"


@dataclass(frozen=True)
class TapeRow:
    """Fills of one second, side and price, merged as the book merges a level's orders."""

    ts: int
    side: Direction
    price: int
    base: int
    count: int
    own: bool  # the session's account took or made one of them


def coalesce(trades: Sequence[Trade], own_account: str | None = None) -> list[TapeRow]:
    """Neighbouring fills (newest first) of the same second, side and price as one row."""
    rows: list[TapeRow] = []
    for trade in trades:
        own = trade.involves(own_account)
        last = rows[-1] if rows else None
        if last is not None and (last.ts, last.side, last.price) == (trade.ts, trade.side, trade.price):
            rows[-1] = TapeRow(last.ts, last.side, last.price, last.base + trade.base, last.count + 1, last.own or own)
        else:
            rows.append(TapeRow(trade.ts, trade.side, trade.price, trade.base, 1, own))
    return rows


@dataclass(frozen=True)
class ChartLevel:
    """A price the chart draws across: the position's entry or liquidation, or a resting order."""

    label: str  # "entry", "liq", "buy", "sell"
    price: int


def chart_levels(account: AccountSnapshot | None, market_index: int) -> tuple[ChartLevel, ...]:
    """The session's own prices in one perp market: position entry and liquidation, resting orders."""
    if account is None:
        return ()
    levels = []
    for position in account.positions:
        if position.market_index == market_index:
            levels.append(ChartLevel("entry", position.entry_price))
            if position.liquidation_price is not None:
                levels.append(ChartLevel("liq", position.liquidation_price))
    for order in account.orders:
        if order.market_type is MarketType.PERP and order.market_index == market_index:
            price = order.price or order.trigger_price
            if price:
                levels.append(ChartLevel("buy" if order.direction is Direction.LONG else "sell", price))
    return tuple(levels)


def merge_trades(current: Sequence[Trade], incoming: Sequence[Trade], limit: int) -> tuple[Trade, ...]:
    """The newest `limit` of both, newest first, each fill once: the stream and the HTTP
    tape overlap, and a fill read both ways must not show twice."""
    unique = dict.fromkeys((*incoming, *current))
    return tuple(sorted(unique, key=lambda t: (t.ts, t.slot), reverse=True)[:limit])


def fold_trades(candles: tuple[Candle, ...], trades: Sequence[Trade], span_s: int) -> tuple[Candle, ...]:
    """Candles (newest first) with fills applied in time order: the newest span moves, a fill
    past it opens the next one, and a fill older than the newest span is already in the history."""
    bars = list(candles)
    for trade in sorted(trades, key=lambda t: (t.ts, t.slot)):
        start = trade.ts - trade.ts % span_s
        newest = bars[0] if bars else None
        if newest is None or start > newest.ts:
            bars.insert(0, Candle(start, trade.price, trade.price, trade.price, trade.price, None, None, trade.base))
        elif start == newest.ts:
            open_ = newest.open if newest.open is not None else trade.price
            high = trade.price if newest.high is None else max(newest.high, trade.price)
            low = trade.price if newest.low is None else min(newest.low, trade.price)
            volume = newest.base_volume + trade.base
            bars[0] = Candle(newest.ts, open_, high, low, trade.price, newest.oracle_open, newest.oracle_close, volume)
    return tuple(bars)


def candle_gaps(candles: Sequence[Candle], span_s: int) -> tuple[tuple[int, int], ...]:
    """Runs of missing spans between candles (newest first), newest run first: (first missing, last missing)."""
    return tuple(
        (older.ts + span_s, newer.ts - span_s)
        for newer, older in zip(candles, candles[1:])
        if newer.ts - older.ts > span_s
    )  # fmt: skip


def history_stopped(candles: Sequence[Candle], span_s: int, now: int) -> bool:
    """Whether the newest candle is two spans or more behind `now`: the history is not being written."""
    return bool(candles) and now - candles[0].ts >= 2 * span_s
