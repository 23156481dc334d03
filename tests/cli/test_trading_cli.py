"""The trading commands as a user runs them: `rekt-tui` subprocesses against a localnet
started with `rekt-tui localnet start` on free ports, each test with its own data dir.

The happy path twice (SOL, then USDC collateral, which also cancels and closes), and bad
input of each kind: every refusal exits non-zero with one sentence and adds no
transaction row.
"""

import re
import sqlite3
import time

import pytest

from tests.cli.test_localnet_cli import localnet_cli  # noqa: F401 (a fixture)

pytestmark = pytest.mark.slow

SOL = 10**9


@pytest.fixture
def rekt(localnet_cli):  # noqa: F811
    started = localnet_cli("localnet", "start")
    assert started.code == 0, started.err
    return localnet_cli


def ok(result) -> str:
    assert result.code == 0, result.err
    assert "Traceback" not in result.err
    return result.out.strip()


def refused(result, sentence: str) -> None:
    """Exit non-zero with one sentence (after any preview on stdout), naming the problem."""
    assert result.code != 0, result.out
    assert result.err.count("rekt-tui: ") == 1 and "Traceback" not in result.err, result.err
    message = result.err.split("rekt-tui: ")[1].strip()
    assert "\n" not in message and sentence in message, message


def transactions(rekt) -> list[tuple[str, str]]:
    with sqlite3.connect(rekt.data_dir / "registry.sqlite3") as db:
        return db.execute("SELECT kind, status FROM transactions ORDER BY id").fetchall()


def status(rekt) -> dict:
    return rekt("status", "--json").json()


def wait_for(rekt, condition, what: str, timeout: float = 20.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        current = status(rekt)
        if condition(current):
            return current
        assert time.monotonic() < deadline, f"{what} never showed in status"
        time.sleep(0.5)


def test_happy_path_with_sol_collateral(rekt):
    pubkey = ok(rekt("wallet", "new"))
    assert ok(rekt("airdrop", "2", "SOL")) == "2.000000000 SOL"
    drift_user = ok(rekt("init"))
    ok(rekt("deposit", "1", "SOL"))
    assert ok(rekt("strategy", "balanced")) == "balanced"
    assert ok(rekt("start", "--yes")) == "trading started"
    placed = rekt("order", "SOL-PERP", "buy", "0.5", "--yes")
    assert "worst price" in ok(placed) and "liquidation price after" in placed.out

    current = wait_for(rekt, lambda s: s["positions"], "the long")
    [position] = current["positions"]
    assert (position["symbol"], position["base_amount"]) == ("SOL-PERP", SOL // 2)
    assert current["account"]["sol_amount"] == SOL and current["ready_to_trade"]
    session = current["session"]
    assert (session["pubkey"], session["drift_user"]) == (pubkey, drift_user)
    assert session["referrer_verified_at"] and session["trading_started_at"]
    assert [kind for kind, _ in transactions(rekt)] == ["initialize", "deposit", "place_order"]
    assert {state for _, state in transactions(rekt)} == {"confirmed"}
    table = ok(rekt("status"))
    assert "SOL-PERP  long  0.5 SOL" in table and "Start trading confirmed    done" in table


@pytest.mark.timeout(360)  # about twenty real commands against a live localnet
def test_usdc_path_with_every_refusal_signing_nothing_then_cancel_and_close(rekt):
    ok(rekt("wallet", "new"))
    ok(rekt("airdrop", "0.5", "SOL"))
    assert ok(rekt("airdrop", "500", "USDC")) == "500.000000 USDC"  # the wallet's balance of what came
    refused(rekt("order", "SOL-PERP", "buy", "1", "--yes"), "no Drift account")
    ok(rekt("init"))
    ok(rekt("deposit", "400", "USDC"))
    ok(rekt("strategy", "aggressive"))
    refused(rekt("start", stdin="no\n"), "Start cancelled")
    start = rekt("start", stdin="start\n")
    assert "aggressive strategy" in start.err and "$400.00 of collateral" in start.err
    ok(start)
    ok(rekt("order", "sol", "sell", "1", stdin="y\n"))
    wait_for(rekt, lambda s: s["positions"] and s["positions"][0]["base_amount"] == -SOL, "the short")
    ok(rekt("order", "SOL-PERP", "buy", "0.5", "--type", "limit", "--price", "140", "--post-only", "--yes"))
    ok(rekt("order", "SOL-PERP", "buy", "0.5", "--type", "take-profit-limit", "--price", "101", "--trigger", "100",
            "--reduce-only", "--expire", "600", "--allow-stacking", "--yes"))  # fmt: skip

    signed = transactions(rekt)
    for args, sentence in [  # the rest of B1 is covered by the service and domain tests
        (("SOL-PERP", "buy", "-1"), "must be greater than zero"),
        (("DOGE-PERP", "buy", "1"), "Unknown market 'DOGE-PERP'"),
        (("SOL-PERP", "buy", "1", "--session", "not-a-pubkey"), "not a valid session wallet address"),
        (("SOL-PERP", "buy", "500"), "does not cover the"),
        (("SOL-PERP", "sell", "30"), "above the aggressive strategy's 10x"),
        # Stacking guards only what opens or grows risk: this buy would flip the 1 SOL short.
        (("SOL-PERP", "buy", "1.5", "--type", "limit", "--price", "139"), "already exists"),
    ]:  # fmt: skip
        refused(rekt("order", *args, "--yes"), sentence)
    refused(rekt("order", "SOL-PERP", "sell", "0.5", stdin="n\n"), "Order not placed")
    refused(rekt("deposit", "0.499", "SOL"), "must keep")
    refused(rekt("cancel"), "Give one ORDER_ID")
    refused(rekt("airdrop", "1", "SOL", "--cluster", "devnet"), "Airdrops exist only on localnet")
    assert transactions(rekt) == signed

    orders = status(rekt)["orders"]
    assert sorted(o["order_type"] for o in orders) == ["limit", "trigger_limit"]
    limit = next(o for o in orders if o["order_type"] == "limit")
    ok(rekt("cancel", str(limit["order_id"])))
    ok(rekt("cancel", "--all"))
    closed = rekt("close", "--all")
    assert ok(closed) and re.search(r"Reduce-only close \d+ sent; it fills through its auction\.", closed.err)
    flat = wait_for(rekt, lambda s: not s["positions"], "the close")
    assert flat["orders"] == []
    kinds = [kind for kind, _ in transactions(rekt)]
    assert kinds.count("cancel_order") == 2 and kinds[-1] == "close_position"

    # A bracket on a resting entry into the flat market waits for its fill; the CLI says who places it.
    waiting = rekt("order", "SOL-PERP", "buy", "0.5", "--type", "limit", "--price", "140", "--tp", "170", "--sl", "130",
                   "--yes")  # fmt: skip
    assert ok(waiting) and "reduce-only, no expiry, placed as the entry fills" in waiting.out
    assert "placed as it fills, sized to each fill, by a running cockpit or `rekt-tui guard`" in waiting.err
    assert [o["order_type"] for o in status(rekt)["orders"]] == ["limit"]  # no leg before the fill
    ok(rekt("cancel", "--all"))

    # Part of the collateral comes back without a stop; refusals sign nothing.
    signed = transactions(rekt)
    refused(rekt("withdraw", "1000", "USDC", "--yes"), "a withdrawal never borrows")
    refused(rekt("withdraw", "10", "USDC", stdin="n\n"), "Withdrawal cancelled; nothing was signed")
    refused(rekt("withdraw", "1", "SOL", "--yes"), "Drift holds no SOL")
    assert transactions(rekt) == signed
    withdrawn = rekt("withdraw", "25", "USDC", "--yes", "--json")
    assert ok(withdrawn) and withdrawn.json()["amount"] == 25_000_000
    assert transactions(rekt)[-1] == ("withdraw", "confirmed")
