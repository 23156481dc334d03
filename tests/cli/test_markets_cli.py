"""`markets`, `book`, `trades`, `funding` as a user runs them: subprocesses against a localnet
started with `rekt-tui localnet start`, with no wallet or session anywhere; then against a
server that answers garbage, and against nothing at all."""

import json
import time
from decimal import Decimal

import pytest

from tests.cli.test_localnet_cli import localnet_cli, rpc  # noqa: F401 (a fixture)
from tests.cli.test_trading_cli import ok
from tests.services.garbage_server import garbage_server  # noqa: F401 (a fixture)

pytestmark = pytest.mark.slow

CONTEXT_SCHEMA = {
    "symbol": str, "market_index": int, "slot": int, "oracle_price": int, "mark_price": int, "premium": str,
    "last_price": int, "change_24h": (str, type(None)), "base_volume_24h": int, "quote_volume_24h": int,
    "high_24h": int, "low_24h": int, "open_interest_long": int, "open_interest_short": int,
    "funding_rate_hourly": str, "funding_rate_annualized": str, "predicted_funding_rate_hourly": str,
    "next_funding_ts": int, "next_funding_in_s": int, "status": str, "paused_operations": list,
}  # fmt: skip


def matches(body: dict, schema: dict) -> None:
    assert set(body) == set(schema), set(body) ^ set(schema)
    for key, kind in schema.items():
        assert isinstance(body[key], kind), (key, body[key])


def test_four_commands_with_json_schemas_and_no_wallet(localnet_cli):  # noqa: F811
    assert localnet_cli("localnet", "start").code == 0
    deadline = time.monotonic() + 40
    while not (trades := json.loads(ok(localnet_cli("trades", "sol", "--limit", "5", "--json")))["trades"]):
        assert time.monotonic() < deadline, "nothing traded"
        time.sleep(0.5)

    body = json.loads(ok(localnet_cli("markets", "--json")))
    assert body["notes"] == [] and [m["symbol"] for m in body["markets"]] == ["SOL-PERP", "BTC-PERP", "ETH-PERP"]
    for market in body["markets"]:
        matches(market, CONTEXT_SCHEMA)
        assert Decimal(market["funding_rate_annualized"]) == Decimal(market["funding_rate_hourly"]) * 8760
    table = ok(localnet_cli("markets"))
    headings = ["MARKET", "ORACLE", "24H", "VOLUME", "FUNDING/H", "OI", "LONG", "OI", "SHORT", "STATUS"]
    assert table.splitlines()[0].split() == headings

    book = json.loads(ok(localnet_cli("book", "SOL-PERP", "--depth", "3", "--json")))
    assert set(book) == {"market", "slot", "oracle_price", "mark_price", "bids", "asks"}
    assert 0 < len(book["bids"]) <= 3 and 0 < len(book["asks"]) <= 3
    assert book["bids"][0]["price"] < book["asks"][0]["price"]

    assert 0 < len(trades) <= 5
    for trade in trades:
        assert set(trade) == {"ts", "slot", "side", "price", "base", "taker", "maker", "signature"}
        assert trade["side"] in ("long", "short") and trade["price"] > 0 and trade["base"] > 0
    transaction = rpc(localnet_cli.port, "getTransaction", [trades[0]["signature"], {"maxSupportedTransactionVersion": 0}])
    assert transaction["slot"] == trades[0]["slot"]

    funding = json.loads(ok(localnet_cli("funding", "eth", "--json")))
    matches({k: v for k, v in funding.items() if k not in ("history", "notes")}, CONTEXT_SCHEMA)
    assert funding["symbol"] == "ETH-PERP" and isinstance(funding["history"], list) and funding["notes"] == []
    assert "next funding in" in ok(localnet_cli("funding", "eth"))

    unknown = localnet_cli("trades", "DOGE", "--json")
    assert unknown.code == 2 and "Traceback" not in unknown.err
    assert json.loads(unknown.out)["error"].startswith("There is no perp market 'DOGE' on this cluster")
    bad = localnet_cli("book", "sol", "--depth", "0")
    assert bad.code == 2 and "is not a whole number from 1 to 1000" in bad.err


def test_garbage_and_silence_are_one_sentence(cli, garbage_server):  # noqa: F811
    env = dict(
        cli.env,
        REKT_CLUSTERS__LOCALNET__RPC_URL=garbage_server, REKT_CLUSTERS__LOCALNET__WS_URL="ws://127.0.0.1:9",
        REKT_CLUSTERS__LOCALNET__DLOB_URL=garbage_server, REKT_CLUSTERS__LOCALNET__DLOB_WS_URL="ws://127.0.0.1:9",
    )  # fmt: skip
    for args in (["markets"], ["book", "sol"], ["trades", "sol"], ["funding", "sol"]):
        result = cli(*args, env=env)
        assert result.code == 1 and "Traceback" not in result.err, (args, result.err)
        assert result.err.count("\n") == 1 and garbage_server in result.err, result.err
    silent = dict(env, REKT_CLUSTERS__LOCALNET__RPC_URL="http://127.0.0.1:9")
    result = cli("markets", "--json", env=silent)
    assert result.code == 1 and json.loads(result.out)["error"].startswith("http://127.0.0.1:9")
