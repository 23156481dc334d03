"""Arguments of the trading commands (setup checklist, orders, status).

Kept apart from the commands themselves, which import the Drift client: parsing must
stay fast for every command, including those that never touch the chain.
"""

import argparse

from rekt_tui.domain.order_grammar import (
    add_cancel_arguments,
    add_close_arguments,
    add_modify_arguments,
    add_order_arguments,
)
from rekt_tui.domain.pubkey import parse_pubkey

TRADING_COMMANDS = frozenset(
    {"airdrop", "init", "deposit", "withdraw", "strategy", "start", "order", "cancel", "close", "modify", "status"}
)


def session_option(parser: argparse.ArgumentParser, default_help: str = "the only active one") -> None:
    parser.add_argument(
        "--session", type=_session_pubkey, metavar="PUBKEY", help=f"session wallet (default: {default_help})"
    )


def _session_pubkey(text: str) -> str:
    # An empty value must not fall back to "the only active session": it names none.
    if not text.strip():
        raise argparse.ArgumentTypeError("an empty address names no wallet; give its PUBKEY or leave --session out")
    return parse_pubkey(text, "session wallet address")


# The venue is known only once the settings load, after parsing: help names both.
ASSET_HELP = "SOL, or the venue's quote: USDC on Drift, USDT on Velocity"


def add_trading_commands(commands, command) -> None:
    """Add the commands to `commands` with `command(parent, name, help)` (global options included)."""
    airdrop = command(commands, "airdrop", "fund the session wallet from the localnet faucet")
    airdrop.add_argument("amount", metavar="AMOUNT")
    airdrop.add_argument("asset", metavar="SOL|QUOTE", help=ASSET_HELP)
    init = command(commands, "init", "open the venue account with the configured referrer, and verify the referrer")
    deposit = command(commands, "deposit", "deposit SOL (keeping the gas reserve) or the quote into the venue")
    deposit.add_argument("amount", metavar="AMOUNT")
    deposit.add_argument("asset", metavar="SOL|QUOTE", help=ASSET_HELP)
    withdraw = command(
        commands, "withdraw", "withdraw part of the collateral to the session wallet (reduce-only, guarded)"
    )
    withdraw.add_argument("amount", metavar="AMOUNT", help="an amount, or all for the most the guards allow")
    withdraw.add_argument("asset", metavar="SOL|QUOTE", help=ASSET_HELP)
    withdraw.add_argument("--yes", action="store_true", help="withdraw without asking")
    withdraw.add_argument("--json", action="store_true", help="print JSON")
    strategy = command(commands, "strategy", "choose the session's strategy preset")
    strategy.add_argument("name", metavar="NAME")
    start = command(commands, "start", "confirm \"Start trading\" on the venue once the checklist holds")
    start.add_argument("--yes", action="store_true", help="confirm without asking")

    order = command(commands, "order", "preview and place a perp order (guarded; nothing is signed on a refusal)")
    add_order_arguments(order)
    order.add_argument("--yes", action="store_true", help="place without asking")
    cancel = command(commands, "cancel", "cancel one open order (its id from status) or all of them")
    add_cancel_arguments(cancel)
    close = command(commands, "close", "close a position (or all) with reduce-only market orders")
    add_close_arguments(close)
    modify = command(commands, "modify", "change an open order's price, size or trigger in place (previewed, guarded)")
    add_modify_arguments(modify)
    modify.add_argument("--yes", action="store_true", help="modify without asking")
    modify.add_argument("--json", action="store_true", help="print JSON")
    status = command(commands, "status", "account, positions, orders and the start-trading checklist")
    status.add_argument("--json", action="store_true", help="print JSON")
    for parser in (airdrop, init, deposit, withdraw, strategy, start, order, cancel, close, modify, status):
        session_option(parser)
