"""The `:` line reads the CLI's order grammar and refuses anything else in one sentence."""

import pytest

from rekt_tui.domain.errors import UsageError
from rekt_tui.domain.order_grammar import parse_command_line


def test_the_cli_grammar_is_read():
    args = parse_command_line(":order ETH-PERP sell 0.5 --type limit --price 4100 --post-only --expire 600")
    assert (args.command, args.market, args.side, args.size, args.kind, args.price, args.post_only, args.expire) == (
        "order", "ETH-PERP", "sell", "0.5", "limit", "4100", True, 600)  # fmt: skip
    assert parse_command_line("cancel 3").order_id == 3 and parse_command_line("cancel --all").all
    assert parse_command_line("close sol").market == "sol" and parse_command_line("close --all").all
    modify = parse_command_line(":modify 7 --price 141.5 --size 0.7 --trigger 130")
    assert (modify.command, modify.order_id, modify.price, modify.size, modify.trigger) == (
        "modify", 7, "141.5", "0.7", "130")  # fmt: skip
    assert parse_command_line("reverse ETH-PERP").market == "ETH-PERP"
    bracket = parse_command_line("order sol buy 1 --tp 160 --sl 140")
    assert (bracket.take_profit, bracket.stop_loss) == ("160", "140")


@pytest.mark.parametrize(("line", "market", "side", "size"), [
    ("buy 1.5 SOL", "SOL", "buy", "1.5"),
    ("buy SOL 1.5", "SOL", "buy", "1.5"),
    (":Sell ETH-PERP $200", "ETH-PERP", "sell", "$200"),
    ("sell $200 eth", "eth", "sell", "$200"),
])
def test_buy_and_sell_are_orders_whichever_comes_first_of_size_and_market(line, market, side, size):
    args = parse_command_line(line)
    assert (args.command, args.market, args.side, args.size, args.kind) == ("order", market, side, size, "market")
    limit = parse_command_line(f"{line} --type limit --price 140 --post-only")
    assert (limit.market, limit.size, limit.kind, limit.price, limit.post_only) == (market, size, "limit", "140", True)


@pytest.mark.parametrize(("line", "sentence"), [
    ("", "Type a command: order, cancel, close, modify or reverse"),
    ("purchase sol 1", "Unknown command 'purchase'; try order, cancel, close, modify or reverse, or buy or sell"),
    ("buy sol", "Buy takes a size and a market, as in `buy 1.5 SOL`."),
    ("order ETH", "The following arguments are required: buy|sell, SIZE"),
    ("order ETH buy 1 --bogus", "Unrecognized arguments: --bogus"),
    ("order ETH buy 1 --expire -5", "Argument --expire: expiry must be a positive number of seconds, not -5"),
    ("cancel", "Cancel takes either an order number or --all."),
    ("cancel 2 --all", "Cancel takes either an order number or --all."),
    ("close", "Close takes either a market or --all."),
    ('order "ETH', "Cannot read that line"),
    ("modify 3", "Give a new --price, --size or --trigger to modify order #3."),
    ("modify x --price 1", "Argument ORDER_ID: invalid int value: 'x'"),
    ("reverse", "The following arguments are required: MARKET"),
])  # fmt: skip
def test_anything_else_is_one_sentence(line, sentence):
    with pytest.raises(UsageError) as refused:
        parse_command_line(line)
    assert str(refused.value).startswith(sentence)
