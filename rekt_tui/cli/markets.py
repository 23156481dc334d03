"""`markets`, `book`, `trades`, `funding`: public market data, no wallet or session needed.

Tables for people; JSON keeps Drift's integers (prices 1e6, base 1e9, quote 1e6) and
rates as exact decimal strings (fractions of the price per hour), so scripts never
parse a formatted figure. A source that failed is named on stderr (`notes` in JSON).
"""

import argparse
from datetime import UTC, datetime
from typing import Any

from rekt_tui.cli.output import note, print_json, print_table
from rekt_tui.config import Settings
from rekt_tui.domain.market_context import (
    FundingPayment, MarketContext, Trade, annualized, base_text, countdown_text, percent_text, quote_text,
)  # fmt: skip
from rekt_tui.domain.markets import format_price
from rekt_tui.domain.orderbook import OrderBook
from rekt_tui.services.market_context import MarketContextService

NONE = "—"


def _price(value: int | None) -> str:
    return NONE if value is None else format_price(value)


def context_dict(context: MarketContext, now: int) -> dict[str, Any]:
    chain, contract = context.chain, context.contract
    return {
        "symbol": chain.symbol, "market_index": chain.market_index, "slot": chain.slot,
        "oracle_price": chain.oracle_price, "mark_price": context.mark_price, "premium": context.premium,
        "last_price": contract and contract.last_price, "change_24h": context.change_24h,
        "base_volume_24h": contract and contract.base_volume, "quote_volume_24h": contract and contract.quote_volume,
        "high_24h": contract and contract.high, "low_24h": contract and contract.low,
        "open_interest_long": chain.base_long, "open_interest_short": chain.base_short,
        "funding_rate_hourly": chain.last_hourly_rate, "funding_rate_annualized": annualized(chain.last_hourly_rate),
        "predicted_funding_rate_hourly": context.predicted_hourly,
        "next_funding_ts": chain.next_funding_ts, "next_funding_in_s": context.countdown_s(now),
        "status": chain.status, "paused_operations": sorted(chain.paused_operations),
    }  # fmt: skip


def _market_row(context: MarketContext) -> list[str]:
    chain, contract = context.chain, context.contract
    return [
        chain.symbol, _price(chain.oracle_price), percent_text(context.change_24h),
        NONE if contract is None else quote_text(contract.quote_volume),
        percent_text(chain.last_hourly_rate, 4), base_text(chain.base_long), base_text(chain.base_short), chain.status,
    ]  # fmt: skip


def book_dict(book: OrderBook) -> dict[str, Any]:
    def side(levels) -> list[dict[str, int]]:
        return [{"price": level.price, "size": level.size} for level in levels]

    return {
        "market": book.market_name, "slot": book.slot, "oracle_price": book.oracle_price,
        "mark_price": book.mark_price, "bids": side(book.bids), "asks": side(book.asks),
    }  # fmt: skip


def trade_dict(trade: Trade) -> dict[str, Any]:
    return {
        "ts": trade.ts, "slot": trade.slot, "side": trade.side.value, "price": trade.price, "base": trade.base,
        "taker": trade.taker, "maker": trade.maker, "signature": trade.signature,
    }  # fmt: skip


def funding_dict(payment: FundingPayment) -> dict[str, Any]:
    return {
        "ts": payment.ts, "rate": payment.rate, "rate_hourly": payment.hourly,
        "oracle_twap": payment.oracle_twap, "mark_twap": payment.mark_twap,
    }  # fmt: skip


def _notes(notes: tuple[str, ...]) -> None:
    for text in notes:
        note(f"rekt-tui: note: {text}")


def _time(ts: int) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%H:%M:%S")


async def run(settings: Settings, args: argparse.Namespace) -> int:
    service = MarketContextService.open(settings)
    try:
        return await _run(service, args)
    finally:
        await service.close()


async def _run(service: MarketContextService, args: argparse.Namespace) -> int:
    now = service.now()
    if args.command == "markets":
        overview = await service.overview()
        if args.json:
            print_json({"markets": [context_dict(m, now) for m in overview.markets], "notes": list(overview.notes)})
            return 0
        _notes(overview.notes)
        headers = ["MARKET", "ORACLE", "24H", "VOLUME", "FUNDING/H", "OI LONG", "OI SHORT", "STATUS"]
        print_table(headers, [_market_row(m) for m in overview.markets])
    elif args.command == "book":
        book = await service.book(args.market, args.depth)
        if args.json:
            print_json(book_dict(book))
            return 0
        rows = [["ask", _price(level.price), base_text(level.size, 4)] for level in reversed(book.asks)]
        rows += [["bid", _price(level.price), base_text(level.size, 4)] for level in book.bids]
        print_table(["SIDE", "PRICE", "SIZE"], rows)
    elif args.command == "trades":
        trades = await service.trades(args.market, args.limit)
        if args.json:
            print_json({"trades": [trade_dict(t) for t in trades]})
            return 0
        rows = [[_time(t.ts), t.side.value, base_text(t.base, 4), _price(t.price)] for t in trades]
        print_table(["TIME", "SIDE", "SIZE", "PRICE"], rows)
    else:
        view = await service.funding(args.market)
        if args.json:
            body = context_dict(view.context, now) | {"history": [funding_dict(p) for p in view.history]}
            print_json(body | {"notes": list(view.notes)})
            return 0
        _notes(view.notes)
        chain = view.context.chain
        print_table(["", ""], [
            ["last (per hour)", percent_text(chain.last_hourly_rate, 4)],
            ["annualized", percent_text(annualized(chain.last_hourly_rate))],
            ["predicted next", percent_text(view.context.predicted_hourly, 4)],
            ["next funding in", countdown_text(view.context.countdown_s(now))],
            ["payments (30 d)", str(len(view.history))],
        ])  # fmt: skip
    return 0
