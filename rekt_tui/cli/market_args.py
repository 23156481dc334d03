"""The market-data commands' arguments: parsed before anything else loads, so the cockpit's
start does not pay for the commands' own modules."""

import argparse

MARKET_COMMANDS = ("markets", "book", "trades", "funding")


def _positive(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 1_000:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number from 1 to 1000")
    return int(text)


def add_market_commands(commands, command) -> None:
    markets = command(commands, "markets", "every perp market: price, 24 h change and volume, funding, open interest")
    markets.add_argument("--json", action="store_true", help="print JSON")
    book = command(commands, "book", "a market's order book now")
    book.add_argument("market", metavar="MARKET")
    book.add_argument("--depth", type=_positive, default=10, help="levels per side (default 10)")
    book.add_argument("--json", action="store_true", help="print JSON")
    trades = command(commands, "trades", "a market's recent trades, newest first")
    trades.add_argument("market", metavar="MARKET")
    trades.add_argument("--limit", type=_positive, default=20, help="how many (default 20)")
    trades.add_argument("--json", action="store_true", help="print JSON")
    funding = command(commands, "funding", "a market's funding: last, predicted, annualized, countdown, history")
    funding.add_argument("market", metavar="MARKET")
    funding.add_argument("--json", action="store_true", help="print JSON")
