"""`rekt-tui modify` as a user runs it: a resting order changed in place (price, size,
trigger) with `--json` answers a script reads, and bad changes refused in one sentence
with no transaction row added."""

import json

import pytest

from tests.cli.test_localnet_cli import localnet_cli  # noqa: F401 (a fixture)
from tests.cli.test_trading_cli import ok, refused, rekt, status, transactions  # noqa: F401 (rekt: a fixture)

pytestmark = pytest.mark.slow

USDC = 10**6
SOL = 10**9


def test_modify_price_size_and_trigger_with_json(rekt):  # noqa: F811
    for command in (("wallet", "new"), ("airdrop", "0.5", "SOL"), ("airdrop", "500", "USDC"), ("init",),
                    ("deposit", "400", "USDC"), ("strategy", "balanced"), ("start", "--yes")):  # fmt: skip
        ok(rekt(*command))
    ok(rekt("order", "SOL-PERP", "buy", "0.5", "--type", "limit", "--price", "140", "--yes"))
    ok(rekt("order", "SOL-PERP", "sell", "0.5", "--type", "stop-market", "--trigger", "140", "--yes"))
    orders = {o["order_type"]: o for o in status(rekt)["orders"]}
    limit, stop = orders["limit"], orders["trigger_market"]

    answer = json.loads(ok(rekt("modify", str(limit["order_id"]), "--price", "141", "--size", "0.7", "--yes", "--json")))
    assert (answer["order_id"], answer["market"], answer["side"], answer["type"]) == (
        limit["order_id"], "SOL-PERP", "buy", "limit",
    )  # fmt: skip
    assert (answer["price"], answer["base_amount"]) == (141 * USDC, 7 * SOL // 10)
    assert answer["new_order_id"] != limit["order_id"] and answer["signature"]
    assert answer["preview"]["limit price"] == "$141.00"
    moved = {o["order_id"]: o for o in status(rekt)["orders"]}[answer["new_order_id"]]
    assert (moved["price"], moved["base_amount"]) == (141 * USDC, 7 * SOL // 10)

    trigger = json.loads(ok(rekt("modify", str(stop["order_id"]), "--trigger", "135", "--yes", "--json")))
    assert trigger["trigger_price"] == 135 * USDC and trigger["type"] == "stop-market"
    kinds = [kind for kind, _ in transactions(rekt)]
    assert kinds.count("modify_order") == 2

    signed = transactions(rekt)
    new_id = str(answer["new_order_id"])
    refused(rekt("modify", new_id, "--yes"), "Give a new --price, --size or --trigger")
    refused(rekt("modify", new_id, "--trigger", "150", "--yes"), "limit order with no trigger")
    refused(rekt("modify", new_id, "--size", "30", "--yes"), "above the balanced strategy's")
    refused(rekt("modify", "999", "--price", "150", "--yes"), "no open order #999 to modify")
    refused(rekt("modify", new_id, "--price", "142", stdin="n\n"), "Order not modified; nothing was signed.")
    failure = rekt("modify", new_id, "--price", "abc", "--yes", "--json")
    assert failure.code == 2 and json.loads(failure.out)["exit_code"] == 2
    assert transactions(rekt) == signed
