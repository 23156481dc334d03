"""The order grammar shared by the CLI and the cockpit's `:` line: `order`, `cancel`, `close`,
`modify` and (on the `:` line) `reverse`, and `buy`/`sell` for an `order` there (`buy 1.5 SOL`).

One definition of each command's arguments, so `rekt-tui order ETH-PERP sell 0.5 --type
limit --price 4100` and `:order ETH-PERP sell 0.5 --type limit --price 4100` mean the same.
"""

import argparse
import shlex
from decimal import Decimal, InvalidOperation
from typing import NoReturn

from rekt_tui.domain.errors import UsageError
from rekt_tui.domain.orders import OrderKind, parse_kind

ORDER_KINDS = [kind.value for kind in OrderKind]


def positive_seconds(text: str) -> int:
    try:
        seconds = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of seconds") from None
    if seconds <= 0:
        raise argparse.ArgumentTypeError(f"expiry must be a positive number of seconds, not {seconds}")
    return seconds


def add_order_arguments(order: argparse.ArgumentParser) -> None:
    order.add_argument("market", metavar="MARKET")
    order.add_argument("side", metavar="buy|sell")
    order.add_argument("size", metavar="SIZE")
    order.add_argument("--type", dest="kind", default="market", metavar="|".join(ORDER_KINDS), help="default market")
    order.add_argument("--price", metavar="P", help="limit price")
    order.add_argument("--trigger", metavar="P", help="trigger price of a stop or take-profit")
    order.add_argument("--reduce-only", action="store_true", help="only shrink a position")
    order.add_argument("--post-only", action="store_true", help="limit orders: rest on the book, never take")
    order.add_argument("--expire", type=positive_seconds, metavar="S", help="expire after S seconds")
    order.add_argument("--tp", dest="take_profit", metavar="P", help="bracket: a reduce-only take-profit at trigger P")
    order.add_argument("--sl", dest="stop_loss", metavar="P", help="bracket: a reduce-only stop-loss at trigger P")
    order.add_argument("--allow-stacking", action="store_true", help="allow a second order on the same market and side")
    order.add_argument(
        "--allow-far-price", action="store_true",
        help="allow a limit price beyond the price band (guards.price_band_pct) through the oracle",
    )


def add_cancel_arguments(cancel: argparse.ArgumentParser) -> None:
    cancel.add_argument("order_id", nargs="?", type=int, metavar="ORDER_ID")
    cancel.add_argument("--all", action="store_true", help="cancel every open order")


def add_close_arguments(close: argparse.ArgumentParser) -> None:
    close.add_argument("market", nargs="?", metavar="MARKET")
    close.add_argument("--all", action="store_true", help="close every position")


def add_modify_arguments(modify: argparse.ArgumentParser) -> None:
    modify.add_argument("order_id", type=int, metavar="ORDER_ID")
    modify.add_argument("--price", metavar="P", help="new limit price")
    modify.add_argument("--size", metavar="SIZE", help="new size (what rests anew)")
    modify.add_argument("--trigger", metavar="P", help="new trigger price")


def add_reverse_arguments(reverse: argparse.ArgumentParser) -> None:
    reverse.add_argument("market", metavar="MARKET")


COMMANDS = "order, cancel, close, modify or reverse"
KNOWN = ("order", "cancel", "close", "modify", "reverse")


class _Parser(argparse.ArgumentParser):
    """argparse that refuses in one sentence instead of printing usage and exiting."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message[0].upper()}{message[1:]}; try {COMMANDS} (as on the command line).")


def parse_command_line(text: str) -> argparse.Namespace:
    """A `:` line (`order …`, `cancel …`, `close …`, `modify …`, `reverse …`) into the CLI's
    arguments; `UsageError` if it is not one."""
    parser = _Parser(prog=":", add_help=False, exit_on_error=False)
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    add_order_arguments(commands.add_parser("order", add_help=False, exit_on_error=False))
    add_cancel_arguments(commands.add_parser("cancel", add_help=False, exit_on_error=False))
    add_close_arguments(commands.add_parser("close", add_help=False, exit_on_error=False))
    add_modify_arguments(commands.add_parser("modify", add_help=False, exit_on_error=False))
    add_reverse_arguments(commands.add_parser("reverse", add_help=False, exit_on_error=False))
    try:
        words = shlex.split(text.strip().removeprefix(":"))
    except ValueError as error:
        raise UsageError(f"Cannot read that line ({error}).") from None
    if not words:
        raise UsageError(f"Type a command: {COMMANDS} (as on the command line).")
    words = _order_shorthand(words)
    if words[0] not in KNOWN:
        raise UsageError(f"Unknown command {words[0]!r}; try {COMMANDS}, or buy or sell (as on the command line).")
    try:
        args = parser.parse_args(words)
    except argparse.ArgumentError as error:
        text = str(error)
        raise UsageError(f"{text[0].upper()}{text[1:]}; try {COMMANDS} (as on the command line).") from None
    if args.command == "cancel" and (args.order_id is None) == (not args.all):
        raise UsageError("Cancel takes either an order number or --all.")
    if args.command == "close" and (args.market is None) == (not args.all):
        raise UsageError("Close takes either a market or --all.")
    if args.command == "modify":
        check_modify(args)
    if args.command == "order":  # the order form has a field for each known kind only
        args.kind = parse_kind(args.kind).value
    return args


def _order_shorthand(words: list[str]) -> list[str]:
    """`buy 1.5 SOL` or `sell ETH-PERP $200 …` as the `order` they stand for: the word that
    reads as a size (a number, or $ and a number) is the size, the other the market."""
    side = words[0].lower()
    if side not in ("buy", "sell"):
        return words
    if len(words) < 3:
        raise UsageError(f"{side.capitalize()} takes a size and a market, as in `{side} 1.5 SOL`.")
    first, second = words[1], words[2]
    market, size = (second, first) if _sizelike(first) and not _sizelike(second) else (first, second)
    return ["order", market, side, size, *words[3:]]


def _sizelike(word: str) -> bool:
    try:
        Decimal(word.removeprefix("$"))
    except InvalidOperation:
        return False
    return True


def check_modify(args: argparse.Namespace) -> None:
    if args.price is None and args.size is None and args.trigger is None:
        raise UsageError(f"Give a new --price, --size or --trigger to modify order #{args.order_id}.")
