"""Arguments of the trading commands (setup checklist, orders, status).

Kept apart from the commands themselves, which import the Drift client: parsing must
stay fast for every command, including those that never touch the chain.
"""

import argparse

from rekt_tui.domain.orders import OrderKind
from rekt_tui.domain.pubkey import parse_pubkey

TRADING_COMMANDS = frozenset({"airdrop", "init", "deposit", "strategy", "start", "order", "cancel", "close", "status"})
ORDER_KINDS = [kind.value for kind in OrderKind]


def session_option(parser: argparse.ArgumentParser, default_help: str = "the only active one") -> None:
    parser.add_argument(
        "--session", type=_session_pubkey, metavar="PUBKEY", help=f"session wallet (default: {default_help})"
    )


def _session_pubkey(text: str) -> str:
    # An empty value must not fall back to "the only active session": it names none.
    if not text.strip():
        raise argparse.ArgumentTypeError("an empty address names no wallet; give its PUBKEY or leave --session out")
    return parse_pubkey(text, "session wallet address")


def _positive_seconds(text: str) -> int:
    try:
        seconds = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of seconds") from None
    if seconds <= 0:
        raise argparse.ArgumentTypeError(f"expiry must be a positive number of seconds, not {seconds}")
    return seconds


def add_trading_commands(commands, command) -> None:
    """Add the commands to `commands` with `command(parent, name, help)` (global options included)."""
    airdrop = command(commands, "airdrop", "fund the session wallet from the localnet faucet")
    airdrop.add_argument("amount", metavar="AMOUNT")
    airdrop.add_argument("asset", metavar="SOL|USDC")
    init = command(commands, "init", "open the Drift account with the configured referrer, and verify the referrer")
    deposit = command(commands, "deposit", "deposit SOL (keeping the gas reserve) or USDC into Drift")
    deposit.add_argument("amount", metavar="AMOUNT")
    deposit.add_argument("asset", metavar="SOL|USDC")
    strategy = command(commands, "strategy", "choose the session's strategy preset")
    strategy.add_argument("name", metavar="NAME")
    start = command(commands, "start", "confirm \"Start trading on Drift\" once the checklist holds")
    start.add_argument("--yes", action="store_true", help="confirm without asking")

    order = command(commands, "order", "preview and place a perp order (guarded; nothing is signed on a refusal)")
    order.add_argument("market", metavar="MARKET")
    order.add_argument("side", metavar="buy|sell")
    order.add_argument("size", metavar="SIZE")
    order.add_argument("--type", dest="kind", default="market", metavar="|".join(ORDER_KINDS), help="default market")
    order.add_argument("--price", metavar="P", help="limit price")
    order.add_argument("--trigger", metavar="P", help="trigger price of a stop or take-profit")
    order.add_argument("--reduce-only", action="store_true", help="only shrink a position")
    order.add_argument("--post-only", action="store_true", help="limit orders: rest on the book, never take")
    order.add_argument("--expire", type=_positive_seconds, metavar="S", help="expire after S seconds")
    order.add_argument("--allow-stacking", action="store_true", help="allow a second order on the same market and side")
    order.add_argument(
        "--allow-far-price", action="store_true",
        help="allow a limit price beyond the price band (guards.price_band_pct) through the oracle",
    )
    order.add_argument("--yes", action="store_true", help="place without asking")
    cancel = command(commands, "cancel", "cancel one open order (its id from status) or all of them")
    cancel.add_argument("order_id", nargs="?", type=int, metavar="ORDER_ID")
    cancel.add_argument("--all", action="store_true", help="cancel every open order")
    close = command(commands, "close", "close a position (or all) with reduce-only market orders")
    close.add_argument("market", nargs="?", metavar="MARKET")
    close.add_argument("--all", action="store_true", help="close every position")
    status = command(commands, "status", "account, positions, orders and the start-trading checklist")
    status.add_argument("--json", action="store_true", help="print JSON")
    for parser in (airdrop, init, deposit, strategy, start, order, cancel, close, status):
        session_option(parser)
