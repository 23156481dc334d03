"""T6 as a user meets it: with the RPC websocket silent (the localnet's `ws-silent` fault:
sockets open, no notification ever arrives), every command still reads the chain right.

`rekt-tui` subprocesses against a `rekt-tui localnet start` localnet.
"""

import re
import sqlite3

import pytest

from tests.cli.test_localnet_cli import localnet_cli, rpc  # noqa: F401 (a fixture)
from tests.cli.test_trading_cli import ok, status

pytestmark = pytest.mark.slow


@pytest.mark.timeout(400)
def test_deposit_orders_and_stop_read_the_chain_while_the_websocket_is_silent(localnet_cli):  # noqa: F811
    rekt = localnet_cli
    assert rekt("localnet", "start").code == 0
    rpc(rekt.port, "rekt_setFaults", [{"wsSilent": True}])
    try:
        ok(rekt("wallet", "new"))
        ok(rekt("airdrop", "2", "SOL"))
        ok(rekt("init"))
        deposited = rekt("deposit", "1", "SOL")
        ok(deposited)
        held = re.search(r"Drift holds \$([\d,.]+) of collateral", deposited.err)
        assert held and float(held.group(1).replace(",", "")) > 100, deposited.err
        ok(rekt("strategy", "balanced"))
        ok(rekt("start", "--yes"))
        ok(rekt("order", "SOL-PERP", "buy", "0.1", "--type", "limit", "--price", "100", "--yes"))
        ok(rekt("order", "SOL-PERP", "buy", "0.2", "--allow-stacking", "--yes"))
        with sqlite3.connect(rekt.data_dir / "registry.sqlite3") as db:
            rows = db.execute("SELECT order_type, status FROM orders ORDER BY id").fetchall()
        assert rows[0] == ("limit", "open"), rows
        current = status(rekt)
        assert [o["price"] for o in current["orders"]] == [100 * 10**6]
        stopped = rekt("stop", "--yes", timeout=180)  # every read is an HTTP poll: slower, never wrong
        ok(stopped)
    finally:
        rpc(rekt.port, "rekt_clearFaults")
    [session] = rekt("sessions", "--json").json()
    assert session["status"] == "archived"
